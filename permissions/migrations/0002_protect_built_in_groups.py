"""A trigger that refuses deleting an organization's built-in groups.

It raises SQLSTATE 23514 (check_violation), reported by Django as
IntegrityError, whichever path the delete takes.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION permissions_keep_built_in_groups() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.built_in IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation',
            MESSAGE = format('The built-in group %s cannot be deleted.', OLD.name);
    END IF;
    RETURN OLD;
END $$;
"""

TRIGGER = """
CREATE TRIGGER built_in_groups_kept BEFORE DELETE ON permissions_permissiongroup
FOR EACH ROW EXECUTE FUNCTION permissions_keep_built_in_groups()
"""

DROP = [
    "DROP TRIGGER built_in_groups_kept ON permissions_permissiongroup",
    "DROP FUNCTION permissions_keep_built_in_groups()",
]


class Migration(migrations.Migration):
    dependencies = [("permissions", "0001_initial")]

    operations = [migrations.RunSQL([CREATE, TRIGGER], DROP)]
