"""The database refuses what no code path may do, whoever sends the statement.

Each rule is tried through raw SQL and through the ORM's different write paths
(save, queryset update, bulk update, delete), because a rule held only by
Python would be skipped by the paths that bypass it.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import PortalAccess, StaffMember, User
from permissions.models import BuiltIn, Permission, PermissionGroup
from permissions.services import built_in_group
from scheduling import services
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    SchedulingSettings,
    VisibilityChange,
    VisibilityChangeItem,
)
from tests import factories

pytestmark = pytest.mark.django_db


def run_sql(sql: str, params: object = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def switch_off_hiding(organization) -> None:
    SchedulingSettings.objects.filter(organization=organization).update(
        allow_hiding=False
    )


INSERT_APPOINTMENT = """
    INSERT INTO scheduling_appointment (
        organization_id, public_id, client_id, provider_id, service_id,
        location_kind, location_detail, telehealth_url, internal_notes, created_at,
        series_id, series_start, starts_at, ends_at, status, visible_to_client,
        updated_at
    ) VALUES (
        %(organization)s, gen_random_uuid(), %(client)s, %(provider)s, %(service)s,
        'clinic', '', '', '', now(),
        %(series)s, %(series_start)s, %(starts_at)s, %(ends_at)s, 'scheduled',
        %(visible)s, now()
    )
"""


def insert_appointment(
    client,
    *,
    visible: bool,
    series: AppointmentSeries | None = None,
    organization=None,
) -> None:
    """Insert as an import script would; ``organization`` defaults to the client's."""
    organization = organization or client.organization
    starts_at = dt.datetime(2026, 12, 7, 21, 0, tzinfo=dt.UTC)
    if series is None:
        provider = factories.StaffFactory(organization=organization)
        service = factories.ServiceFactory(organization=organization)
    else:
        provider, service = series.provider, series.service
    run_sql(
        INSERT_APPOINTMENT,
        {
            "organization": organization.pk,
            "client": client.pk,
            "provider": provider.pk,
            "service": service.pk,
            "series": series.pk if series else None,
            "series_start": starts_at if series else None,
            "starts_at": starts_at,
            "ends_at": starts_at + dt.timedelta(hours=1),
            "visible": visible,
        },
    )


# Visible stays visible


def hide_by_raw_sql(appointment: Appointment) -> None:
    run_sql(
        "UPDATE scheduling_appointment "
        "SET visible_to_client = false, location_detail = 'Moved' WHERE id = %s",
        [appointment.pk],
    )


def hide_by_save(appointment: Appointment) -> None:
    appointment.visible_to_client = False
    appointment.location_detail = "Moved"
    appointment.save()


def hide_by_queryset_update(appointment: Appointment) -> None:
    Appointment.objects.filter(pk=appointment.pk).update(
        visible_to_client=False, location_detail="Moved"
    )


def hide_by_bulk_update(appointment: Appointment) -> None:
    appointment.visible_to_client = False
    appointment.location_detail = "Moved"
    Appointment.objects.bulk_update(
        [appointment], ["visible_to_client", "location_detail"]
    )


HIDING_PATHS = [
    hide_by_raw_sql,
    hide_by_save,
    hide_by_queryset_update,
    hide_by_bulk_update,
]


@pytest.mark.parametrize("hide", HIDING_PATHS, ids=lambda f: f.__name__)
def test_a_visible_appointment_cannot_be_hidden(hide):
    appointment = factories.AppointmentFactory(visible_to_client=True)

    with pytest.raises(IntegrityError, match="never be hidden"), transaction.atomic():
        hide(appointment)

    appointment.refresh_from_db()
    assert appointment.visible_to_client is True
    assert appointment.location_detail == "Room 2"


def test_a_hidden_appointment_can_be_made_visible_by_any_path_that_records_it():
    appointment = factories.AppointmentFactory(visible_to_client=False)
    importer = factories.UserFactory(organization=appointment.organization)

    run_sql(
        "UPDATE scheduling_appointment SET visible_to_client = true WHERE id = %s",
        [appointment.pk],
    )
    change = VisibilityChange.objects.create(
        organization=appointment.organization,
        action=VisibilityChange.Action.UNHIDE_ONE,
        changed_by=importer,
        appointment_count=1,
    )
    VisibilityChangeItem.objects.create(
        organization=appointment.organization, change=change, appointment=appointment
    )
    connection.check_constraints()

    appointment.refresh_from_db()
    assert appointment.visible_to_client is True


