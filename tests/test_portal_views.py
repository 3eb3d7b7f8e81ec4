import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import CareTeamMember, Module
from scheduling.models import LocationKind, Status
from tests import factories

NOTES = "Internal: discuss billing authorization"


@pytest.fixture
def signed_in(client, guardian):
    client.force_login(guardian)
    return client


@pytest.fixture
def service(organization):
    return factories.ServiceFactory(organization=organization, name="Speech therapy")


@pytest.fixture
def hidden_provider(organization, client_record):
    staff = factories.StaffFactory(
        organization=organization,
        first_name="Zebulon",
        last_name="Quiddle",
        work_email="zebulon.quiddle@example.test",
        work_phone="555 0199",
    )
    factories.CareTeamFactory(client=client_record, staff=staff)
    return factories.hide_from_clients(staff)


@pytest.fixture
def visible_provider(organization, client_record):
    staff = factories.StaffFactory(
        organization=organization,
        first_name="Marisol",
        last_name="Okafor",
        work_email="marisol.okafor@example.test",
        work_phone="555 0123",
    )
    factories.CareTeamFactory(
        client=client_record, staff=staff, role=CareTeamMember.Role.BCBA
    )
    return staff


def without_csrf_token(body: str) -> str:
    """The page with its CSRF tokens blanked: they are masked anew per page."""
    body = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', body)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def url(name, scope_client, *args):
    return reverse(f"portal:{name}", args=[scope_client.public_id, *args])


def portal_pages(client_record, appointment):
    """Every portal page that could show an appointment or a contact."""
    local = timezone.localtime(appointment.starts_at, client_record.organization.zone)
    return [
        url("client_home", client_record),
        url("schedule", client_record),
        url("schedule_month", client_record, local.year, local.month),
        url("appointment_detail", client_record, appointment.public_id),
        url("team", client_record),
    ]


def test_anonymous_visitor_is_sent_to_sign_in(client, client_record):
    response = client.get(url("schedule", client_record))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_single_client_goes_straight_to_their_home(signed_in, client_record):
    response = signed_in.get(reverse("portal:home"))

    assert response.status_code == 302
    assert response.url == url("client_home", client_record)


def test_login_without_clients_sees_no_client_page(client, plain_staff):
    client.force_login(plain_staff.user)

    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    assert "portal/no_client.html" in [t.name for t in response.templates]
    assert "No client is linked to your login yet." in response.content.decode()


def test_guardian_sees_visible_appointments_and_not_hidden_ones(
    signed_in, client_record, service, organization
):
    visible = factories.AppointmentFactory(client=client_record, service=service)
    hidden_service = factories.ServiceFactory(
        organization=organization, name="Parent training"
    )
    hidden = factories.AppointmentFactory(
        client=client_record, service=hidden_service, visible_to_client=False
    )

    response = signed_in.get(url("schedule", client_record))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Speech therapy" in body
    assert str(visible.public_id) in body
    assert "Parent training" not in body
    assert str(hidden.public_id) not in body


def test_schedule_lists_upcoming_and_past_in_the_practice_time_zone(
    signed_in, client_record, service
):
    now = timezone.now()
    upcoming = factories.AppointmentFactory(
        client=client_record,
        service=service,
        starts_at=now + dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=3, hours=1),
    )
    past = factories.AppointmentFactory(
        client=client_record,
        service=service,
        starts_at=now - dt.timedelta(days=3),
        ends_at=now - dt.timedelta(days=3) + dt.timedelta(hours=1),
        status=Status.COMPLETED,
    )

    response = signed_in.get(url("schedule", client_record))

    assert response.status_code == 200
    assert [a.public_id for a in response.context["upcoming"]] == [upcoming.public_id]
    assert [a.public_id for a in response.context["past"]] == [past.public_id]
    zone = client_record.organization.zone
    local_start = upcoming.starts_at.astimezone(zone).isoformat()
    assert f'<time datetime="{local_start}">' in response.content.decode()


