"""The scheduling services: who may write, and what a write does to visibility."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import Organization
from permissions.models import (
    ADMINISTRATOR_PERMISSIONS,
    BuiltIn,
    Permission,
    PermissionGroup,
)
from permissions.services import built_in_group
from scheduling import services
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

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def actor(admin_staff):
    return admin_staff.user


@pytest.fixture
def travel(monkeypatch):
    """Move the services' clock; the horizon of open series follows it."""

    def to(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return to


def appointment_values(client, **overrides):
    starts_at = dt.datetime(2026, 12, 7, 16, 0, tzinfo=NEW_YORK)
    return {
        "client": client,
        "provider": factories.StaffFactory(organization=client.organization),
        "service": factories.ServiceFactory(organization=client.organization),
        "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(hours=1),
        "location_kind": LocationKind.CLINIC,
        "visible_to_client": True,
        **overrides,
    }


def local_starts(series: AppointmentSeries) -> list[dt.datetime]:
    return [
        start.astimezone(NEW_YORK)
        for start in series.occurrences.order_by("starts_at").values_list(
            "starts_at", flat=True
        )
    ]


def switch_off_hiding(organization) -> None:
    SchedulingSettings.objects.filter(organization=organization).update(
        allow_hiding=False
    )


# Who may create


def test_staff_without_manage_scheduling_cannot_create(plain_staff, client_record):
    with pytest.raises(PermissionDenied):
        services.create_appointment(
            actor=plain_staff.user, **appointment_values(client_record)
        )
    with pytest.raises(PermissionDenied):
        factories.weekly_series(plain_staff.user, client_record)

    assert not Appointment.objects.exists()
    assert not AppointmentSeries.objects.exists()


def test_another_practices_administrator_cannot_create(
    other_organization, client_record
):
    outsider = factories.administrator(other_organization).user

    with pytest.raises(PermissionDenied):
        services.create_appointment(actor=outsider, **appointment_values(client_record))
    with pytest.raises(PermissionDenied):
        factories.weekly_series(outsider, client_record)

    assert not Appointment.objects.exists()
    assert not AppointmentSeries.objects.exists()


def test_a_scheduler_creates_an_appointment(scheduler_staff, client_record):
    appointment = services.create_appointment(
        actor=scheduler_staff.user, **appointment_values(client_record)
    )

    appointment.refresh_from_db()
    assert appointment.organization == client_record.organization
    assert appointment.created_by == scheduler_staff.user
    assert appointment.visible_to_client is True


def test_a_provider_of_another_practice_is_refused(actor, client_record):
    outsider = factories.StaffFactory()

    with pytest.raises(ValidationError):
        services.create_appointment(
            actor=actor, **appointment_values(client_record, provider=outsider)
        )

    assert not Appointment.objects.exists()


def test_a_telehealth_appointment_needs_its_link(actor, client_record):
    values = appointment_values(client_record, location_kind=LocationKind.TELEHEALTH)

    with pytest.raises(ValidationError) as refused:
        services.create_appointment(actor=actor, **values)

    assert "telehealth_url" in refused.value.message_dict
    assert not Appointment.objects.exists()


# Allow Hiding switched off


def test_no_hidden_appointment_when_hiding_is_off(actor, client_record):
    switch_off_hiding(client_record.organization)

    with pytest.raises(ValidationError) as refused:
        services.create_appointment(
            actor=actor,
            **appointment_values(client_record, visible_to_client=False),
        )

    assert "visible_to_client" in refused.value.message_dict
    assert not Appointment.objects.exists()


def test_no_hidden_series_when_hiding_is_off(actor, client_record):
    switch_off_hiding(client_record.organization)

    with pytest.raises(ValidationError) as refused:
        factories.weekly_series(actor, client_record, visible_to_client=False)

    assert "visible_to_client" in refused.value.message_dict
    assert not AppointmentSeries.objects.exists()
    assert not Appointment.objects.exists()


def test_visible_series_are_still_created_when_hiding_is_off(actor, client_record):
    switch_off_hiding(client_record.organization)

    series = factories.weekly_series(actor, client_record)

    assert series.occurrences.filter(visible_to_client=True).count() == 4


def test_a_hidden_series_follows_its_default_after_hiding_is_switched_off(
    actor, client_record
):
    series = factories.weekly_series(
        actor, client_record, visible_to_client=False, occurrence_count=2
    )
    switch_off_hiding(client_record.organization)
    AppointmentSeries.objects.filter(pk=series.pk).update(occurrence_count=4)

    created = services.materialize_series(series)

    assert created == 2
    assert not series.occurrences.filter(visible_to_client=True).exists()


# Weekly rules


@pytest.mark.parametrize(
    ("first_date", "end_date", "change_day", "utc_hour_before", "utc_hour_after"),
    [
        # Daylight saving ends on 1 November 2026: EDT (-4) becomes EST (-5).
        (dt.date(2026, 10, 19), dt.date(2026, 11, 12), dt.date(2026, 11, 1), 20, 21),
        # It starts on 8 March 2026: EST (-5) becomes EDT (-4).
        (dt.date(2026, 2, 23), dt.date(2026, 3, 19), dt.date(2026, 3, 8), 21, 20),
    ],
    ids=["november", "march"],
)
def test_a_weekly_series_keeps_its_local_time_across_daylight_saving(
    actor,
    client_record,
    first_date,
    end_date,
    change_day,
    utc_hour_before,
    utc_hour_after,
):
    series = factories.weekly_series(
        actor,
        client_record,
        first_date=first_date,
        weekdays=[0, 3],
        ends=AppointmentSeries.Ends.ON_DATE,
        end_date=end_date,
        occurrence_count=None,
    )

    starts = local_starts(series)
    assert len(starts) == 8
    assert {(s.hour, s.minute) for s in starts} == {(16, 0)}
    assert {s.weekday() for s in starts} == {0, 3}
    before = [s for s in starts if s.date() < change_day]
    after = [s for s in starts if s.date() > change_day]
    assert before and after
    assert {s.astimezone(dt.UTC).hour for s in before} == {utc_hour_before}
    assert {s.astimezone(dt.UTC).hour for s in after} == {utc_hour_after}


def test_an_evening_series_stays_on_its_local_weekdays(actor, client_record):
    """20:30 in New York is the next day in UTC; the weekday is the local one."""
    series = factories.weekly_series(
        actor,
        client_record,
        first_date=dt.date(2026, 10, 26),
        local_start_time=dt.time(20, 30),
        weekdays=[0, 3],
        occurrence_count=4,
    )

    starts = local_starts(series)
    assert [s.date() for s in starts] == [
        dt.date(2026, 10, 26),
        dt.date(2026, 10, 29),
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 5),
    ]
    assert {(s.hour, s.minute) for s in starts} == {(20, 30)}