# Moving between clients and organizations


@pytest.mark.parametrize("path", ["raw", "save", "update"])
def test_a_visible_appointment_cannot_move_to_another_client(path):
    appointment = factories.AppointmentFactory(visible_to_client=True)
    original_client = appointment.client
    other_client = factories.ClientFactory(organization=appointment.organization)

    with pytest.raises(IntegrityError, match="another client"), transaction.atomic():
        if path == "raw":
            run_sql(
                "UPDATE scheduling_appointment SET client_id = %s WHERE id = %s",
                [other_client.pk, appointment.pk],
            )
        elif path == "save":
            appointment.client = other_client
            appointment.save()
        else:
            Appointment.objects.filter(pk=appointment.pk).update(client=other_client)

    appointment.refresh_from_db()
    assert appointment.client_id == original_client.pk


def test_a_hidden_appointment_may_move_to_another_client_of_its_practice():
    appointment = factories.AppointmentFactory(visible_to_client=False)
    other_client = factories.ClientFactory(organization=appointment.organization)

    with transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(client=other_client)
        connection.check_constraints()

    appointment.refresh_from_db()
    assert appointment.client_id == other_client.pk


@pytest.mark.parametrize("visible", [True, False])
@pytest.mark.parametrize("path", ["raw", "update"])
def test_no_appointment_moves_to_another_organization(path, visible):
    appointment = factories.AppointmentFactory(visible_to_client=visible)
    elsewhere = factories.OrganizationFactory()

    with pytest.raises(IntegrityError, match="organization"), transaction.atomic():
        if path == "raw":
            run_sql(
                "UPDATE scheduling_appointment SET organization_id = %s WHERE id = %s",
                [elsewhere.pk, appointment.pk],
            )
        else:
            Appointment.objects.filter(pk=appointment.pk).update(organization=elsewhere)

    appointment.refresh_from_db()
    assert appointment.organization_id != elsewhere.pk


def test_a_hidden_appointment_cannot_move_to_another_practices_client():
    """The trigger lets hidden rows change client; the tenant key still holds."""
    appointment = factories.AppointmentFactory(visible_to_client=False)
    foreign_client = factories.ClientFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(client=foreign_client)
        connection.check_constraints()

    appointment.refresh_from_db()
    assert appointment.client.organization_id == appointment.organization_id


# Never deleted


@pytest.mark.parametrize("path", ["raw", "instance", "queryset"])
def test_an_appointment_is_never_deleted(path):
    appointment = factories.AppointmentFactory(visible_to_client=False)

    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
        if path == "raw":
            run_sql(
                "DELETE FROM scheduling_appointment WHERE id = %s", [appointment.pk]
            )
        elif path == "instance":
            appointment.delete()
        else:
            Appointment.objects.filter(pk=appointment.pk).delete()

    assert Appointment.objects.filter(pk=appointment.pk).exists()


def test_a_series_is_never_deleted(admin_staff, client_record):
    series = factories.weekly_series(admin_staff.user, client_record)

    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
        run_sql("DELETE FROM scheduling_appointmentseries WHERE id = %s", [series.pk])

    assert AppointmentSeries.objects.filter(pk=series.pk).exists()


# Series defaults


@pytest.mark.parametrize("path", ["raw", "update"])
def test_a_visible_series_cannot_turn_hidden(path, admin_staff, client_record):
    series = factories.weekly_series(
        admin_staff.user, client_record, visible_to_client=True
    )

    with pytest.raises(IntegrityError, match="never be hidden"), transaction.atomic():
        if path == "raw":
            run_sql(
                "UPDATE scheduling_appointmentseries SET visible_default = false "
                "WHERE id = %s",
                [series.pk],
            )
        else:
            AppointmentSeries.objects.filter(pk=series.pk).update(visible_default=False)

    series.refresh_from_db()
    assert series.visible_default is True


def test_a_series_cannot_move_to_another_client(admin_staff, client_record):
    series = factories.weekly_series(
        admin_staff.user, client_record, visible_to_client=False
    )
    other_client = factories.ClientFactory(organization=client_record.organization)

    with pytest.raises(IntegrityError, match="another client"), transaction.atomic():
        AppointmentSeries.objects.filter(pk=series.pk).update(client=other_client)

    series.refresh_from_db()
    assert series.client_id == client_record.pk