def test_cancelled_appointment_is_marked_cancelled(signed_in, client_record, service):
    cancelled = factories.AppointmentFactory(
        client=client_record, service=service, status=Status.CANCELLED
    )

    schedule = signed_in.get(url("schedule", client_record))
    detail = signed_in.get(
        url("appointment_detail", client_record, cancelled.public_id)
    )

    assert schedule.status_code == 200
    assert detail.status_code == 200
    assert 'class="cancelled"' in schedule.content.decode()
    assert '<span class="badge badge-cancelled">Cancelled</span>' in (
        schedule.content.decode()
    )
    assert "This appointment is cancelled." in detail.content.decode()


def test_scheduled_appointment_is_not_marked_cancelled(
    signed_in, client_record, service
):
    factories.AppointmentFactory(client=client_record, service=service)

    response = signed_in.get(url("schedule", client_record))

    assert response.status_code == 200
    assert "badge-cancelled" not in response.content.decode()
    assert "Scheduled" in response.content.decode()


def test_telehealth_appointment_links_only_to_web_addresses(
    signed_in, client_record, service
):
    good = factories.AppointmentFactory(
        client=client_record,
        service=service,
        location_kind=LocationKind.TELEHEALTH,
        location_detail="",
        telehealth_url="https://video.example.test/room-7",
    )
    bad = factories.AppointmentFactory(
        client=client_record,
        service=service,
        location_kind=LocationKind.TELEHEALTH,
        location_detail="",
        telehealth_url="javascript:alert(1)",
    )

    good_page = signed_in.get(url("appointment_detail", client_record, good.public_id))
    bad_page = signed_in.get(url("appointment_detail", client_record, bad.public_id))

    assert good_page.status_code == 200
    assert bad_page.status_code == 200
    assert 'href="https://video.example.test/room-7"' in good_page.content.decode()
    assert "javascript:" not in bad_page.content.decode()


def test_unreachable_appointments_all_get_the_same_404(
    signed_in, client_record, organization
):
    own = factories.AppointmentFactory(client=client_record)
    hidden = factories.AppointmentFactory(client=client_record, visible_to_client=False)
    another_client = factories.ClientFactory(organization=organization)
    someone_elses = factories.AppointmentFactory(client=another_client)

    own_page = signed_in.get(url("appointment_detail", client_record, own.public_id))
    responses = [
        signed_in.get(url("appointment_detail", client_record, public_id))
        for public_id in (hidden.public_id, someone_elses.public_id, uuid.uuid4())
    ]

    assert own_page.status_code == 200
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert len({without_csrf_token(r.content.decode()) for r in responses}) == 1


def test_guardian_of_two_children_chooses_and_opens_each(client, organization):
    first = factories.PortalAccessFactory(
        client=factories.ClientFactory(organization=organization, first_name="Ada")
    )
    guardian = first.user
    second = factories.PortalAccessFactory(
        user=guardian,
        client=factories.ClientFactory(organization=organization, first_name="Ben"),
    )
    strangers_child = factories.PortalAccessFactory(
        client=factories.ClientFactory(organization=organization, first_name="Cy")
    ).client
    client.force_login(guardian)

    chooser = client.get(reverse("portal:home"))
    homes = [client.get(url("client_home", g.client)) for g in (first, second)]
    stranger = client.get(url("client_home", strangers_child))
    stranger_schedule = client.get(url("schedule", strangers_child))

    assert chooser.status_code == 200
    assert "portal/client_choose.html" in [t.name for t in chooser.templates]
    for grant in (first, second):
        assert url("client_home", grant.client) in chooser.content.decode()
    assert url("client_home", strangers_child) not in chooser.content.decode()
    assert [h.status_code for h in homes] == [200, 200]
    assert homes[1].context["scope"].public_id == second.client.public_id
    assert "Switch client" in homes[0].content.decode()
    assert stranger.status_code == 404
    assert stranger_schedule.status_code == 404


def test_single_client_has_no_switcher(signed_in, client_record):
    response = signed_in.get(url("client_home", client_record))

    assert response.status_code == 200
    assert "Switch client" not in response.content.decode()


def test_other_organization_client_is_404(signed_in, other_organization):
    outsider = factories.ClientFactory(organization=other_organization)

    response = signed_in.get(url("client_home", outsider))

    assert response.status_code == 404


