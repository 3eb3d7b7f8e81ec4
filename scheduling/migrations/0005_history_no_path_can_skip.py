"""Every unhide leaves history, whatever path made it.

When an appointment turns visible, or a series' default turns visible, the
same transaction must have written the history that names it: a visibility
change item for the appointment, a visibility change for the series. The
check runs at commit (a deferred constraint trigger), because the history
rows are written after the update they describe.
"""

from django.db import migrations

REFUSE = "RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE ="

APPOINTMENT_CHECK = f"""
CREATE FUNCTION scheduling_unhide_has_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM scheduling_visibilitychangeitem
        WHERE appointment_id = NEW.id AND organization_id = NEW.organization_id
    ) THEN
        {REFUSE} format(
            'Appointment %s was made visible without a history entry.', NEW.id
        );
    END IF;
    RETURN NULL;
END $$;
"""

SERIES_CHECK = f"""
CREATE FUNCTION scheduling_series_unhide_has_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM scheduling_visibilitychange
        WHERE series_id = NEW.id AND organization_id = NEW.organization_id
    ) THEN
        {REFUSE} format(
            'Series %s was made visible without a history entry.', NEW.id
        );
    END IF;
    RETURN NULL;
END $$;
"""

APPOINTMENT_TRIGGER = """
CREATE CONSTRAINT TRIGGER appointment_unhide_has_history
AFTER UPDATE OF visible_to_client ON scheduling_appointment
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
WHEN (NOT OLD.visible_to_client AND NEW.visible_to_client)
EXECUTE FUNCTION scheduling_unhide_has_history()
"""

SERIES_TRIGGER = """
CREATE CONSTRAINT TRIGGER series_unhide_has_history
AFTER UPDATE OF visible_default ON scheduling_appointmentseries
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
WHEN (NOT OLD.visible_default AND NEW.visible_default)
EXECUTE FUNCTION scheduling_series_unhide_has_history()
"""

DROP = [
    "DROP TRIGGER appointment_unhide_has_history ON scheduling_appointment",
    "DROP TRIGGER series_unhide_has_history ON scheduling_appointmentseries",
    "DROP FUNCTION scheduling_unhide_has_history()",
    "DROP FUNCTION scheduling_series_unhide_has_history()",
]


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0004_constraint_messages")]

    operations = [
        migrations.RunSQL(
            [APPOINTMENT_CHECK, SERIES_CHECK, APPOINTMENT_TRIGGER, SERIES_TRIGGER],
            DROP,
        )
    ]