def test_every_other_week(actor, client_record):
    series = factories.weekly_series(
        actor,
        client_record,
        first_date=dt.date(2026, 10, 5),
        interval_weeks=2,
        ends=AppointmentSeries.Ends.ON_DATE,
        end_date=dt.date(2026, 11, 16),
        occurrence_count=None,
    )

    assert [s.date() for s in local_starts(series)] == [
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 19),
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 16),
    ]


def test_ends_after_a_number_of_sessions(actor, client_record):
    series = factories.weekly_series(
        actor,
        client_record,
        first_date=dt.date(2026, 10, 5),
        weekdays=[0, 3],
        occurrence_count=5,
    )

    assert [s.date() for s in local_starts(series)] == [
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 15),
        dt.date(2026, 10, 19),
    ]


@pytest.mark.parametrize(
    ("end_date", "last"),
    [
        (dt.date(2026, 10, 15), dt.date(2026, 10, 15)),
        (dt.date(2026, 10, 14), dt.date(2026, 10, 12)),
    ],
    ids=["on-a-session-day", "between-sessions"],
)
def test_ends_on_a_date_inclusive(actor, client_record, end_date, last):
    series = factories.weekly_series(
        actor,
        client_record,
        first_date=dt.date(2026, 10, 5),
        weekdays=[0, 3],
        ends=AppointmentSeries.Ends.ON_DATE,
        end_date=end_date,
        occurrence_count=None,
    )

    starts = local_starts(series)
    assert starts[-1].date() == last
    assert all(s.date() <= end_date for s in starts)


