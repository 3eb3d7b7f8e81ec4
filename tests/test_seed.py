"""The demo-data command and the nightly series command."""

import datetime as dt
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Client, Organization, PortalAccess, StaffMember, User
from permissions.models import BuiltIn, Permission, PermissionGroup
from permissions.services import hidden_staff
from portal import policy
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    LocationKind,
    SchedulingSettings,
    Status,
    VisibilityChange,
)
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "portal-demo-2026"


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count() for model in apps.get_models()
    }


def test_seed_builds_the_demo_practices():
    output = seed()

    bright = Organization.objects.get(slug="bright-steps")
    harbor = Organization.objects.get(slug="harbor-speech")
    assert bright.display_name == "Bright Steps Therapy"
    assert bright.time_zone == "America/New_York"
    assert sorted(bright.modules) == ["billing", "messages"]
    assert harbor.time_zone == "America/Chicago"
    assert Client.objects.filter(organization=bright).count() == 30
    assert StaffMember.objects.filter(organization=bright).count() == 10
    assert SchedulingSettings.objects.get(organization=harbor).allow_hiding is False

    # Every login signs in with the printed password and a verified address.
    assert PASSWORD in output
    for user in User.objects.all():
        assert user.email in output
        assert user.check_password(PASSWORD)
        assert EmailAddress.objects.filter(
            user=user, email=user.email, verified=True, primary=True
        ).exists()

    scheduler = StaffMember.objects.get(user__email="scheduler@brightsteps.example")
    schedulers = PermissionGroup.objects.get(organization=bright, name="Schedulers")
    assert set(schedulers.permissions) == {
        Permission.MANAGE_SCHEDULING,
        Permission.UNHIDE_APPOINTMENTS,
    }
    assert schedulers.memberships.filter(staff=scheduler).exists()
    admins = PermissionGroup.objects.get(
        organization=bright, built_in=BuiltIn.ADMINISTRATORS
    )
    assert admins.memberships.filter(
        staff__user__email="admin@brightsteps.example"
    ).exists()


def test_seed_gives_the_portal_logins_their_families():
    seed()

    def clients_of(email: str) -> set[str]:
        return {
            grant.client.full_name
            for grant in PortalAccess.objects.active().filter(user__email=email)
        }

    assert clients_of("guardian.two@brightsteps.example") == {
        "Leo Alvarez",
        "Mia Alvarez",
    }
    assert clients_of("coparent.one@brightsteps.example") == {"Noah Chen"}
    assert clients_of("coparent.two@brightsteps.example") == {"Noah Chen"}
    assert clients_of("guardian@harborspeech.example") == {"Isla Moreno"}
    guardian = User.objects.get(email="guardian.two@brightsteps.example")
    assert len(policy.client_scopes(guardian)) == 2


def test_seed_billing_coordinator_is_hidden_but_provides_visible_sessions():
    seed()

    bright = Organization.objects.get(slug="bright-steps")
    coordinator = StaffMember.objects.get(user__email="billing@brightsteps.example")
    assert coordinator in hidden_staff(bright.pk)
    assert coordinator.care_teams.count() >= 3
    visible = Appointment.objects.filter(provider=coordinator, visible_to_client=True)
    assert visible.exists()

    parent = User.objects.get(email="parent.billing@brightsteps.example")
    (scope,) = policy.client_scopes(parent)
    shown = policy.upcoming_appointments(scope) + policy.past_appointments(scope)
    consultations = [a for a in shown if a.service == "Billing consultation"]
    assert consultations
    assert {a.provider_name for a in consultations} == {"Bright Steps Therapy"}
    assert coordinator.last_name not in repr((shown, policy.care_team(scope)))


def test_seed_schedules_six_weeks_each_way_with_hidden_and_unhidden_sessions():
    seed()

    bright = Organization.objects.get(slug="bright-steps")
    appointments = Appointment.objects.filter(organization=bright)
    now = timezone.now()
    assert appointments.filter(starts_at__lt=now - dt.timedelta(weeks=5)).exists()
    assert appointments.filter(starts_at__gt=now + dt.timedelta(weeks=5)).exists()
    assert not appointments.filter(starts_at__gt=now + dt.timedelta(weeks=7)).exists()
    assert appointments.filter(status=Status.CANCELLED).exists()
    assert appointments.filter(
        location_kind=LocationKind.TELEHEALTH, telehealth_url__startswith="https://"
    ).exists()
    assert appointments.filter(visible_to_client=False).exists()

    actions = set(
        VisibilityChange.objects.filter(organization=bright).values_list(
            "action", flat=True
        )
    )
    assert actions == {
        VisibilityChange.Action.UNHIDE_ONE,
        VisibilityChange.Action.UNHIDE_FOLLOWING,
    }
    following = VisibilityChange.objects.get(
        action=VisibilityChange.Action.UNHIDE_FOLLOWING
    )
    series = AppointmentSeries.objects.get(pk=following.series_id)
    assert series.visible_default is True
    assert series.occurrences.filter(visible_to_client=False).exists()
    assert series.occurrences.filter(visible_to_client=True).exists()

    # Every series keeps one local start time, across any clock change.
    for series in AppointmentSeries.objects.filter(organization=bright):
        zone = bright.zone
        local_times = {
            start.astimezone(zone).time()
            for start in series.occurrences.values_list("starts_at", flat=True)
        }
        assert local_times == {series.local_start_time}


def test_seed_twice_adds_nothing():
    seed()
    before = row_counts()
    states = set(Appointment.objects.values_list("pk", "status", "visible_to_client"))

    output = seed()

    assert row_counts() == before
    assert (
        set(Appointment.objects.values_list("pk", "status", "visible_to_client"))
        == states
    )
    assert PASSWORD in output


def test_seed_keeps_practices_apart():
    seed()

    harbor_guardian = User.objects.get(email="guardian@harborspeech.example")
    (scope,) = policy.client_scopes(harbor_guardian)
    shown = policy.upcoming_appointments(scope) + policy.past_appointments(scope)

    assert shown
    assert {a.service for a in shown} <= {"Speech therapy", "Occupational therapy"}
    assert scope.organization_name == "Harbor Speech & OT"
    names = {m.name for m in policy.care_team(scope)}
    assert names == {"Rachel Adeyemi", "Ben Sorensen"}


def test_extend_series_reports_what_it_created(admin_staff, client_record, monkeypatch):
    series = factories.weekly_series(
        admin_staff.user,
        client_record,
        first_date=timezone.now().date(),
        ends=AppointmentSeries.Ends.NEVER,
        occurrence_count=None,
    )
    before = series.occurrences.count()
    later = timezone.now() + dt.timedelta(weeks=2)
    monkeypatch.setattr(timezone, "now", lambda: later)

    out = StringIO()
    call_command("extend_series", stdout=out)

    assert series.occurrences.count() == before + 2
    assert out.getvalue().strip() == "Created 2 occurrences."


def test_extend_series_refuses_an_unknown_organization():
    with pytest.raises(CommandError):
        call_command("extend_series", organization="nowhere", stdout=StringIO())
