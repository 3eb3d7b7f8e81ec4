"""The portal's visibility policy, called directly: what a client may see."""

import dataclasses
import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from accounts.models import CareTeamMember, PortalAccess
from permissions.models import BuiltIn, Permission
from permissions.services import add_member, built_in_group, remove_member
from portal import policy
from scheduling.models import LocationKind, Status
from tests import factories

pytestmark = pytest.mark.django_db

# Names that appear nowhere else, so finding them in a value means a leak.
HIDDEN_FIRST, HIDDEN_LAST = "Zebulon", "Quackenbush"


@pytest.fixture
def scope(guardian, client_record):
    return policy.client_scope(guardian, client_record.public_id)


@pytest.fixture
def provider(organization):
    return factories.StaffFactory(
        organization=organization, first_name="Elena", last_name="Torres"
    )


@pytest.fixture
def hidden_provider(organization, client_record):
    staff = factories.StaffFactory(
        organization=organization,
        first_name=HIDDEN_FIRST,
        last_name=HIDDEN_LAST,
        title="Billing coordinator",
        work_email="zq@example.test",
    )
    factories.CareTeamFactory(
        client=client_record,
        staff=staff,
        role=CareTeamMember.Role.BILLING_COORDINATOR,
    )
    return factories.hide_from_clients(staff)


def appointment_at(client, hours_from_now: float, **fields):
    starts_at = timezone.now() + dt.timedelta(hours=hours_from_now)
    return factories.AppointmentFactory(
        client=client,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        **fields,
    )


# Which clients a login may view


def test_client_scopes_follow_active_grants_only(guardian, organization):
    granted = PortalAccess.objects.get(user=guardian).client
    second = factories.PortalAccessFactory(
        user=guardian,
        client=factories.ClientFactory(organization=organization, first_name="Aaron"),
    ).client
    revoked = factories.PortalAccessFactory(
        user=guardian,
        client=factories.ClientFactory(organization=organization),
        revoked_at=timezone.now(),
    ).client
    inactive = factories.PortalAccessFactory(
        user=guardian,
        client=factories.ClientFactory(organization=organization, is_active=False),
    ).client

    scopes = policy.client_scopes(guardian)

    assert [s.client_id for s in scopes] == [second.pk, granted.pk]
    shown = {s.client_id for s in scopes}
    assert not shown & {revoked.pk, inactive.pk}


def test_a_scope_describes_the_client_and_practice(guardian, client_record):
    organization = client_record.organization
    organization.modules = ["messages"]
    organization.time_zone = "America/Chicago"
    organization.save()

    scope = policy.client_scope(guardian, client_record.public_id)

    assert scope.full_name == client_record.full_name
    assert scope.organization_name == organization.display_name
    assert scope.time_zone == "America/Chicago"
    assert scope.has_module("messages")
    assert not scope.has_module("billing")
    assert scope.relationship == "Parent"


def test_an_anonymous_visitor_has_no_scopes():
    assert policy.client_scopes(AnonymousUser()) == []


def test_another_guardians_client_is_a_404(guardian, organization):
    someone_elses = factories.PortalAccessFactory(
        client=factories.ClientFactory(organization=organization)
    ).client

    with pytest.raises(Http404):
        policy.client_scope(guardian, someone_elses.public_id)
    with pytest.raises(Http404):
        policy.client_scope(guardian, uuid.uuid4())


def test_a_revoked_grant_is_a_404(guardian, client_record):
    PortalAccess.objects.filter(user=guardian).update(revoked_at=timezone.now())

    with pytest.raises(Http404):
        policy.client_scope(guardian, client_record.public_id)


# Appointments


def test_upcoming_and_past_are_split_and_ordered(scope, client_record):
    long_ago = appointment_at(client_record, -72)
    yesterday = appointment_at(client_record, -24)
    in_progress = appointment_at(client_record, -0.5)
    tomorrow = appointment_at(client_record, 24)
    later = appointment_at(client_record, 72)

    upcoming = policy.upcoming_appointments(scope)
    past = policy.past_appointments(scope)

    assert [a.public_id for a in upcoming] == [
        in_progress.public_id,
        tomorrow.public_id,
        later.public_id,
    ]
    assert [a.public_id for a in past] == [yesterday.public_id, long_ago.public_id]
    assert [a.public_id for a in policy.upcoming_appointments(scope, limit=1)] == [
        in_progress.public_id
    ]


