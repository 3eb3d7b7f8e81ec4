"""Database triggers that hold the scheduling invariants against every code path.

Each raises with SQLSTATE 23514 (check_violation), so Django reports a refused
write as ``IntegrityError`` whether it came from a form, the admin, a bulk
update, a management command or raw SQL.
"""

import pgtrigger

REFUSE = "RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = "

appointment_update_rules = pgtrigger.Trigger(
    name="appointment_update_rules",
    when=pgtrigger.Before,
    operation=pgtrigger.Update,
    func=f"""
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
    """,
)

appointment_insert_rules = pgtrigger.Trigger(
    name="appointment_insert_rules",
    when=pgtrigger.Before,
    operation=pgtrigger.Insert,
    func=f"""
        IF NEW.visible_to_client THEN
            RETURN NEW;
        END IF;
        IF NEW.series_id IS NOT NULL THEN
            -- An occurrence follows its series' default, whatever the
            -- organization's setting is today.
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
    """,
)

series_insert_rules = pgtrigger.Trigger(
    name="series_insert_rules",
    when=pgtrigger.Before,
    operation=pgtrigger.Insert,
    condition=pgtrigger.Q(new__visible_default=False),
    func=f"""
        IF NOT (SELECT allow_hiding FROM scheduling_schedulingsettings
                WHERE organization_id = NEW.organization_id) THEN
            {REFUSE} 'This organization does not allow hiding appointments.';
        END IF;
        RETURN NEW;
    """,
)

series_update_rules = pgtrigger.Trigger(
    name="series_update_rules",
    when=pgtrigger.Before,
    operation=pgtrigger.Update,
    func=f"""
        IF OLD.visible_default AND NOT NEW.visible_default THEN
            {REFUSE} 'A visible series can never be hidden again.';
        END IF;
        IF NEW.organization_id <> OLD.organization_id
           OR NEW.client_id <> OLD.client_id THEN
            {REFUSE} 'A series cannot move to another client or organization.';
        END IF;
        RETURN NEW;
    """,
)


def refuse_delete(name: str, what: str) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Delete,
        func=f"{REFUSE} '{what} are never deleted.';",
    )


def refuse_update(name: str, what: str) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Update,
        func=f"{REFUSE} '{what} cannot be changed.';",
    )