def test_a_first_date_off_the_weekdays_is_not_a_session(actor, client_record):
    series = factories.weekly_series(
        actor, client_record, first_date=dt.date(2026, 10, 6), weekdays=[0]
    )

    assert local_starts(series)[0].date() == dt.date(2026, 10, 12)


def never_ending(actor, client, **overrides) -> AppointmentSeries:
    return factories.weekly_series(
        actor,
        client,
        first_date=timezone.now().astimezone(NEW_YORK).date(),
        ends=AppointmentSeries.Ends.NEVER,
        occurrence_count=None,
        **overrides,
    )


def test_a_never_ending_series_is_materialized_to_the_horizon(actor, client_record):
    today = timezone.now().astimezone(NEW_YORK).date()
    horizon = today + dt.timedelta(days=settings.SCHEDULING_HORIZON_DAYS)

    series = never_ending(actor, client_record)

    series.refresh_from_db()
    starts = local_starts(series)
    assert series.materialized_through == horizon
    assert horizon - dt.timedelta(days=7) < starts[-1].date() <= horizon
    assert len(starts) == len({s.date() for s in starts})
    # The horizon is half a year: it crosses a daylight saving change.
    assert {(s.hour, s.minute) for s in starts} == {(16, 0)}


@pytest.mark.parametrize("visible", [True, False])
def test_extending_adds_later_occurrences_with_the_series_default(
    actor, client_record, travel, visible
):
    series = never_ending(actor, client_record, visible_to_client=visible)
    before = series.occurrences.count()

    travel(timezone.now() + dt.timedelta(weeks=3))
    created = services.extend_open_series()

    assert created == 3
    assert series.occurrences.count() == before + 3
    assert set(series.occurrences.values_list("visible_to_client", flat=True)) == {
        visible
    }


def test_materializing_again_creates_nothing(actor, client_record):
    series = never_ending(actor, client_record)
    count = series.occurrences.count()

    assert services.materialize_series(series) == 0
    assert services.extend_open_series() == 0
    assert series.occurrences.count() == count


def test_extending_one_practice_leaves_the_others(
    actor, client_record, other_organization, travel
):
    ours = never_ending(actor, client_record)
    elsewhere_client = factories.ClientFactory(organization=other_organization)
    theirs = never_ending(
        factories.administrator(other_organization).user, elsewhere_client
    )
    counts = (ours.occurrences.count(), theirs.occurrences.count())

    travel(timezone.now() + dt.timedelta(weeks=1))
    services.extend_open_series(client_record.organization)

    assert ours.occurrences.count() == counts[0] + 1
    assert theirs.occurrences.count() == counts[1]


@pytest.mark.parametrize("ends", ["after_count", "on_date"])
def test_a_finite_series_longer_than_the_horizon_gets_every_session(
    actor, client_record, travel, ends
):
    """Thirty weekly sessions outrun a 26-week horizon; the rest must follow."""
    today = timezone.now().astimezone(NEW_YORK).date()
    end_date = today + dt.timedelta(weeks=29)
    series = factories.weekly_series(
        actor,
        client_record,
        first_date=today,
        weekdays=[today.weekday()],
        ends=ends,
        occurrence_count=30 if ends == "after_count" else None,
        end_date=end_date if ends == "on_date" else None,
    )

    travel(timezone.now() + dt.timedelta(weeks=10))
    services.extend_open_series()

    assert series.occurrences.count() == 30