# Allow Hiding switched off


@pytest.mark.parametrize("path", ["raw", "orm"])
def test_no_hidden_appointment_is_inserted_when_hiding_is_off(path, client_record):
    switch_off_hiding(client_record.organization)

    with pytest.raises(IntegrityError, match="does not allow"), transaction.atomic():
        if path == "raw":
            insert_appointment(client_record, visible=False)
        else:
            factories.AppointmentFactory(client=client_record, visible_to_client=False)

    assert not Appointment.objects.filter(client=client_record).exists()


def test_a_visible_appointment_is_inserted_when_hiding_is_off(client_record):
    switch_off_hiding(client_record.organization)

    insert_appointment(client_record, visible=True)

    assert Appointment.objects.get(client=client_record).visible_to_client is True


def test_no_hidden_series_is_inserted_when_hiding_is_off(client_record):
    switch_off_hiding(client_record.organization)
    staff = factories.StaffFactory(organization=client_record.organization)
    service = factories.ServiceFactory(organization=client_record.organization)

    with pytest.raises(IntegrityError, match="does not allow"), transaction.atomic():
        AppointmentSeries.objects.create(
            organization=client_record.organization,
            client=client_record,
            provider=staff,
            service=service,
            location_kind="clinic",
            time_zone="America/New_York",
            first_date=dt.date(2026, 12, 7),
            local_start_time=dt.time(16, 0),
            duration_minutes=60,
            weekdays=[0],
            ends="never",
            visible_default=False,
        )

    assert not AppointmentSeries.objects.filter(client=client_record).exists()


@pytest.mark.parametrize("path", ["raw", "orm"])
def test_a_hidden_series_keeps_adding_hidden_occurrences_when_hiding_is_off(
    path, admin_staff, client_record
):
    series = factories.weekly_series(
        admin_staff.user, client_record, visible_to_client=False
    )
    switch_off_hiding(client_record.organization)

    if path == "raw":
        insert_appointment(client_record, visible=False, series=series)
    else:
        factories.AppointmentFactory(
            client=client_record,
            provider=series.provider,
            service=series.service,
            series=series,
            series_start=dt.datetime(2027, 1, 4, 21, tzinfo=dt.UTC),
            visible_to_client=False,
        )

    occurrences = Appointment.objects.filter(series=series)
    assert occurrences.count() == 5
    assert not occurrences.filter(visible_to_client=True).exists()


@pytest.mark.parametrize("path", ["raw", "orm"])
def test_a_visible_series_gets_no_hidden_occurrence(path, admin_staff, client_record):
    series = factories.weekly_series(
        admin_staff.user, client_record, visible_to_client=True
    )
    before = Appointment.objects.filter(series=series).count()

    with pytest.raises(IntegrityError, match="visible series"), transaction.atomic():
        if path == "raw":
            insert_appointment(client_record, visible=False, series=series)
        else:
            factories.AppointmentFactory(
                client=client_record,
                provider=series.provider,
                service=series.service,
                series=series,
                series_start=dt.datetime(2027, 1, 4, 21, tzinfo=dt.UTC),
                visible_to_client=False,
            )

    assert Appointment.objects.filter(series=series).count() == before


# Tenant keys


@pytest.mark.parametrize("foreign", ["client", "provider", "service"])
def test_an_appointment_cannot_point_into_another_practice(foreign, client_record):
    organization = client_record.organization
    elsewhere = factories.OrganizationFactory()
    parts = {
        "client": client_record,
        "provider": factories.StaffFactory(organization=organization),
        "service": factories.ServiceFactory(organization=organization),
    }
    parts[foreign] = {
        "client": lambda: factories.ClientFactory(organization=elsewhere),
        "provider": lambda: factories.StaffFactory(organization=elsewhere),
        "service": lambda: factories.ServiceFactory(organization=elsewhere),
    }[foreign]()

    # The composite keys are deferred, so the refusal comes at the check.
    with pytest.raises(IntegrityError, match="same_org"), transaction.atomic():
        factories.AppointmentFactory(organization=organization, **parts)
        connection.check_constraints()

    assert not Appointment.objects.filter(organization=organization).exists()


def test_a_raw_insert_into_another_practice_is_refused_immediately(client_record):
    elsewhere = factories.OrganizationFactory()

    with pytest.raises(IntegrityError, match="same_org"), transaction.atomic():
        run_sql("SET CONSTRAINTS ALL IMMEDIATE")
        insert_appointment(client_record, visible=True, organization=elsewhere)

    assert not Appointment.objects.filter(client=client_record).exists()