def test_times_are_in_the_practices_zone(guardian, client_record):
    client_record.organization.time_zone = "America/Chicago"
    client_record.organization.save()
    scope = policy.client_scope(guardian, client_record.public_id)
    appointment = appointment_at(client_record, 24)

    (view,) = policy.upcoming_appointments(scope)

    assert view.starts_at == appointment.starts_at
    assert str(view.starts_at.tzinfo) == "America/Chicago"


def test_hidden_and_other_clients_appointments_are_left_out(
    scope, client_record, organization
):
    visible = appointment_at(client_record, 24)
    appointment_at(client_record, 48, visible_to_client=False)
    appointment_at(client_record, -48, visible_to_client=False)
    appointment_at(factories.ClientFactory(organization=organization), 24)
    appointment_at(factories.ClientFactory(), 24)

    upcoming = policy.upcoming_appointments(scope)
    past = policy.past_appointments(scope)
    between = policy.appointments_between(
        scope, timezone.now() - dt.timedelta(days=7), timezone.now() + dt.timedelta(7)
    )

    assert [a.public_id for a in upcoming] == [visible.public_id]
    assert past == []
    assert [a.public_id for a in between] == [visible.public_id]


def test_cancelled_appointments_show_as_cancelled_but_are_not_next(
    scope, client_record
):
    cancelled = appointment_at(client_record, 24, status=Status.CANCELLED)
    going_ahead = appointment_at(client_record, 48)

    upcoming = policy.upcoming_appointments(scope)
    next_one = policy.next_appointment(scope)

    assert [(a.public_id, a.is_cancelled) for a in upcoming] == [
        (cancelled.public_id, True),
        (going_ahead.public_id, False),
    ]
    assert next_one is not None
    assert next_one.public_id == going_ahead.public_id


def test_appointments_between_is_half_open(scope, client_record):
    start = timezone.now() + dt.timedelta(days=1)
    at_start = appointment_at(client_record, 24)
    at_start.starts_at, at_start.ends_at = start, start + dt.timedelta(hours=1)
    at_start.save()
    at_end = appointment_at(client_record, 48)
    at_end.starts_at, at_end.ends_at = (
        start + dt.timedelta(days=1),
        start + dt.timedelta(days=1, hours=1),
    )
    at_end.save()

    views = policy.appointments_between(scope, start, start + dt.timedelta(days=1))

    assert [v.public_id for v in views] == [at_start.public_id]


def test_a_hidden_provider_is_shown_as_the_practice(
    scope, client_record, hidden_provider, organization
):
    appointment = appointment_at(client_record, 24, provider=hidden_provider)
    appointment_at(client_record, -24, provider=hidden_provider)

    upcoming = policy.upcoming_appointments(scope)
    past = policy.past_appointments(scope)
    single = policy.appointment(scope, appointment.public_id)
    next_one = policy.next_appointment(scope)
    team = policy.care_team(scope)

    assert single.provider_name == organization.display_name
    assert [a.provider_name for a in upcoming + past] == [organization.display_name] * 2
    everything = repr((scope, upcoming, past, single, next_one, team))
    for fragment in (HIDDEN_FIRST, HIDDEN_LAST, "zq@example.test", "ZQ"):
        assert fragment not in everything
    assert str(hidden_provider.pk) not in {
        str(getattr(v, f.name)) for v in upcoming for f in dataclasses.fields(v)
    }


def test_a_visible_provider_is_named(scope, client_record, provider):
    appointment_at(client_record, 24, provider=provider)

    (view,) = policy.upcoming_appointments(scope)

    assert view.provider_name == "Elena Torres"


def test_no_internal_notes_reach_the_portal(scope, client_record):
    appointment_at(client_record, 24, internal_notes="Check insurance authorization")

    views = policy.upcoming_appointments(scope)

    field_names = {f.name for f in dataclasses.fields(policy.AppointmentView)}
    assert "internal_notes" not in field_names
    assert "insurance authorization" not in repr(views)


