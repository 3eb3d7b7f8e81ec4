"""Composite foreign keys that keep every reference inside one organization.

Django's foreign keys point at ``id`` alone; these point at
``(organization_id, id)``, so PostgreSQL itself refuses a row that links to
another practice's login, client, staff member, service, series or group. They are
also the shape a distribution by organization needs.

They are checked at once, not at commit, so a refused write fails where it
is made and the transaction never reaches a success message; a bulk load
that needs another order can still say SET CONSTRAINTS ... DEFERRED.
"""

from django.db import migrations

# (table, column, referenced table)
TENANT_REFERENCES = [
    ("accounts_staffmember", "user_id", "accounts_user"),
    ("accounts_portalaccess", "user_id", "accounts_user"),
    ("accounts_portalaccess", "client_id", "accounts_client"),
    ("accounts_careteammember", "client_id", "accounts_client"),
    ("accounts_careteammember", "staff_id", "accounts_staffmember"),
    ("permissions_groupmembership", "group_id", "permissions_permissiongroup"),
    ("permissions_groupmembership", "staff_id", "accounts_staffmember"),
    ("scheduling_appointmentseries", "client_id", "accounts_client"),
    ("scheduling_appointmentseries", "provider_id", "accounts_staffmember"),
    ("scheduling_appointmentseries", "service_id", "scheduling_service"),
    ("scheduling_appointment", "client_id", "accounts_client"),
    ("scheduling_appointment", "provider_id", "accounts_staffmember"),
    ("scheduling_appointment", "service_id", "scheduling_service"),
    ("scheduling_appointment", "series_id", "scheduling_appointmentseries"),
    ("scheduling_visibilitychange", "series_id", "scheduling_appointmentseries"),
    ("scheduling_visibilitychangeitem", "change_id", "scheduling_visibilitychange"),
    ("scheduling_visibilitychangeitem", "appointment_id", "scheduling_appointment"),
]


def constraint_name(table: str, column: str) -> str:
    return f"{table}_{column}_same_org"[:63]


def forward_sql() -> list[str]:
    return [
        f"ALTER TABLE {table} ADD CONSTRAINT {constraint_name(table, column)} "
        f"FOREIGN KEY (organization_id, {column}) "
        f"REFERENCES {target} (organization_id, id) DEFERRABLE INITIALLY IMMEDIATE"
        for table, column, target in TENANT_REFERENCES
    ]


def reverse_sql() -> list[str]:
    return [
        f"ALTER TABLE {table} DROP CONSTRAINT {constraint_name(table, column)}"
        for table, column, _ in TENANT_REFERENCES
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("permissions", "0001_initial"),
        ("scheduling", "0001_initial"),
    ]

    operations = [migrations.RunSQL(forward_sql(), reverse_sql())]