def test_portal_access_cannot_point_at_another_practices_client(guardian):
    foreign_client = factories.ClientFactory()

    with pytest.raises(IntegrityError, match="same_org"), transaction.atomic():
        PortalAccess.objects.create(
            organization=guardian.organization,
            user=guardian,
            client=foreign_client,
            relationship=PortalAccess.Relationship.PARENT,
        )
        connection.check_constraints()

    assert not PortalAccess.objects.filter(client=foreign_client).exists()


# Visibility history is append-only


@pytest.fixture
def visibility_change(admin_staff):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=admin_staff.organization),
        visible_to_client=False,
    )
    return services.unhide_one(actor=admin_staff.user, appointment=appointment)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE scheduling_visibilitychange SET appointment_count = 99",
        "DELETE FROM scheduling_visibilitychange",
        "UPDATE scheduling_visibilitychangeitem SET appointment_id = appointment_id",
        "DELETE FROM scheduling_visibilitychangeitem",
    ],
)
def test_visibility_history_refuses_raw_changes(sql, visibility_change):
    with pytest.raises(IntegrityError), transaction.atomic():
        run_sql(sql)

    visibility_change.refresh_from_db()
    assert visibility_change.appointment_count == 1
    assert VisibilityChangeItem.objects.filter(change=visibility_change).count() == 1