def test_revoked_access_gives_404(signed_in, guardian_access, client_record):
    appointment = factories.AppointmentFactory(client=client_record)
    guardian_access.revoked_at = timezone.now()
    guardian_access.save()

    statuses = [
        signed_in.get(page).status_code
        for page in portal_pages(client_record, appointment)
    ]
    home = signed_in.get(reverse("portal:home"))

    assert statuses == [404] * 5
    assert home.status_code == 200
    assert "portal/no_client.html" in [t.name for t in home.templates]


def test_hidden_provider_is_never_named_in_any_portal_page(
    signed_in, client_record, organization, hidden_provider, visible_provider
):
    appointment = factories.AppointmentFactory(
        client=client_record, provider=hidden_provider
    )

    responses = [
        signed_in.get(page) for page in portal_pages(client_record, appointment)
    ]

    assert [r.status_code for r in responses] == [200] * 5
    for response in responses:
        body = response.content.decode()
        assert "Zebulon" not in body
        assert "Quiddle" not in body
        assert "zebulon.quiddle@example.test" not in body
        assert "555 0199" not in body
    detail = responses[3].content.decode()
    assert f"<dd>{organization.display_name}</dd>" in detail
    schedule = responses[1].content.decode()
    assert f'<td data-label="Provider">{organization.display_name}</td>' in schedule


def test_visible_provider_is_named_on_their_appointments(
    signed_in, client_record, visible_provider
):
    appointment = factories.AppointmentFactory(
        client=client_record, provider=visible_provider
    )

    response = signed_in.get(
        url("appointment_detail", client_record, appointment.public_id)
    )

    assert response.status_code == 200
    assert "<dd>Marisol Okafor</dd>" in response.content.decode()


def test_internal_notes_never_appear(signed_in, client_record):
    appointment = factories.AppointmentFactory(
        client=client_record, internal_notes=NOTES
    )

    responses = [
        signed_in.get(page) for page in portal_pages(client_record, appointment)
    ]

    assert [r.status_code for r in responses] == [200] * 5
    for response in responses:
        assert "discuss billing authorization" not in response.content.decode()


def test_team_page_lists_visible_members_only(
    signed_in, client_record, hidden_provider, visible_provider
):
    response = signed_in.get(url("team", client_record))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Marisol Okafor" in body
    assert "BCBA" in body
    assert 'href="mailto:marisol.okafor@example.test"' in body
    assert 'href="tel:5550123"' in body
    assert "Quiddle" not in body
    assert [member.name for member in response.context["team"]] == ["Marisol Okafor"]


def test_home_shows_next_appointment_and_team(
    signed_in, client_record, service, visible_provider
):
    appointment = factories.AppointmentFactory(
        client=client_record, service=service, provider=visible_provider
    )

    response = signed_in.get(url("client_home", client_record))

    assert response.status_code == 200
    assert response.context["next_appointment"].public_id == appointment.public_id
    body = response.content.decode()
    assert url("appointment_detail", client_record, appointment.public_id) in body
    assert "Marisol Okafor" in body


@pytest.mark.parametrize(
    "subscribed", [[], [Module.BILLING], [Module.MESSAGES, Module.CLINICAL]]
)
def test_modules_appear_only_when_subscribed(
    signed_in, organization, client_record, subscribed
):
    organization.modules = [str(m) for m in subscribed]
    organization.save()

    home = signed_in.get(url("client_home", client_record))
    module_pages = {m: signed_in.get(url(m.value, client_record)) for m in Module}

    assert home.status_code == 200
    for module, page in module_pages.items():
        link = url(module.value, client_record)
        if module in subscribed:
            assert f'href="{link}"' in home.content.decode()
            assert page.status_code == 200
        else:
            assert link not in home.content.decode()
            assert page.status_code == 404


def test_active_section_is_marked_in_the_nav(signed_in, client_record):
    response = signed_in.get(url("team", client_record))

    assert response.status_code == 200
    team_link = url("team", client_record)
    assert f'<a href="{team_link}" aria-current="page">' in response.content.decode()
    assert response.content.decode().count('aria-current="page"') == 1