# Unhiding


def hidden_series(actor, client, count: int = 4) -> AppointmentSeries:
    return factories.weekly_series(
        actor, client, visible_to_client=False, occurrence_count=count
    )


def occurrences(series: AppointmentSeries) -> list[Appointment]:
    return list(series.occurrences.order_by("series_start"))


def test_unhide_one_leaves_the_series_default_hidden(actor, client_record):
    series = hidden_series(actor, client_record)
    first, second, *_ = occurrences(series)

    change = services.unhide_one(actor=actor, appointment=second)

    series.refresh_from_db()
    assert series.visible_default is False
    visible = set(series.occurrences.filter(visible_to_client=True))
    assert visible == {second}
    assert change is not None
    assert change.action == VisibilityChange.Action.UNHIDE_ONE
    assert change.changed_by == actor
    assert change.series is None
    assert change.appointment_count == 1
    assert list(change.appointments.all()) == [second]

    # Occurrences the series adds later still follow its hidden default.
    AppointmentSeries.objects.filter(pk=series.pk).update(occurrence_count=6)
    assert services.materialize_series(series) == 2
    assert series.occurrences.filter(visible_to_client=True).count() == 1


def test_unhide_this_and_following_switches_the_series_for_good(actor, client_record):
    series = hidden_series(actor, client_record, count=5)
    first, second, third, fourth, fifth = occurrences(series)

    change = services.unhide_this_and_following(actor=actor, appointment=third)

    series.refresh_from_db()
    assert series.visible_default is True
    assert set(series.occurrences.filter(visible_to_client=True)) == {
        third,
        fourth,
        fifth,
    }
    assert set(series.occurrences.filter(visible_to_client=False)) == {first, second}
    assert change is not None
    assert change.action == VisibilityChange.Action.UNHIDE_FOLLOWING
    assert change.series == series
    assert change.changed_by == actor
    assert change.appointment_count == 3
    assert set(change.appointments.all()) == {third, fourth, fifth}

    AppointmentSeries.objects.filter(pk=series.pk).update(occurrence_count=7)
    assert services.materialize_series(series) == 2
    later = series.occurrences.order_by("series_start")[5:]
    assert [a.visible_to_client for a in later] == [True, True]
    assert VisibilityChange.objects.count() == 1


def test_unhiding_a_selection_records_one_change_for_the_hidden_ones(
    actor, client_record
):
    hidden = factories.AppointmentFactory.create_batch(
        3, client=client_record, visible_to_client=False
    )
    already_visible = factories.AppointmentFactory(client=client_record)

    change = services.unhide_appointments(
        actor=actor,
        organization=client_record.organization,
        appointment_ids=[a.pk for a in [*hidden, already_visible]],
        action=VisibilityChange.Action.UNHIDE_SELECTED,
    )

    assert change is not None
    assert change.appointment_count == 3
    assert set(change.appointments.all()) == set(hidden)
    assert not Appointment.objects.filter(visible_to_client=False).exists()
    assert VisibilityChange.objects.count() == 1


def test_unhiding_a_visible_appointment_records_nothing(actor, client_record):
    appointment = factories.AppointmentFactory(client=client_record)

    change = services.unhide_one(actor=actor, appointment=appointment)

    assert change is None
    assert not VisibilityChange.objects.exists()


def test_unhiding_the_rest_of_a_visible_series_records_nothing(actor, client_record):
    series = factories.weekly_series(actor, client_record, visible_to_client=True)

    change = services.unhide_this_and_following(
        actor=actor, appointment=occurrences(series)[1]
    )

    assert change is None
    assert not VisibilityChange.objects.exists()


def test_unhiding_the_rest_after_each_was_unhidden_still_records_the_switch(
    actor, client_record
):
    """The rows are visible already, but the series default does change."""
    series = hidden_series(actor, client_record, count=2)
    for appointment in occurrences(series):
        services.unhide_one(actor=actor, appointment=appointment)

    change = services.unhide_this_and_following(
        actor=actor, appointment=occurrences(series)[0]
    )

    series.refresh_from_db()
    assert series.visible_default is True
    assert change is not None
    assert change.series == series
    assert change.appointment_count == 0


