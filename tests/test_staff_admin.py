"""The Django admin is for platform superusers and obeys the scheduling rules."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import User
from permissions.models import BuiltIn, PermissionGroup
from permissions.services import built_in_group
from scheduling.models import Appointment, SchedulingSettings, VisibilityChange
from tests import factories

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        email="platform@example.test", password=factories.PASSWORD
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _change_data(appointment, **changes):
    data = {
        "provider": appointment.provider_id,
        "service": appointment.service_id,
        "starts_at_0": "2027-07-01",
        "starts_at_1": "14:00:00",
        "ends_at_0": "2027-07-01",
        "ends_at_1": "15:00:00",
        "location_kind": "clinic",
        "location_detail": "Room 9",
        "telehealth_url": "",
        "internal_notes": "Changed in the admin",
    }
    data.update(changes)
    return data


def test_staff_without_superuser_cannot_open_the_admin(client, organization):
    staff = factories.administrator(organization)
    client.force_login(staff.user)

    response = client.get(reverse("admin:scheduling_appointment_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_appointments_cannot_be_added_or_deleted_in_the_admin(admin_client):
    appointment = factories.AppointmentFactory()

    add = admin_client.get(reverse("admin:scheduling_appointment_add"))
    delete = admin_client.post(
        reverse("admin:scheduling_appointment_delete", args=[appointment.pk]),
        {"post": "yes"},
    )

    assert add.status_code == 403
    assert delete.status_code == 403
    assert Appointment.objects.filter(pk=appointment.pk).exists()


@pytest.mark.parametrize("visible", [True, False])
def test_admin_edit_keeps_visibility_and_goes_through_the_service(
    admin_client, visible
):
    appointment = factories.AppointmentFactory(visible_to_client=visible)
    url = reverse("admin:scheduling_appointment_change", args=[appointment.pk])

    # A crafted field for visibility is ignored: it is read-only here.
    response = admin_client.post(
        url, _change_data(appointment, visible_to_client="" if visible else "on")
    )

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.visible_to_client is visible
    assert appointment.location_detail == "Room 9"
    # Typed in the practice's zone, as on the staff screens.
    assert appointment.starts_at == dt.datetime(2027, 7, 1, 14, 0, tzinfo=NEW_YORK)


def test_admin_edit_refused_by_the_service_shows_on_the_form(admin_client):
    appointment = factories.AppointmentFactory()
    url = reverse("admin:scheduling_appointment_change", args=[appointment.pk])

    response = admin_client.post(
        url, _change_data(appointment, location_kind="telehealth")
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["telehealth_url"] == ["A telehealth appointment needs its link."]
    # What the superuser typed is still there to correct.
    assert form["location_kind"].value() == "telehealth"
    appointment.refresh_from_db()
    assert appointment.location_kind == "clinic"


def test_admin_edit_offers_only_the_appointments_own_practice(
    admin_client, other_organization
):
    appointment = factories.AppointmentFactory()
    stranger = factories.StaffFactory(organization=other_organization)
    url = reverse("admin:scheduling_appointment_change", args=[appointment.pk])

    response = admin_client.post(url, _change_data(appointment, provider=stranger.pk))

    assert response.status_code == 200
    assert "provider" in response.context["adminform"].form.errors
    appointment.refresh_from_db()
    assert appointment.provider != stranger


def test_make_visible_action_records_who_did_it(
    admin_client, superuser, organization, other_organization
):
    ours = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization),
        visible_to_client=False,
    )
    theirs = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=other_organization),
        visible_to_client=False,
    )
    already = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization)
    )

    response = admin_client.post(
        reverse("admin:scheduling_appointment_changelist"),
        {
            "action": "make_visible",
            "_selected_action": [ours.pk, theirs.pk, already.pk],
        },
    )

    assert response.status_code == 302
    assert Appointment.objects.filter(visible_to_client=False).count() == 0
    changes = VisibilityChange.objects.order_by("organization_id")
    assert [c.organization for c in changes] == [organization, other_organization]
    assert all(c.changed_by == superuser for c in changes)
    assert all(c.action == VisibilityChange.Action.UNHIDE_SELECTED for c in changes)
    assert [list(c.appointments.all()) for c in changes] == [[ours], [theirs]]


def test_admin_settings_change_goes_through_the_service(
    admin_client, superuser, organization
):
    settings = SchedulingSettings.objects.get(organization=organization)
    url = reverse("admin:scheduling_schedulingsettings_change", args=[settings.pk])

    response = admin_client.post(url, {})

    assert response.status_code == 302
    settings.refresh_from_db()
    assert settings.allow_hiding is False
    assert settings.updated_by == superuser


def test_built_in_groups_cannot_be_deleted_in_the_admin(admin_client, organization):
    hidden_contacts = built_in_group(organization, BuiltIn.HIDDEN_CONTACTS)
    custom = factories.PermissionGroupFactory(organization=organization)

    refused = admin_client.post(
        reverse("admin:permissions_permissiongroup_delete", args=[hidden_contacts.pk]),
        {"post": "yes"},
    )
    allowed = admin_client.post(
        reverse("admin:permissions_permissiongroup_delete", args=[custom.pk]),
        {"post": "yes"},
    )

    assert refused.status_code == 403
    assert allowed.status_code == 302
    assert PermissionGroup.objects.filter(pk=hidden_contacts.pk).exists()
    assert not PermissionGroup.objects.filter(pk=custom.pk).exists()


def test_group_admin_refuses_a_member_of_another_organization(
    admin_client, organization, other_organization
):
    group = factories.PermissionGroupFactory(organization=organization)
    stranger = factories.StaffFactory(organization=other_organization)
    url = reverse("admin:permissions_permissiongroup_change", args=[group.pk])

    response = admin_client.post(
        url,
        {
            "name": group.name,
            "description": "",
            "permissions": ["manage_scheduling"],
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-staff": stranger.pk,
        },
    )

    assert response.status_code == 200
    assert not group.memberships.exists()
    group.refresh_from_db()
    assert group.permissions == []


def test_group_admin_adds_a_member_of_the_same_organization(admin_client, organization):
    group = factories.PermissionGroupFactory(organization=organization)
    staff = factories.StaffFactory(organization=organization)
    url = reverse("admin:permissions_permissiongroup_change", args=[group.pk])

    response = admin_client.post(
        url,
        {
            "name": group.name,
            "description": "",
            "permissions": ["manage_scheduling"],
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-staff": staff.pk,
        },
    )

    assert response.status_code == 302
    membership = group.memberships.get()
    assert membership.staff == staff
    assert membership.organization == organization
    group.refresh_from_db()
    assert group.permissions == ["manage_scheduling"]


def test_user_admin_creates_a_login_by_email(admin_client, organization):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Example.test",
            "organization": organization.pk,
            "usable_password": "true",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.test")
    assert user.organization == organization
    assert user.check_password(factories.PASSWORD)


@pytest.mark.parametrize(
    "name",
    [
        "admin:accounts_user_changelist",
        "admin:accounts_organization_changelist",
        "admin:accounts_staffmember_changelist",
        "admin:accounts_client_changelist",
        "admin:accounts_portalaccess_changelist",
        "admin:accounts_careteammember_changelist",
        "admin:permissions_permissiongroup_changelist",
        "admin:scheduling_appointment_changelist",
        "admin:scheduling_appointmentseries_changelist",
        "admin:scheduling_schedulingsettings_changelist",
        "admin:scheduling_service_changelist",
        "admin:scheduling_visibilitychange_changelist",
        "admin:accounts_user_add",
        "admin:permissions_permissiongroup_add",
    ],
)
def test_admin_pages_open(admin_client, organization, name):
    factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization)
    )

    response = admin_client.get(reverse(name))

    assert response.status_code == 200


def test_change_pages_open_with_visibility_read_only(admin_client, organization):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization),
        visible_to_client=False,
    )
    group = built_in_group(organization, BuiltIn.ADMINISTRATORS)

    page = admin_client.get(
        reverse("admin:scheduling_appointment_change", args=[appointment.pk])
    )
    group_page = admin_client.get(
        reverse("admin:permissions_permissiongroup_change", args=[group.pk])
    )
    user_page = admin_client.get(
        reverse("admin:accounts_user_change", args=[appointment.provider.user_id])
    )

    assert page.status_code == group_page.status_code == user_page.status_code == 200
    assert 'name="visible_to_client"' not in page.content.decode()
    assert 'name="starts_at_0"' in page.content.decode()
    assert "deletelink" not in group_page.content.decode()
