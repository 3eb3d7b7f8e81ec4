"""Close two ways around the insert rule for hidden appointments.

A hidden row may skip the organization's Allow Hiding setting only as an
occurrence of a hidden series; it must then be that series' occurrence for
the same client, with the start the series gave it. An appointment's series
link and series start never change afterwards, so a row cannot be moved
under a hidden series later. History entries that name a series name one of
their own practice.
"""

from django.db import migrations

REFUSE = "RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE ="

APPOINTMENT_INSERT = f"""
CREATE OR REPLACE FUNCTION scheduling_appointment_insert_rules() RETURNS trigger
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

APPOINTMENT_INSERT_BEFORE = f"""
CREATE OR REPLACE FUNCTION scheduling_appointment_insert_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.visible_to_client THEN
        RETURN NEW;
    END IF;
    IF NEW.series_id IS NOT NULL THEN
        IF (SELECT visible_default FROM scheduling_appointmentseries
            WHERE id = NEW.series_id) THEN
            {REFUSE} 'Every occurrence of a visible series is visible.';
        END IF;
        RETURN NEW;
    END IF;
    IF NOT (SELECT allow_hiding FROM scheduling_schedulingsettings
            WHERE organization_id = NEW.organization_id) THEN
        {REFUSE} 'This organization does not allow hiding appointments.';
    END IF;
    RETURN NEW;
END $$;
"""

APPOINTMENT_UPDATE = f"""
CREATE OR REPLACE FUNCTION scheduling_appointment_update_rules() RETURNS trigger
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

APPOINTMENT_UPDATE_BEFORE = f"""
CREATE OR REPLACE FUNCTION scheduling_appointment_update_rules() RETURNS trigger
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
    RETURN NEW;
END $$;
"""

SERIES_INSERT = f"""
CREATE OR REPLACE FUNCTION scheduling_series_insert_rules() RETURNS trigger
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

SERIES_INSERT_BEFORE = f"""
CREATE OR REPLACE FUNCTION scheduling_series_insert_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT NEW.visible_default AND NOT (
        SELECT allow_hiding FROM scheduling_schedulingsettings
        WHERE organization_id = NEW.organization_id
    ) THEN
        {REFUSE} 'This organization does not allow hiding appointments.';
    END IF;
    RETURN NEW;
END $$;
"""

HISTORY_SERIES_KEY = (
    "ALTER TABLE scheduling_visibilitychange "
    "ADD CONSTRAINT scheduling_visibilitychange_series_id_same_org "
    "FOREIGN KEY (organization_id, series_id) "
    "REFERENCES scheduling_appointmentseries (organization_id, id) "
    "DEFERRABLE INITIALLY IMMEDIATE"
)
DROP_HISTORY_SERIES_KEY = (
    "ALTER TABLE scheduling_visibilitychange "
    "DROP CONSTRAINT scheduling_visibilitychange_series_id_same_org"
)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0004_constraint_messages")]

    operations = [
        migrations.RunSQL(
            [APPOINTMENT_INSERT, APPOINTMENT_UPDATE, SERIES_INSERT, HISTORY_SERIES_KEY],
            [
                APPOINTMENT_INSERT_BEFORE,
                APPOINTMENT_UPDATE_BEFORE,
                SERIES_INSERT_BEFORE,
                DROP_HISTORY_SERIES_KEY,
            ],
        )
    ]