def test_unhiding_needs_the_permission(plain_staff, client_record):
    appointment = factories.AppointmentFactory(
        client=client_record, visible_to_client=False
    )

    with pytest.raises(PermissionDenied):
        services.unhide_one(actor=plain_staff.user, appointment=appointment)

    appointment.refresh_from_db()
    assert appointment.visible_to_client is False
    assert not VisibilityChange.objects.exists()


def test_another_practice_cannot_unhide(actor, client_record, other_organization):
    outsider = factories.administrator(other_organization).user
    appointment = factories.AppointmentFactory(
        client=client_record, visible_to_client=False
    )

    with pytest.raises(PermissionDenied):
        services.unhide_one(actor=outsider, appointment=appointment)
    change = services.unhide_appointments(
        actor=outsider,
        organization=other_organization,
        appointment_ids=[appointment.pk],
        action=VisibilityChange.Action.UNHIDE_SELECTED,
    )

    assert change is None
    appointment.refresh_from_db()
    assert appointment.visible_to_client is False
    assert not VisibilityChange.objects.exists()


# Editing and cancelling


@pytest.mark.parametrize("visible", [True, False])
def test_editing_keeps_visibility(actor, client_record, visible):
    appointment = factories.AppointmentFactory(
        client=client_record, visible_to_client=visible
    )
    new_provider = factories.StaffFactory(organization=client_record.organization)
    starts_at = appointment.starts_at + dt.timedelta(days=1)

    services.update_appointment(
        actor=actor,
        appointment=appointment,
        provider=new_provider,
        service=appointment.service,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=90),
        location_kind=LocationKind.HOME,
        location_detail="Family home",
    )

    appointment.refresh_from_db()
    assert appointment.visible_to_client is visible
    assert appointment.provider == new_provider
    assert appointment.starts_at == starts_at
    assert appointment.location_kind == LocationKind.HOME


@pytest.mark.parametrize("visible", [True, False])
def test_cancelling_keeps_the_row_and_its_visibility(actor, client_record, visible):
    appointment = factories.AppointmentFactory(
        client=client_record, visible_to_client=visible
    )

    services.cancel_appointment(actor=actor, appointment=appointment)

    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert appointment.visible_to_client is visible
    assert Appointment.objects.filter(client=client_record).count() == 1
    with pytest.raises(ValidationError):
        services.cancel_appointment(actor=actor, appointment=appointment)


def test_cancelling_needs_manage_scheduling(plain_staff, client_record):
    appointment = factories.AppointmentFactory(client=client_record)

    with pytest.raises(PermissionDenied):
        services.cancel_appointment(actor=plain_staff.user, appointment=appointment)

    appointment.refresh_from_db()
    assert appointment.status == Status.SCHEDULED


# Settings and new organizations


def test_allow_hiding_needs_the_settings_permission(scheduler_staff, organization):
    with pytest.raises(PermissionDenied):
        services.set_allow_hiding(
            actor=scheduler_staff.user, organization=organization, allow=False
        )

    assert services.hiding_allowed(organization) is True


def test_allow_hiding_is_changed_by_a_settings_manager(organization):
    manager = factories.staff_with(organization, Permission.CHANGE_SCHEDULING_SETTINGS)

    services.set_allow_hiding(
        actor=manager.user, organization=organization, allow=False
    )

    settings_row = SchedulingSettings.objects.get(organization=organization)
    assert settings_row.allow_hiding is False
    assert settings_row.updated_by == manager.user