def test_month_view_places_appointments_on_local_days(
    signed_in, client_record, service
):
    # 03:30 UTC on 10 March is still 9 March in New York (EDT, UTC-4).
    starts_at = dt.datetime(2026, 3, 10, 3, 30, tzinfo=dt.UTC)
    appointment = factories.AppointmentFactory(
        client=client_record,
        service=service,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
    )
    april = factories.AppointmentFactory(
        client=client_record,
        service=service,
        starts_at=dt.datetime(2026, 4, 2, 15, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 4, 2, 16, tzinfo=dt.UTC),
    )

    response = signed_in.get(url("schedule_month", client_record, 2026, 3))

    assert response.status_code == 200
    days = {
        day.date: [a.public_id for a in day.appointments]
        for week in response.context["weeks"]
        for day in week
        if day.appointments
    }
    # 2 April sits on a greyed day at the end of March's grid.
    assert days == {
        dt.date(2026, 3, 9): [appointment.public_id],
        dt.date(2026, 4, 2): [april.public_id],
    }
    body = response.content.decode()
    assert '<time datetime="2026-03-09T23:30:00-04:00">' in body
    assert url("schedule_month", client_record, 2026, 2) in body
    assert url("schedule_month", client_record, 2026, 4) in body


def test_month_view_links_across_the_year(signed_in, client_record):
    response = signed_in.get(url("schedule_month", client_record, 2026, 1))

    assert response.status_code == 200
    assert url("schedule_month", client_record, 2025, 12) in response.content.decode()


@pytest.mark.parametrize(("year", "month"), [(2026, 0), (2026, 13), (1800, 5)])
def test_month_view_rejects_impossible_months(signed_in, client_record, year, month):
    response = signed_in.get(url("schedule_month", client_record, year, month))

    assert response.status_code == 404


def test_schedule_query_count_does_not_grow_with_appointments(
    signed_in, client_record, hidden_provider, django_assert_max_num_queries
):
    now = timezone.now()

    def add(days: int) -> None:
        factories.AppointmentFactory(
            client=client_record,
            starts_at=now + dt.timedelta(days=days),
            ends_at=now + dt.timedelta(days=days, hours=1),
        )

    add(1)
    add(-1)
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get(url("schedule", client_record)).status_code == 200
    for days in range(2, 22):
        add(days)
        add(-days)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = signed_in.get(url("schedule", client_record))

    assert response.status_code == 200
    assert len(response.context["upcoming"]) + len(response.context["past"]) == 42


def test_the_past_list_stops_at_the_most_recent_fifty(signed_in, client_record):
    now = timezone.now()
    for weeks in range(1, 56):
        factories.AppointmentFactory(
            client=client_record,
            starts_at=now - dt.timedelta(weeks=weeks),
            ends_at=now - dt.timedelta(weeks=weeks) + dt.timedelta(hours=1),
        )

    response = signed_in.get(url("schedule", client_record))

    assert response.status_code == 200
    past = response.context["past"]
    assert len(past) == 50
    assert past[0].starts_at > past[-1].starts_at
    assert "These are the 50 most recent." in response.content.decode()
    assert "Earlier appointments are in the month view." in response.content.decode()


def test_a_short_past_list_has_no_note_about_earlier_ones(signed_in, client_record):
    now = timezone.now()
    factories.AppointmentFactory(
        client=client_record,
        starts_at=now - dt.timedelta(days=2),
        ends_at=now - dt.timedelta(days=2) + dt.timedelta(hours=1),
    )

    response = signed_in.get(url("schedule", client_record))

    assert len(response.context["past"]) == 1
    assert "most recent" not in response.content.decode()


def telehealth(client_record, service, *, starts_in, status=Status.SCHEDULED):
    starts_at = timezone.now() + starts_in
    return factories.AppointmentFactory(
        client=client_record,
        service=service,
        location_kind=LocationKind.TELEHEALTH,
        location_detail="",
        telehealth_url="https://video.example.test/room-7",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        status=status,
    )


