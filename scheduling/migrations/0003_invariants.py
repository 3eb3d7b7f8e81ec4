"""Triggers that hold the scheduling invariants against every path into the database.

Forms, the admin, bulk updates, management commands, a shell and raw SQL all
meet the same refusals. Each raises SQLSTATE 23514 (check_violation), which
Django reports as IntegrityError. The triggers read no session setting, so
no client can switch them off short of owning the tables.

TRUNCATE is not refused: the test runner empties tables with it between
browser tests. Production roles should not hold the TRUNCATE privilege.
"""

from django.db import migrations

REFUSE = "RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE ="

APPOINTMENT_UPDATE = f"""
CREATE FUNCTION scheduling_appointment_update_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.visible_to_client AND NOT NEW.visible_to_client THEN
        {REFUSE} 'A visible appointment can never be hidden again.';
    END IF;
    IF NEW.organization_id <> OLD.organization_id THEN
        {REFUSE} 'An appointment cannot move to another organization.';
    END IF;
    IF OLD.visible_to_client AND NEW.client_id <> OLD.client_id THEN
        {REFUSE} 'A visible appointment cannot move to another client.';
    END IF;
    IF NEW.series_id IS DISTINCT FROM OLD.series_id
       OR NEW.series_start IS DISTINCT FROM OLD.series_start THEN
        {REFUSE} 'An appointment stays with the series that created it.';
    END IF;
    RETURN NEW;
END $$;
"""

# A hidden appointment may be inserted only where hiding is allowed, except
# an occurrence of a hidden series for that series' own client: it follows
# its series' default whatever the organization's setting is today. A
# missing settings row reads as the default, Yes.
APPOINTMENT_INSERT = f"""
CREATE FUNCTION scheduling_appointment_insert_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    series scheduling_appointmentseries%ROWTYPE;
BEGIN
    IF NEW.series_id IS NOT NULL THEN
        SELECT * INTO series FROM scheduling_appointmentseries
        WHERE id = NEW.series_id;
        IF series.client_id <> NEW.client_id THEN
            {REFUSE} 'An occurrence belongs to the client of its series.';
        END IF;
    END IF;
    IF NEW.visible_to_client THEN
        RETURN NEW;
    END IF;
    IF NEW.series_id IS NOT NULL THEN
        -- An occurrence follows its series' default, whatever the
        -- organization's setting is today.
        IF series.visible_default THEN
            {REFUSE} 'Every occurrence of a visible series is visible.';
        END IF;
        RETURN NEW;
    END IF;
    IF NOT COALESCE((SELECT allow_hiding FROM scheduling_schedulingsettings
                     WHERE organization_id = NEW.organization_id), true) THEN
        {REFUSE} 'This organization does not allow hiding appointments.';
    END IF;
    RETURN NEW;
END $$;
"""

SERIES_INSERT = f"""
CREATE FUNCTION scheduling_series_insert_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT NEW.visible_default AND NOT COALESCE((
        SELECT allow_hiding FROM scheduling_schedulingsettings
        WHERE organization_id = NEW.organization_id
    ), true) THEN
        {REFUSE} 'This organization does not allow hiding appointments.';
    END IF;
    RETURN NEW;
END $$;
"""

SERIES_UPDATE = f"""
CREATE FUNCTION scheduling_series_update_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.visible_default AND NOT NEW.visible_default THEN
        {REFUSE} 'A visible series can never be hidden again.';
    END IF;
    IF NEW.organization_id <> OLD.organization_id
       OR NEW.client_id <> OLD.client_id THEN
        {REFUSE} 'A series cannot move to another client or organization.';
    END IF;
    RETURN NEW;
END $$;
"""

# The message comes from the trigger's argument, so one function serves
# every table whose rows are kept as written.
KEEP_ROWS = f"""
CREATE FUNCTION scheduling_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {REFUSE} TG_ARGV[0];
END $$;
"""

# (trigger, table, timing and event, function and its argument)
TRIGGERS = [
    (
        "appointment_update_rules",
        "scheduling_appointment",
        "BEFORE UPDATE",
        "scheduling_appointment_update_rules()",
    ),
    (
        "appointment_insert_rules",
        "scheduling_appointment",
        "BEFORE INSERT",
        "scheduling_appointment_insert_rules()",
    ),
    (
        "appointment_never_deleted",
        "scheduling_appointment",
        "BEFORE DELETE",
        "scheduling_refuse_change('Appointments are never deleted.')",
    ),
    (
        "series_insert_rules",
        "scheduling_appointmentseries",
        "BEFORE INSERT",
        "scheduling_series_insert_rules()",
    ),
    (
        "series_update_rules",
        "scheduling_appointmentseries",
        "BEFORE UPDATE",
        "scheduling_series_update_rules()",
    ),
    (
        "series_never_deleted",
        "scheduling_appointmentseries",
        "BEFORE DELETE",
        "scheduling_refuse_change('Appointment series are never deleted.')",
    ),
    (
        "history_append_only",
        "scheduling_visibilitychange",
        "BEFORE UPDATE OR DELETE",
        "scheduling_refuse_change('The visibility history cannot be changed.')",
    ),
    (
        "history_items_append_only",
        "scheduling_visibilitychangeitem",
        "BEFORE UPDATE OR DELETE",
        "scheduling_refuse_change('The visibility history cannot be changed.')",
    ),
]

FUNCTIONS = [
    "scheduling_appointment_update_rules",
    "scheduling_appointment_insert_rules",
    "scheduling_series_insert_rules",
    "scheduling_series_update_rules",
    "scheduling_refuse_change",
]


def create_sql() -> list[str]:
    functions = [
        APPOINTMENT_UPDATE,
        APPOINTMENT_INSERT,
        SERIES_INSERT,
        SERIES_UPDATE,
        KEEP_ROWS,
    ]
    triggers = [
        f"CREATE TRIGGER {name} {event} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}"
        for name, table, event, function in TRIGGERS
    ]
    return functions + triggers


def drop_sql() -> list[str]:
    triggers = [f"DROP TRIGGER {name} ON {table}" for name, table, _, _ in TRIGGERS]
    functions = [f"DROP FUNCTION {function}()" for function in FUNCTIONS]
    return triggers + functions


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_tenant_foreign_keys")]

    operations = [migrations.RunSQL(create_sql(), drop_sql())]