def test_a_new_organization_has_settings_and_built_in_groups():
    organization = factories.OrganizationFactory()

    assert SchedulingSettings.objects.get(organization=organization).allow_hiding
    groups = {
        group.built_in: group
        for group in PermissionGroup.objects.filter(organization=organization)
    }
    assert set(groups) == {BuiltIn.ADMINISTRATORS, BuiltIn.HIDDEN_CONTACTS}
    assert sorted(groups[BuiltIn.ADMINISTRATORS].permissions) == sorted(
        ADMINISTRATOR_PERMISSIONS
    )
    assert groups[BuiltIn.HIDDEN_CONTACTS].permissions == [Permission.HIDE_FROM_PORTAL]


# Sessions on the nights the clocks change


@pytest.mark.parametrize(
    ("first_date", "start", "change_day", "local_on_change_day"),
    [
        # 02:30 does not exist on 14 March 2027: the session starts at 03:30.
        (dt.date(2027, 3, 7), dt.time(2, 30), dt.date(2027, 3, 14), (3, 30)),
        # 01:00 happens twice on 1 November 2026: the first, daylight one counts.
        (dt.date(2026, 10, 25), dt.time(1, 0), dt.date(2026, 11, 1), (1, 0)),
    ],
    ids=["skipped-hour", "repeated-hour"],
)
def test_a_session_on_a_clock_change_night_lasts_its_full_length(
    actor, client_record, first_date, start, change_day, local_on_change_day
):
    series = factories.weekly_series(
        actor,
        client_record,
        first_date=first_date,
        local_start_time=start,
        duration_minutes=60,
        weekdays=[6],
        occurrence_count=3,
    )

    sessions = list(series.occurrences.order_by("starts_at"))
    assert len(sessions) == 3
    assert {s.ends_at - s.starts_at for s in sessions} == {dt.timedelta(hours=1)}
    on_change_day = next(
        s.starts_at.astimezone(NEW_YORK)
        for s in sessions
        if s.starts_at.astimezone(NEW_YORK).date() == change_day
    )
    assert (on_change_day.hour, on_change_day.minute) == local_on_change_day


def test_extending_a_series_through_a_skipped_hour_does_not_fail(
    actor, client_record, settings
):
    series = factories.weekly_series(
        actor,
        client_record,
        first_date=dt.date(2027, 2, 28),
        local_start_time=dt.time(2, 30),
        weekdays=[6],
        ends=AppointmentSeries.Ends.NEVER,
        occurrence_count=None,
    )
    settings.SCHEDULING_HORIZON_DAYS = 500

    created = services.extend_open_series()

    assert created > 0
    assert all(
        s.ends_at - s.starts_at == dt.timedelta(hours=1)
        for s in series.occurrences.all()
    )


# Dates that can only be typing mistakes


@pytest.mark.parametrize(
    "starts_at",
    [
        dt.datetime(1, 1, 1, 10, tzinfo=dt.UTC),
        dt.datetime(1999, 12, 31, 10, tzinfo=NEW_YORK),
        dt.datetime(9999, 12, 30, 10, tzinfo=dt.UTC),
    ],
    ids=["year-one", "last-century", "year-9999"],
)
def test_an_appointment_far_outside_the_practice_years_is_refused(
    actor, client_record, starts_at
):
    values = appointment_values(
        client_record, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=1)
    )

    with pytest.raises(ValidationError, match="Choose a date between"):
        services.create_appointment(actor=actor, **values)

    assert not Appointment.objects.filter(client=client_record).exists()


def test_a_series_ending_decades_ahead_is_refused(actor, client_record):
    with pytest.raises(ValidationError, match="Choose a date between"):
        factories.weekly_series(
            actor,
            client_record,
            ends=AppointmentSeries.Ends.ON_DATE,
            end_date=dt.date(2090, 1, 1),
            occurrence_count=None,
        )

    assert not AppointmentSeries.objects.filter(client=client_record).exists()