def test_one_appointment_is_found_only_when_visible_and_this_clients(
    scope, client_record, organization
):
    visible = appointment_at(client_record, 24, location_kind=LocationKind.HOME)
    hidden = appointment_at(client_record, 24, visible_to_client=False)
    sibling = appointment_at(factories.ClientFactory(organization=organization), 24)
    foreign = appointment_at(factories.ClientFactory(), 24)

    view = policy.appointment(scope, visible.public_id)

    assert view.location_label == "Home"
    for public_id in (hidden.public_id, sibling.public_id, foreign.public_id):
        with pytest.raises(Http404):
            policy.appointment(scope, public_id)
    with pytest.raises(Http404):
        policy.appointment(scope, uuid.uuid4())


def test_listing_uses_a_constant_number_of_queries(
    scope, client_record, provider, hidden_provider, django_assert_max_num_queries
):
    for hours in range(1, 41):
        appointment_at(
            client_record,
            hours * 24,
            provider=hidden_provider if hours % 4 == 0 else provider,
            service=factories.ServiceFactory(
                organization=client_record.organization, name=f"Service {hours % 5}"
            ),
        )

    with django_assert_max_num_queries(2):
        upcoming = policy.upcoming_appointments(scope)

    assert len(upcoming) == 40


# Care team and contacts


def test_care_team_leaves_out_hidden_and_inactive_staff(
    scope, client_record, provider, hidden_provider, organization
):
    factories.CareTeamFactory(
        client=client_record, staff=provider, role=CareTeamMember.Role.BCBA
    )
    factories.CareTeamFactory(
        client=client_record,
        staff=provider,
        role=CareTeamMember.Role.CASE_MANAGER,
    )
    inactive = factories.StaffFactory(organization=organization, is_active=False)
    factories.CareTeamFactory(client=client_record, staff=inactive)
    # Someone on another client's team only.
    factories.CareTeamFactory(client=factories.ClientFactory(organization=organization))

    team = policy.care_team(scope)

    assert len(team) == 1
    (member,) = team
    assert member.name == "Elena Torres"
    assert set(member.roles) == {"BCBA", "Case manager"}
    assert HIDDEN_LAST not in repr(team)
    assert inactive.last_name not in repr(team)


def test_leaving_hidden_contacts_makes_a_member_visible_again(
    scope, client_record, hidden_provider, organization
):
    appointment_at(client_record, 24, provider=hidden_provider)
    assert policy.care_team(scope) == []

    remove_member(
        built_in_group(organization, BuiltIn.HIDDEN_CONTACTS), hidden_provider
    )

    assert [m.name for m in policy.care_team(scope)] == [hidden_provider.full_name]
    (view,) = policy.upcoming_appointments(scope)
    assert view.provider_name == hidden_provider.full_name
    assert policy.contact_is_visible(scope, hidden_provider.pk)


def test_a_custom_hiding_group_hides_until_it_is_deleted(
    scope, client_record, provider, organization
):
    factories.CareTeamFactory(client=client_record, staff=provider)
    group = factories.PermissionGroupFactory(
        organization=organization,
        name="Front office",
        permissions=[Permission.HIDE_FROM_PORTAL, Permission.MANAGE_CLIENTS],
    )
    add_member(group, provider)

    assert policy.care_team(scope) == []
    assert not policy.contact_is_visible(scope, provider.pk)

    group.delete()

    assert [m.name for m in policy.care_team(scope)] == ["Elena Torres"]
    assert policy.contact_is_visible(scope, provider.pk)


def test_a_group_without_the_hide_permission_hides_nobody(
    scope, client_record, provider, organization
):
    factories.CareTeamFactory(client=client_record, staff=provider)
    add_member(
        factories.PermissionGroupFactory(
            organization=organization, permissions=[Permission.MANAGE_SCHEDULING]
        ),
        provider,
    )

    assert [m.name for m in policy.care_team(scope)] == ["Elena Torres"]


def test_contact_is_visible_only_for_visible_active_team_members(
    scope, client_record, provider, hidden_provider, organization
):
    factories.CareTeamFactory(client=client_record, staff=provider)
    inactive = factories.StaffFactory(organization=organization, is_active=False)
    factories.CareTeamFactory(client=client_record, staff=inactive)
    not_on_team = factories.StaffFactory(organization=organization)
    foreign = factories.CareTeamFactory().staff

    assert policy.contact_is_visible(scope, provider.pk)
    assert not policy.contact_is_visible(scope, hidden_provider.pk)
    assert not policy.contact_is_visible(scope, inactive.pk)
    assert not policy.contact_is_visible(scope, not_on_team.pk)
    assert not policy.contact_is_visible(scope, foreign.pk)
