"""Appointment times and the visibility history in the Django admin."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import User
from scheduling import services
from scheduling.models import Appointment, LocationKind, VisibilityChange
from tests import factories


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        email="platform@example.test", password=factories.PASSWORD
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _appointment(organization, starts_at):
    return factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
    )


def test_the_list_shows_each_appointment_in_its_practices_zone(
    admin_client, organization
):
    west = factories.OrganizationFactory(time_zone="America/Los_Angeles")
    _appointment(organization, dt.datetime(2027, 7, 1, 18, 0, tzinfo=dt.UTC))
    _appointment(west, dt.datetime(2027, 7, 2, 18, 0, tzinfo=dt.UTC))

    response = admin_client.get(reverse("admin:scheduling_appointment_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        '<time datetime="2027-07-01T14:00:00-04:00">Thu 1 Jul 2027, 14:00 EDT' in page
    )
    assert (
        '<time datetime="2027-07-02T11:00:00-07:00">Fri 2 Jul 2027, 11:00 PDT' in page
    )


def test_the_change_page_reads_times_in_the_practices_zone(admin_client, organization):
    appointment = _appointment(
        organization, dt.datetime(2027, 1, 4, 20, 30, tzinfo=dt.UTC)
    )

    response = admin_client.get(
        reverse("admin:scheduling_appointment_change", args=[appointment.pk])
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="starts_at_1" value="15:30:00"' in page
    assert 'name="ends_at_1" value="16:30:00"' in page
    assert "In the practice's time zone, America/New_York." in page
    assert "Mon 4 Jan 2027, 15:30 EST" in page


def test_a_time_the_clocks_skip_is_a_form_error(admin_client, organization):
    starts_at = dt.datetime(2027, 3, 10, 15, 0, tzinfo=dt.UTC)
    appointment = _appointment(organization, starts_at)

    # 02:30 does not happen in New York on 14 March 2027.
    response = admin_client.post(
        reverse("admin:scheduling_appointment_change", args=[appointment.pk]),
        {
            "provider": appointment.provider_id,
            "service": appointment.service_id,
            "starts_at_0": "2027-03-14",
            "starts_at_1": "02:30:00",
            "ends_at_0": "2027-03-14",
            "ends_at_1": "04:00:00",
            "location_kind": LocationKind.CLINIC,
            "location_detail": "Room 9",
            "telehealth_url": "",
            "internal_notes": "",
        },
    )

    assert response.status_code == 200
    assert "starts_at" in response.context["adminform"].form.errors
    appointment.refresh_from_db()
    assert appointment.starts_at == starts_at
    assert appointment.location_detail == "Room 2"


@pytest.fixture
def large_change(superuser, organization):
    """One bulk unhide of 300 appointments, as the service records it."""
    record = factories.ClientFactory(organization=organization)
    provider = factories.StaffFactory(organization=organization)
    service = factories.ServiceFactory(organization=organization)
    first = dt.datetime(2027, 1, 4, 15, 0, tzinfo=dt.UTC)
    appointments = Appointment.objects.bulk_create(
        Appointment(
            organization=organization,
            client=record,
            provider=provider,
            service=service,
            location_kind=LocationKind.CLINIC,
            starts_at=first + dt.timedelta(days=day),
            ends_at=first + dt.timedelta(days=day, hours=1),
            visible_to_client=False,
        )
        for day in range(300)
    )
    return services.unhide_appointments(
        actor=superuser,
        organization=organization,
        appointment_ids=[a.pk for a in appointments],
        action=VisibilityChange.Action.UNHIDE_SELECTED,
    )


def test_a_large_visibility_change_opens_in_a_few_queries(
    admin_client, large_change, django_assert_max_num_queries
):
    url = reverse("admin:scheduling_visibilitychange_change", args=[large_change.pk])

    with django_assert_max_num_queries(10):
        response = admin_client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "300 appointments" in page
    assert f"?visibility_changes__id__exact={large_change.pk}" in page


def test_the_link_lists_the_changes_appointments(
    admin_client, organization, large_change
):
    _appointment(organization, dt.datetime(2027, 1, 4, 18, 0, tzinfo=dt.UTC))

    response = admin_client.get(
        reverse("admin:scheduling_appointment_changelist"),
        {"visibility_changes__id__exact": large_change.pk},
    )

    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count == 300
    assert changelist.full_result_count == 301