def test_a_cancelled_appointment_cannot_be_edited(actor, client_record):
    appointment = services.create_appointment(
        actor=actor, **appointment_values(client_record)
    )
    services.cancel_appointment(actor=actor, appointment=appointment)
    later = appointment.starts_at + dt.timedelta(days=1)

    with pytest.raises(ValidationError, match="cancelled appointment"):
        services.update_appointment(
            actor=actor,
            appointment=appointment,
            provider=appointment.provider,
            service=appointment.service,
            starts_at=later,
            ends_at=later + dt.timedelta(hours=1),
            location_kind=appointment.location_kind,
        )

    appointment.refresh_from_db()
    assert appointment.starts_at != later


def test_one_series_the_database_refuses_does_not_stop_the_others(
    actor, client_record, monkeypatch, settings
):
    broken, healthy = (
        factories.weekly_series(
            actor,
            client_record,
            ends=AppointmentSeries.Ends.NEVER,
            occurrence_count=None,
        )
        for _ in range(2)
    )
    settings.SCHEDULING_HORIZON_DAYS += 28
    materialize = services.materialize_series

    def refuse_broken(series, **kwargs):
        if series.pk == broken.pk:
            raise IntegrityError("refused")
        return materialize(series, **kwargs)

    monkeypatch.setattr(services, "materialize_series", refuse_broken)
    before = healthy.occurrences.count()

    created = services.extend_open_series()

    assert created == healthy.occurrences.count() - before > 0


# Bookings that would leave a mistake nobody can remove


@pytest.mark.parametrize(
    ("location_kind", "link", "message"),
    [
        (LocationKind.TELEHEALTH, "ftp://video.example.test/room", "https://"),
        (LocationKind.TELEHEALTH, "javascript:alert(1)", "https://"),
        (LocationKind.CLINIC, "https://video.example.test/room", "Only a telehealth"),
    ],
    ids=["ftp-link", "script-link", "link-on-a-clinic-visit"],
)
def test_a_link_families_cannot_use_is_refused(
    actor, client_record, location_kind, link, message
):
    values = appointment_values(
        client_record, location_kind=location_kind, telehealth_url=link
    )

    with pytest.raises(ValidationError, match=message):
        services.create_appointment(actor=actor, **values)

    assert not Appointment.objects.filter(client=client_record).exists()


def test_a_series_whose_days_never_come_is_refused(actor, client_record):
    # Monday sessions between Tuesday 8 and Sunday 13 December 2026: none.
    with pytest.raises(ValidationError, match="no sessions"):
        factories.weekly_series(
            actor,
            client_record,
            first_date=dt.date(2026, 12, 8),
            weekdays=[0],
            ends=AppointmentSeries.Ends.ON_DATE,
            end_date=dt.date(2026, 12, 13),
            occurrence_count=None,
        )

    assert not AppointmentSeries.objects.filter(client=client_record).exists()


def test_a_series_starting_beyond_the_horizon_is_refused(actor, client_record):
    far = timezone.localdate() + dt.timedelta(
        days=settings.SCHEDULING_HORIZON_DAYS + 30
    )

    with pytest.raises(ValidationError, match="must start by"):
        factories.weekly_series(
            actor, client_record, first_date=far, weekdays=[far.weekday()]
        )

    assert not AppointmentSeries.objects.filter(client=client_record).exists()


def test_an_organization_made_without_signals_still_has_its_settings(db):
    # bulk_create sends no post_save, as an import script might not either.
    [bare] = Organization.objects.bulk_create(
        [Organization(display_name="Imported Practice", slug="imported")]
    )

    assert services.hiding_allowed(bare) is True
    assert SchedulingSettings.objects.filter(organization=bare).count() == 1
    assert built_in_group(bare, BuiltIn.HIDDEN_CONTACTS).hides_members


def test_this_and_following_needs_a_series(actor, client_record):
    single = services.create_appointment(
        actor=actor, **appointment_values(client_record, visible_to_client=False)
    )

    with pytest.raises(ValidationError, match="not part of a series"):
        services.unhide_this_and_following(actor=actor, appointment=single)

    single.refresh_from_db()
    assert single.visible_to_client is False
    assert not VisibilityChange.objects.exists()