@pytest.mark.parametrize(
    ("starts_in", "status", "offered"),
    [
        (dt.timedelta(days=2), Status.SCHEDULED, True),
        # Under way: it started half an hour ago and ends in half an hour.
        (dt.timedelta(minutes=-30), Status.SCHEDULED, True),
        (dt.timedelta(days=2), Status.CANCELLED, False),
        (dt.timedelta(days=-2), Status.COMPLETED, False),
        (dt.timedelta(days=-2), Status.SCHEDULED, False),
    ],
)
def test_video_link_only_for_scheduled_sessions_not_yet_over(
    signed_in, client_record, service, starts_in, status, offered
):
    appointment = telehealth(client_record, service, starts_in=starts_in, status=status)

    detail = signed_in.get(
        url("appointment_detail", client_record, appointment.public_id)
    )
    schedule = signed_in.get(url("schedule", client_record))

    assert detail.status_code == schedule.status_code == 200
    for page in (detail, schedule):
        body = page.content.decode()
        assert ("Join the video session" in body) is offered
        assert ('href="https://video.example.test/room-7"' in body) is offered
        assert "Telehealth" in body


def test_home_puts_the_comma_right_after_the_date(signed_in, client_record, service):
    appointment = factories.AppointmentFactory(
        client=client_record,
        service=service,
        starts_at=dt.datetime(2099, 12, 8, 13, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2099, 12, 8, 14, 30, tzinfo=dt.UTC),
    )

    response = signed_in.get(url("client_home", client_record))

    assert response.status_code == 200
    assert response.context["next_appointment"].public_id == appointment.public_id
    body = response.content.decode()
    assert "Tuesday, Dec. 8, 2099</time>, <time" in body
    assert re.search(r"</time>\s+,", body) is None


# 01:30 happens twice in New York on 1 November 2026: first in daylight time
# (05:30 UTC), then an hour later in standard time (06:30 UTC).
REPEATED_HOUR = [
    (dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC), "EDT"),
    (dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC), "EST"),
]


def test_every_time_names_its_zone_even_in_the_repeated_hour(
    signed_in, client_record, service
):
    appointments = [
        factories.AppointmentFactory(
            client=client_record,
            service=service,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=20),
        )
        for starts_at, _ in REPEATED_HOUR
    ]
    zone = '<abbr class="zone" title="America/New_York">'

    pages = [
        signed_in.get(url("schedule", client_record)),
        signed_in.get(url("schedule_month", client_record, 2026, 11)),
        *(
            signed_in.get(url("appointment_detail", client_record, a.public_id))
            for a in appointments
        ),
    ]

    assert [page.status_code for page in pages] == [200] * 4
    for page in pages:
        assert f"{zone}</abbr>" not in page.content.decode()
    # The list and detail pages name the zone after the end of each range, the
    # month view after each start.
    schedule, month, *details = (page.content.decode() for page in pages)
    for _, name in REPEATED_HOUR:
        assert f"1:50 a.m.</time> {zone}{name}</abbr>" in schedule
        assert f"1:30 a.m.</time> {zone}{name}</abbr>" in month
    for body, (_, name) in zip(details, REPEATED_HOUR, strict=True):
        assert f"1:50 a.m.</time> {zone}{name}</abbr>" in body


def test_a_session_across_the_clock_change_names_both_zones(
    signed_in, client_record, service
):
    starts_at = dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)
    appointment = factories.AppointmentFactory(
        client=client_record,
        service=service,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
    )

    response = signed_in.get(
        url("appointment_detail", client_record, appointment.public_id)
    )

    assert response.status_code == 200
    zone = '<abbr class="zone" title="America/New_York">'
    assert (
        f"1:30 a.m.</time> {zone}EDT</abbr>–"
        f'<time datetime="2026-11-01T01:30:00-05:00">1:30 a.m.</time> {zone}EST</abbr>'
    ) in response.content.decode()


def test_the_month_grid_shows_sessions_on_its_greyed_days(signed_in, client_record):
    zone = client_record.organization.zone
    # December 2026's grid ends on Saturday 2 January 2027.
    next_year = dt.datetime(2027, 1, 2, 10, 0, tzinfo=zone)
    factories.AppointmentFactory(
        client=client_record,
        starts_at=next_year,
        ends_at=next_year + dt.timedelta(hours=1),
    )

    response = signed_in.get(url("schedule_month", client_record, 2026, 12))

    assert response.status_code == 200
    last_day = response.context["weeks"][-1][-1]
    assert last_day.date == dt.date(2027, 1, 2)
    assert not last_day.in_month
    assert len(last_day.appointments) == 1
    assert response.context["has_appointments"] is False