def test_visibility_history_refuses_orm_changes(visibility_change):
    with pytest.raises(IntegrityError), transaction.atomic():
        VisibilityChange.objects.filter(pk=visibility_change.pk).update(
            appointment_count=0
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        VisibilityChangeItem.objects.filter(change=visibility_change).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        visibility_change.changed_by = factories.UserFactory()
        visibility_change.save()

    visibility_change.refresh_from_db()
    assert visibility_change.appointment_count == 1
    assert VisibilityChangeItem.objects.filter(change=visibility_change).count() == 1


# Permission groups


@pytest.mark.parametrize("built_in", [BuiltIn.ADMINISTRATORS, BuiltIn.HIDDEN_CONTACTS])
@pytest.mark.parametrize("path", ["raw", "orm"])
def test_a_built_in_group_cannot_be_deleted(path, built_in, organization):
    group = built_in_group(organization, built_in)
    member = factories.StaffFactory(organization=organization)
    group.memberships.create(organization=organization, staff=member)

    with pytest.raises(IntegrityError, match="cannot be deleted"), transaction.atomic():
        if path == "raw":
            run_sql("DELETE FROM permissions_permissiongroup WHERE id = %s", [group.pk])
        else:
            group.delete()

    assert PermissionGroup.objects.filter(pk=group.pk).exists()
    assert group.memberships.filter(staff=member).exists()


def test_a_custom_group_can_be_deleted(organization):
    group = factories.PermissionGroupFactory(
        organization=organization, permissions=[Permission.HIDE_FROM_PORTAL]
    )

    group.delete()

    assert not PermissionGroup.objects.filter(pk=group.pk).exists()


@pytest.mark.parametrize("path", ["raw", "update", "save"])
def test_hidden_contacts_keeps_the_hide_permission(path, organization):
    group = built_in_group(organization, BuiltIn.HIDDEN_CONTACTS)

    with pytest.raises(IntegrityError), transaction.atomic():
        if path == "raw":
            run_sql(
                "UPDATE permissions_permissiongroup "
                "SET permissions = '{manage_scheduling}' WHERE id = %s",
                [group.pk],
            )
        elif path == "update":
            PermissionGroup.objects.filter(pk=group.pk).update(permissions=[])
        else:
            group.permissions = [Permission.READ_AUDIT_LOG]
            group.save()

    group.refresh_from_db()
    assert group.permissions == [Permission.HIDE_FROM_PORTAL]


def test_administrators_keep_every_permission(organization):
    group = built_in_group(organization, BuiltIn.ADMINISTRATORS)

    with pytest.raises(IntegrityError), transaction.atomic():
        PermissionGroup.objects.filter(pk=group.pk).update(
            permissions=[Permission.MANAGE_SCHEDULING]
        )

    group.refresh_from_db()
    assert Permission.MANAGE_PERMISSION_GROUPS in group.permissions


# Logins


def test_email_addresses_are_unique_without_regard_to_case(organization):
    User.objects.create_user("A@x.test", organization=organization)

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("a@x.test", organization=organization)
    # bulk_create skips save(), which lowercases: the database still refuses.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="A@X.TEST", organization=organization)])

    assert User.objects.filter(email__iexact="a@x.test").count() == 1


@pytest.mark.parametrize("link", ["staff", "portal_access"])
def test_a_login_cannot_serve_another_practice(organization, link):
    foreign_login = factories.UserFactory(organization=factories.OrganizationFactory())

    with pytest.raises(IntegrityError, match="same_org"), transaction.atomic():
        if link == "staff":
            factories.StaffFactory(organization=organization, user=foreign_login)
        else:
            factories.PortalAccessFactory(
                client=factories.ClientFactory(organization=organization),
                user=foreign_login,
            )
        connection.check_constraints()

    assert not foreign_login.portal_access.exists()
    assert not StaffMember.objects.filter(user=foreign_login).exists()


# Occurrences stay with the series, and the client, that made them


def test_a_hidden_row_cannot_borrow_another_clients_hidden_series(
    admin_staff, client_record
):
    series = factories.weekly_series(
        admin_staff.user,
        factories.ClientFactory(organization=client_record.organization),
        visible_to_client=False,
    )
    switch_off_hiding(client_record.organization)

    refused = pytest.raises(IntegrityError, match="client of its series")
    with refused, transaction.atomic():
        insert_appointment(client_record, visible=False, series=series)

    assert not Appointment.objects.filter(client=client_record).exists()


def test_an_appointment_cannot_be_moved_under_a_series(admin_staff, client_record):
    series = factories.weekly_series(
        admin_staff.user, client_record, visible_to_client=False
    )
    single = factories.AppointmentFactory(client=client_record, visible_to_client=False)

    refused = pytest.raises(IntegrityError, match="stays with the series")
    with refused, transaction.atomic():
        run_sql(
            "UPDATE scheduling_appointment SET series_id = %s, "
            "series_start = starts_at WHERE id = %s",
            [series.pk, single.pk],
        )

    single.refresh_from_db()
    assert single.series_id is None


def test_a_history_entry_names_only_its_own_practices_series(admin_staff):
    elsewhere = factories.OrganizationFactory()
    foreign_series = factories.weekly_series(
        factories.administrator(elsewhere).user,
        factories.ClientFactory(organization=elsewhere),
    )

    with pytest.raises(IntegrityError, match="same_org"), transaction.atomic():
        VisibilityChange.objects.create(
            organization=admin_staff.organization,
            action=VisibilityChange.Action.UNHIDE_FOLLOWING,
            changed_by=admin_staff.user,
            series=foreign_series,
            appointment_count=0,
        )

    assert not VisibilityChange.objects.exists()


# Every unhide leaves history; the check runs at commit, forced here


def check_at_commit() -> None:
    run_sql("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.parametrize("path", ["raw", "queryset"])
def test_an_unhide_without_history_is_refused_at_commit(path):
    appointment = factories.AppointmentFactory(visible_to_client=False)

    refused = pytest.raises(IntegrityError, match="without a history")
    with refused, transaction.atomic():
        if path == "raw":
            run_sql(
                "UPDATE scheduling_appointment SET visible_to_client = true "
                "WHERE id = %s",
                [appointment.pk],
            )
        else:
            Appointment.objects.filter(pk=appointment.pk).update(visible_to_client=True)
        check_at_commit()

    appointment.refresh_from_db()
    assert appointment.visible_to_client is False


def test_an_unhide_through_the_service_passes_the_commit_check(admin_staff):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=admin_staff.organization),
        visible_to_client=False,
    )

    with transaction.atomic():
        services.unhide_one(actor=admin_staff.user, appointment=appointment)
        check_at_commit()

    appointment.refresh_from_db()
    assert appointment.visible_to_client is True


def test_a_series_turned_visible_without_history_is_refused_at_commit(
    admin_staff, client_record
):
    series = factories.weekly_series(
        admin_staff.user, client_record, visible_to_client=False
    )

    refused = pytest.raises(IntegrityError, match="without a history")
    with refused, transaction.atomic():
        AppointmentSeries.objects.filter(pk=series.pk).update(visible_default=True)
        check_at_commit()

    series.refresh_from_db()
    assert series.visible_default is False