# Outcomes of sessions that have started


def started_appointment(actor, client_record, **overrides):
    values = appointment_values(client_record, **overrides)
    values["starts_at"] = timezone.now() - dt.timedelta(hours=2)
    values["ends_at"] = values["starts_at"] + dt.timedelta(hours=1)
    return services.create_appointment(actor=actor, **values)


@pytest.mark.parametrize("outcome", [Status.COMPLETED, Status.NO_SHOW])
def test_a_started_session_gets_its_outcome_and_keeps_its_visibility(
    actor, client_record, outcome
):
    appointment = started_appointment(actor, client_record)

    services.record_outcome(actor=actor, appointment=appointment, status=outcome)

    appointment.refresh_from_db()
    assert appointment.status == outcome
    assert appointment.visible_to_client is True


@pytest.mark.parametrize(
    ("make", "status", "message"),
    [
        ("future", Status.COMPLETED, "once it has started"),
        ("cancelled", Status.COMPLETED, "cancelled appointment"),
        ("started", Status.CANCELLED, "either completed or no-show"),
    ],
)
def test_an_outcome_that_makes_no_sense_is_refused(
    actor, client_record, make, status, message
):
    if make == "future":
        appointment = services.create_appointment(
            actor=actor, **appointment_values(client_record)
        )
    else:
        appointment = started_appointment(actor, client_record)
    if make == "cancelled":
        services.cancel_appointment(actor=actor, appointment=appointment)
    before = Appointment.objects.get(pk=appointment.pk).status

    with pytest.raises(ValidationError, match=message):
        services.record_outcome(actor=actor, appointment=appointment, status=status)

    assert Appointment.objects.get(pk=appointment.pk).status == before


def test_outcomes_in_bulk_pass_over_what_cannot_take_one(
    actor, client_record, other_organization
):
    started = started_appointment(actor, client_record)
    future = services.create_appointment(
        actor=actor, **appointment_values(client_record)
    )
    foreign = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=other_organization),
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=2),
    )

    changed = services.record_outcomes(
        actor=actor,
        organization=client_record.organization,
        appointment_ids=[started.pk, future.pk, foreign.pk],
        status=Status.COMPLETED,
    )

    assert changed == 1
    assert Appointment.objects.get(pk=started.pk).status == Status.COMPLETED
    assert Appointment.objects.get(pk=future.pk).status == Status.SCHEDULED
    assert Appointment.objects.get(pk=foreign.pk).status == Status.SCHEDULED


def test_recording_an_outcome_needs_scheduling_rights(
    actor, plain_staff, client_record
):
    appointment = started_appointment(actor, client_record)

    with pytest.raises(PermissionDenied):
        services.record_outcome(
            actor=plain_staff.user, appointment=appointment, status=Status.COMPLETED
        )


def test_the_same_single_booking_twice_is_refused(actor, client_record):
    values = appointment_values(client_record)
    services.create_appointment(actor=actor, **values)

    with pytest.raises(ValidationError, match="already has the same booking"):
        services.create_appointment(actor=actor, **values)

    assert Appointment.objects.filter(client=client_record).count() == 1


def test_a_cancelled_session_can_be_booked_again(actor, client_record):
    values = appointment_values(client_record)
    first = services.create_appointment(actor=actor, **values)
    services.cancel_appointment(actor=actor, appointment=first)

    services.create_appointment(actor=actor, **values)

    assert Appointment.objects.filter(client=client_record).count() == 2


def test_the_same_series_twice_is_refused(actor, client_record):
    provider = factories.StaffFactory(organization=client_record.organization)
    service = factories.ServiceFactory(organization=client_record.organization)
    factories.weekly_series(actor, client_record, provider=provider, service=service)

    with pytest.raises(ValidationError, match="already has the same booking"):
        factories.weekly_series(
            actor, client_record, provider=provider, service=service
        )

    assert AppointmentSeries.objects.filter(client=client_record).count() == 1
