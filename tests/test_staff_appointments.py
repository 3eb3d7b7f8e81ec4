"""Booking, editing, cancelling and unhiding appointments through the staff screens."""

import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from scheduling import services
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    SchedulingSettings,
    Status,
    VisibilityChange,
)
from tests import factories

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
NOTHING_CHANGED = (
    "Nothing changed: those appointments were already visible to the client."
)


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def service(organization):
    return factories.ServiceFactory(organization=organization)


@pytest.fixture
def provider(organization):
    return factories.StaffFactory(organization=organization)


@pytest.fixture
def signed_in(client, scheduler_staff):
    client.force_login(scheduler_staff.user)
    return client


def booking(client_record, provider, service, **changes):
    """A create-form POST for a single 16:00-17:00 session; None drops a field."""
    data = {
        "client": client_record.pk,
        "provider": provider.pk,
        "service": service.pk,
        "date": "2027-03-08",
        "start_time": "16:00",
        "end_time": "17:00",
        "duration_minutes": "",
        "location_kind": "clinic",
        "location_detail": "Room 2",
        "telehealth_url": "",
        "internal_notes": "Bring the token board",
        "repeat": "none",
        "interval_weeks": "1",
        "ends": "never",
        "end_date": "",
        "occurrence_count": "",
        "visible_to_client": "on",
        "submission": str(uuid.uuid4()),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _confirmation(asked):
    """The fields a confirmation page posts back, read from the page it rendered."""
    assert asked.status_code == 200
    return {
        "expected": str(asked.context["count"]),
        "fingerprint": asked.context["fingerprint"],
        "confirmed": "on",
    }


def _hidden(organization, count=1, **kwargs):
    client_record = kwargs.pop("client", None) or factories.ClientFactory(
        organization=organization
    )
    return [
        factories.AppointmentFactory(
            client=client_record, visible_to_client=False, **kwargs
        )
        for _ in range(count)
    ]


# Creating


def test_create_form_offers_visible_toggle_on_with_its_warning(signed_in):
    response = signed_in.get(reverse("scheduling:appointment_create"))

    assert response.status_code == 200
    toggle = response.context["form"]["visible_to_client"]
    assert toggle.value() is True
    assert "disabled" not in toggle.field.widget.attrs
    assert "can never be hidden later" in response.content.decode()


def test_create_single_visible_in_the_organizations_time_zone(
    signed_in, scheduler_staff, client_record, provider, service
):
    url = reverse("scheduling:appointment_create")

    response = signed_in.post(url, booking(client_record, provider, service))

    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse(
        "scheduling:appointment_detail", args=[appointment.public_id]
    )
    # 16:00 in New York on 8 March 2027 is still standard time, UTC-5.
    assert appointment.starts_at == dt.datetime(2027, 3, 8, 21, 0, tzinfo=UTC)
    assert appointment.ends_at == dt.datetime(2027, 3, 8, 22, 0, tzinfo=UTC)
    assert appointment.visible_to_client is True
    assert appointment.series is None
    assert appointment.client == client_record
    assert appointment.internal_notes == "Bring the token board"
    assert appointment.created_by == scheduler_staff.user
    assert _messages(response) == ["The appointment is booked."]


def test_create_single_hidden(signed_in, client_record, provider, service):
    data = booking(
        client_record, provider, service, visible_to_client=None, end_time=None
    )
    data["duration_minutes"] = "45"

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.visible_to_client is False
    assert appointment.duration == dt.timedelta(minutes=45)


def test_create_weekly_visible_keeps_local_time_across_daylight_saving(
    signed_in, client_record, provider, service
):
    data = booking(
        client_record,
        provider,
        service,
        repeat="weekly",
        weekdays=["0", "2"],
        ends="after_count",
        occurrence_count="4",
    )

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    series = AppointmentSeries.objects.get()
    occurrences = list(series.occurrences.order_by("starts_at"))
    assert response.status_code == 302
    assert response.url == reverse(
        "scheduling:appointment_detail", args=[occurrences[0].public_id]
    )
    assert series.visible_default is True
    assert series.weekdays == [0, 2]
    assert series.time_zone == "America/New_York"
    assert [o.starts_at.astimezone(NEW_YORK).date() for o in occurrences] == [
        dt.date(2027, 3, 8),
        dt.date(2027, 3, 10),
        dt.date(2027, 3, 15),
        dt.date(2027, 3, 17),
    ]
    # Clocks go forward on 14 March: same 16:00 locally, an hour earlier in UTC.
    assert {o.starts_at.astimezone(NEW_YORK).time() for o in occurrences} == {
        dt.time(16, 0)
    }
    assert occurrences[0].starts_at.astimezone(UTC).hour == 21
    assert occurrences[-1].starts_at.astimezone(UTC).hour == 20
    assert all(o.visible_to_client for o in occurrences)
    assert _messages(response) == [
        "The weekly series is booked with 4 appointments so far."
    ]


def test_create_weekly_hidden(signed_in, client_record, provider, service):
    data = booking(
        client_record,
        provider,
        service,
        repeat="weekly",
        weekdays=["1"],
        interval_weeks="2",
        ends="on_date",
        end_date="2027-04-30",
        visible_to_client=None,
    )

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    assert response.status_code == 302
    series = AppointmentSeries.objects.get()
    assert series.visible_default is False
    assert series.interval_weeks == 2
    starts = [o.starts_at.astimezone(NEW_YORK).date() for o in series.occurrences.all()]
    assert sorted(starts) == [
        dt.date(2027, 3, 9),
        dt.date(2027, 3, 23),
        dt.date(2027, 4, 6),
        dt.date(2027, 4, 20),
    ]
    assert not series.occurrences.filter(visible_to_client=True).exists()


def test_weekly_without_days_is_refused(signed_in, client_record, provider, service):
    data = booking(client_record, provider, service, repeat="weekly", ends="never")

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    assert response.status_code == 200
    assert "weekdays" in response.context["form"].errors
    assert not AppointmentSeries.objects.exists()
    assert not Appointment.objects.exists()


def test_start_time_that_never_happens_is_refused(
    signed_in, client_record, provider, service
):
    # 02:30 on 14 March 2027 is skipped in New York.
    data = booking(
        client_record, provider, service, date="2027-03-14", start_time="02:30"
    )
    data["end_time"] = "03:30"

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    assert response.status_code == 200
    assert "start_time" in response.context["form"].errors
    assert not Appointment.objects.exists()


def test_duration_is_elapsed_time_on_the_night_clocks_go_back(
    signed_in, client_record, provider, service
):
    # 7 November 2027: 02:00 EDT becomes 01:00 EST in New York.
    data = booking(
        client_record, provider, service, date="2027-11-07", start_time="00:30"
    )
    data.update(end_time="", duration_minutes="120")

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.starts_at == dt.datetime(2027, 11, 7, 4, 30, tzinfo=UTC)
    assert appointment.ends_at - appointment.starts_at == dt.timedelta(hours=2)


def test_service_refusal_shows_on_the_form(signed_in, client_record, provider, service):
    data = booking(client_record, provider, service, location_kind="telehealth")

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["telehealth_url"] == [
        "A telehealth appointment needs its link."
    ]
    assert not Appointment.objects.exists()


def test_another_organizations_client_is_a_form_error(
    signed_in, other_organization, provider, service
):
    stranger = factories.ClientFactory(organization=other_organization)

    response = signed_in.post(
        reverse("scheduling:appointment_create"), booking(stranger, provider, service)
    )

    assert response.status_code == 200
    assert "client" in response.context["form"].errors
    assert not Appointment.objects.exists()


def test_another_organizations_provider_and_service_are_form_errors(
    signed_in, other_organization, client_record
):
    their_provider = factories.StaffFactory(organization=other_organization)
    their_service = factories.ServiceFactory(organization=other_organization)

    response = signed_in.post(
        reverse("scheduling:appointment_create"),
        booking(client_record, their_provider, their_service),
    )

    assert response.status_code == 200
    assert {"provider", "service"} <= set(response.context["form"].errors)
    assert not Appointment.objects.exists()


# Booking once: a double click or a resubmitted page books nothing more


def test_create_form_carries_a_fresh_one_time_token(signed_in):
    url = reverse("scheduling:appointment_create")

    first, second = signed_in.get(url), signed_in.get(url)

    assert first.status_code == second.status_code == 200
    token = first.context["form"].submission_token
    assert token != second.context["form"].submission_token
    body = first.content.decode()
    assert f'<input type="hidden" name="submission" value="{token}">' in body
    assert 'class="stacked card" novalidate data-once>' in body
    assert '<script src="/static/js/forms.js" defer></script>' in body
    assert '<link rel="icon" href="data:,">' in body


@pytest.mark.parametrize(
    ("repeat", "appointments", "series"), [("none", 1, 0), ("weekly", 3, 1)]
)
def test_posting_the_same_form_twice_books_once(
    signed_in, client_record, provider, service, repeat, appointments, series
):
    data = booking(
        client_record,
        provider,
        service,
        repeat=repeat,
        weekdays=["0"],
        ends="after_count",
        occurrence_count="3",
    )
    url = reverse("scheduling:appointment_create")

    first = signed_in.post(url, data)
    second = signed_in.post(url, data)

    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert Appointment.objects.count() == appointments
    assert AppointmentSeries.objects.count() == series
    assert _messages(second)[-1] == "This booking was already submitted."


def test_a_booking_still_in_progress_is_not_booked_again(
    signed_in, scheduler_staff, client_record, provider, service
):
    data = booking(client_record, provider, service)
    # The first POST has claimed the token and is still booking.
    claim = f"booking-token:{scheduler_staff.user.pk}:{data['submission']}"
    cache.add(claim, "", timeout=60)

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    assert response.status_code == 302
    assert response.url == reverse("scheduling:appointment_list")
    assert not Appointment.objects.exists()
    assert _messages(response) == ["This booking was already submitted."]


def test_a_refused_booking_can_be_corrected_and_sent_with_the_same_token(
    signed_in, client_record, provider, service
):
    data = booking(client_record, provider, service, location_kind="telehealth")
    url = reverse("scheduling:appointment_create")

    refused = signed_in.post(url, data)
    corrected = signed_in.post(
        url, {**data, "telehealth_url": "https://video.example.test/room/3"}
    )

    assert refused.status_code == 200
    assert "telehealth_url" in refused.context["form"].errors
    assert f'value="{data["submission"]}"' in refused.content.decode()
    assert corrected.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.telehealth_url == "https://video.example.test/room/3"


def test_a_booking_that_fails_unexpectedly_can_be_sent_again(
    signed_in, client_record, provider, service, monkeypatch
):
    data = booking(client_record, provider, service)
    url = reverse("scheduling:appointment_create")

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "create_appointment", broken)
    with pytest.raises(RuntimeError):
        signed_in.post(url, data)
    monkeypatch.undo()
    retried = signed_in.post(url, data)

    assert retried.status_code == 302
    assert Appointment.objects.count() == 1
    assert _messages(retried)[-1] == "The appointment is booked."


def test_a_post_without_its_token_books_nothing_and_gets_a_new_one(
    signed_in, client_record, provider, service
):
    data = booking(client_record, provider, service, submission=None)

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == [
        "This page was out of date, so nothing was booked. Check the details and "
        "book again."
    ]
    assert not Appointment.objects.exists()
    body = response.content.decode()
    assert f'name="submission" value="{form.submission_token}"' in body


# One message per problem on the form


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"end_time": "", "duration_minutes": "2"},
            "duration_minutes",
            "Ensure this value is greater than or equal to 5.",
        ),
        ({"end_time": "25:00"}, "end_time", "Enter a valid time."),
        (
            {"ends": "after_count", "occurrence_count": "0"},
            "occurrence_count",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            {"ends": "on_date", "end_date": "someday"},
            "end_date",
            "Enter a valid date.",
        ),
        (
            {"weekdays": ["9"]},
            "weekdays",
            "Select a valid choice. 9 is not one of the available choices.",
        ),
    ],
)
def test_each_problem_on_the_create_form_has_one_message(
    signed_in, client_record, provider, service, changes, field, message
):
    data = booking(client_record, provider, service, repeat="weekly", weekdays=["0"])
    data.update(changes)

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("service_field", "form_field"),
    [
        ("first_date", "date"),
        ("telehealth_url", "telehealth_url"),
        ("weekdays", "weekdays"),
        ("end_date", "end_date"),
        ("occurrence_count", "occurrence_count"),
    ],
)
def test_series_refusals_show_on_their_field(
    signed_in, client_record, provider, service, monkeypatch, service_field, form_field
):
    def refuse(**kwargs):
        raise ValidationError({service_field: "Refused by the schedule."})

    monkeypatch.setattr(services, "create_series", refuse)
    data = booking(
        client_record,
        provider,
        service,
        repeat="weekly",
        weekdays=["0"],
        ends="after_count",
        occurrence_count="3",
    )

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {form_field: ["Refused by the schedule."]}
    assert "Refused by the schedule." in response.content.decode()
    assert not AppointmentSeries.objects.exists()


# Allow Hiding Appointments from Clients = No


@pytest.fixture
def hiding_off(organization, admin_staff):
    services.set_allow_hiding(
        actor=admin_staff.user, organization=organization, allow=False
    )


def test_hiding_off_shows_the_toggle_on_and_locked_with_the_reason(
    signed_in, hiding_off
):
    response = signed_in.get(reverse("scheduling:appointment_create"))

    assert response.status_code == 200
    toggle = response.context["form"]["visible_to_client"]
    assert toggle.value() is True
    assert toggle.field.widget.attrs["disabled"] is True
    body = response.content.decode()
    assert (
        "Hiding appointments from clients is switched off in Scheduling settings"
        in body
    )
    assert '<input type="hidden" name="visible_to_client" value="on">' in body


@pytest.mark.parametrize("repeat", ["none", "weekly"])
def test_hiding_off_refuses_a_crafted_hidden_post(
    signed_in, hiding_off, client_record, provider, service, repeat
):
    data = booking(
        client_record,
        provider,
        service,
        repeat=repeat,
        weekdays=["0"],
        ends="after_count",
        occurrence_count="3",
        visible_to_client=None,
    )

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["visible_to_client"] == [
        services.HIDING_NOT_ALLOWED
    ]
    assert not Appointment.objects.exists()
    assert not AppointmentSeries.objects.exists()


def test_hiding_off_still_books_visible_appointments(
    signed_in, hiding_off, client_record, provider, service
):
    response = signed_in.post(
        reverse("scheduling:appointment_create"),
        booking(client_record, provider, service),
    )

    assert response.status_code == 302
    assert Appointment.objects.get().visible_to_client is True


def test_hiding_switched_off_after_the_form_loaded_is_refused(
    signed_in, organization, admin_staff, client_record, provider, service
):
    """The setting is read when the POST arrives, not when the page was shown."""
    signed_in.get(reverse("scheduling:appointment_create"))
    services.set_allow_hiding(
        actor=admin_staff.user, organization=organization, allow=False
    )

    response = signed_in.post(
        reverse("scheduling:appointment_create"),
        booking(client_record, provider, service, visible_to_client=None),
    )

    assert response.status_code == 200
    assert "visible_to_client" in response.context["form"].errors
    assert not Appointment.objects.exists()


# Settings


def test_settings_page_shows_the_setting(client, admin_staff):
    client.force_login(admin_staff.user)

    response = client.get(reverse("scheduling:settings_additional"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Additional Settings</h1>" in body
    assert (
        '<label for="id_allow_hiding">Allow Hiding Appointments from Clients</label>'
        in body
    )
    assert '<option value="yes" selected>Yes</option>' in body
    assert '<option value="no">No</option>' in body
    assert '<button type="submit">Update</button>' in body


@pytest.mark.parametrize(("choice", "allowed"), [("no", False), ("yes", True)])
def test_settings_update_changes_the_setting(
    client, organization, other_organization, admin_staff, choice, allowed
):
    SchedulingSettings.objects.filter(organization=organization).update(
        allow_hiding=not allowed
    )
    client.force_login(admin_staff.user)

    response = client.post(
        reverse("scheduling:settings_additional"), {"allow_hiding": choice}
    )

    assert response.status_code == 302
    assert response.url == reverse("scheduling:settings_additional")
    settings = SchedulingSettings.objects.get(organization=organization)
    assert settings.allow_hiding is allowed
    assert settings.updated_by == admin_staff.user
    assert SchedulingSettings.objects.get(organization=other_organization).allow_hiding
    assert len(_messages(response)) == 1


def test_settings_refuses_an_unknown_choice(client, organization, admin_staff):
    client.force_login(admin_staff.user)

    response = client.post(
        reverse("scheduling:settings_additional"), {"allow_hiding": "maybe"}
    )

    assert response.status_code == 200
    assert "allow_hiding" in response.context["form"].errors
    assert SchedulingSettings.objects.get(organization=organization).allow_hiding


# Detail, edit, cancel


def test_detail_shows_notes_series_and_visibility_history(
    signed_in, organization, admin_staff, scheduler_staff, client_record, service
):
    series = services.create_series(
        actor=admin_staff.user,
        client=client_record,
        provider=admin_staff,
        service=service,
        first_date=dt.date(2027, 3, 8),
        local_start_time=dt.time(16, 0),
        duration_minutes=60,
        weekdays=[0, 3],
        ends="after_count",
        occurrence_count=4,
        location_kind="home",
        internal_notes="Gate code 4411",
        visible_to_client=False,
    )
    first = series.occurrences.order_by("series_start").first()
    services.unhide_one(actor=scheduler_staff.user, appointment=first)

    response = signed_in.get(
        reverse("scheduling:appointment_detail", args=[first.public_id])
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Gate code 4411" in body
    assert "Weekly on Monday, Thursday." in body
    assert "Ends after 4 sessions." in body
    assert "Sessions this series creates from now on are hidden" in body
    assert [c.changed_by for c in response.context["history"]] == [scheduler_staff.user]
    assert "Unhid one appointment" in body
    assert '<span class="badge badge-visible">Visible</span>' in body


@pytest.mark.parametrize("visible", [True, False])
def test_edit_keeps_visibility(signed_in, organization, provider, service, visible):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization),
        visible_to_client=visible,
    )
    url = reverse("scheduling:appointment_edit", args=[appointment.public_id])
    data = {
        "provider": provider.pk,
        "service": service.pk,
        "date": "2027-07-01",
        "start_time": "09:30",
        "end_time": "",
        "duration_minutes": "90",
        "location_kind": "telehealth",
        "location_detail": "",
        "telehealth_url": "https://video.example.test/room/7",
        "internal_notes": "Moved to telehealth",
    }

    response = signed_in.post(url, data)

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.visible_to_client is visible
    assert appointment.provider == provider
    # July is daylight saving time in New York: UTC-4.
    assert appointment.starts_at == dt.datetime(2027, 7, 1, 13, 30, tzinfo=UTC)
    assert appointment.duration == dt.timedelta(minutes=90)
    assert appointment.location_kind == "telehealth"
    assert appointment.internal_notes == "Moved to telehealth"
    assert _messages(response) == ["The appointment is updated."]


def test_edit_form_has_no_visibility_field(signed_in, organization):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization),
        visible_to_client=False,
    )
    url = reverse("scheduling:appointment_edit", args=[appointment.public_id])

    response = signed_in.get(url)

    assert response.status_code == 200
    assert "visible_to_client" not in response.context["form"].fields
    assert response.context["form"]["start_time"].value() == (
        appointment.starts_at.astimezone(NEW_YORK).time()
    )


def test_edit_refuses_another_organizations_provider(
    signed_in, organization, other_organization, service
):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization)
    )
    original_provider = appointment.provider
    stranger = factories.StaffFactory(organization=other_organization)
    url = reverse("scheduling:appointment_edit", args=[appointment.public_id])

    response = signed_in.post(
        url,
        {
            "provider": stranger.pk,
            "service": service.pk,
            "date": "2027-07-01",
            "start_time": "09:30",
            "end_time": "10:30",
            "location_kind": "clinic",
        },
    )

    assert response.status_code == 200
    assert "provider" in response.context["form"].errors
    appointment.refresh_from_db()
    assert appointment.provider == original_provider


@pytest.mark.parametrize("visible", [True, False])
def test_cancel_keeps_the_row_and_its_visibility(signed_in, organization, visible):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization),
        visible_to_client=visible,
    )

    response = signed_in.post(
        reverse("scheduling:appointment_cancel", args=[appointment.public_id])
    )

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert appointment.visible_to_client is visible
    assert _messages(response) == ["The appointment is cancelled."]


def test_cancelling_twice_gives_a_message_not_an_error(signed_in, organization):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization),
        status=Status.CANCELLED,
    )

    response = signed_in.post(
        reverse("scheduling:appointment_cancel", args=[appointment.public_id])
    )

    assert response.status_code == 302
    assert _messages(response) == ["Only a scheduled appointment can be cancelled."]


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.SCHEDULED])
def test_detail_offers_edit_and_cancel_only_while_not_cancelled(
    signed_in, organization, status
):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization), status=status
    )
    edit = reverse("scheduling:appointment_edit", args=[appointment.public_id])
    cancel = reverse("scheduling:appointment_cancel", args=[appointment.public_id])

    response = signed_in.get(
        reverse("scheduling:appointment_detail", args=[appointment.public_id])
    )

    assert response.status_code == 200
    body = response.content.decode()
    cancelled = status == Status.CANCELLED
    assert (f'href="{edit}"' in body) is not cancelled
    assert (f'action="{cancel}"' in body) is not cancelled
    assert ("can no longer be changed" in body) is cancelled


def test_edit_of_a_cancelled_appointment_shows_the_refusal_on_the_form(
    signed_in, organization, provider, service
):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization),
        status=Status.CANCELLED,
    )
    original_start = appointment.starts_at
    url = reverse("scheduling:appointment_edit", args=[appointment.public_id])

    response = signed_in.post(
        url,
        {
            "provider": provider.pk,
            "service": service.pk,
            "date": "2027-07-01",
            "start_time": "09:30",
            "end_time": "10:30",
            "location_kind": "clinic",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A cancelled appointment cannot be changed."
    ]
    assert "A cancelled appointment cannot be changed." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == original_start
    assert appointment.provider != provider
    assert _messages(response) == []


def test_detail_without_internal_notes_says_none_recorded(signed_in, organization):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization), internal_notes=""
    )

    response = signed_in.get(
        reverse("scheduling:appointment_detail", args=[appointment.public_id])
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert '<dd><span class="muted">None recorded</span></dd>' in body
    assert "<dd>None</dd>" not in body


def test_detail_links_only_web_addresses_for_telehealth(signed_in, organization):
    client_record = factories.ClientFactory(organization=organization)
    good, bad = (
        factories.AppointmentFactory(
            client=client_record,
            location_kind="telehealth",
            location_detail="",
            telehealth_url=address,
        )
        for address in ("https://video.example.test/room-7", "javascript:alert(1)")
    )

    good_page, bad_page = (
        signed_in.get(
            reverse("scheduling:appointment_detail", args=[appointment.public_id])
        )
        for appointment in (good, bad)
    )

    assert good_page.status_code == bad_page.status_code == 200
    assert 'href="https://video.example.test/room-7"' in good_page.content.decode()
    assert 'href="javascript:' not in bad_page.content.decode()
    assert "not a web address, so not a link" in bad_page.content.decode()


@pytest.mark.parametrize(
    ("utc_start", "shown"),
    [
        # 01:30 happens twice in New York on 1 November 2026; the first session
        # starts in daylight time and ends in standard time.
        (
            dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
            "01:30</time> EDT–"
            '<time datetime="2026-11-01T01:15:00-05:00">01:15</time> EST',
        ),
        (
            dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
            '01:30</time>–<time datetime="2026-11-01T02:15:00-05:00">02:15</time> EST',
        ),
    ],
)
def test_detail_names_the_zone_in_the_repeated_hour(
    signed_in, organization, utc_start, shown
):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization),
        starts_at=utc_start,
        ends_at=utc_start + dt.timedelta(minutes=45),
    )

    response = signed_in.get(
        reverse("scheduling:appointment_detail", args=[appointment.public_id])
    )

    assert response.status_code == 200
    assert shown in response.content.decode()


# Unhiding


def test_unhide_one_without_javascript_redirects_back(
    signed_in, organization, scheduler_staff
):
    appointment, other = _hidden(organization, count=2)
    back = reverse("scheduling:appointment_list") + "?visibility=hidden"

    response = signed_in.post(
        reverse("scheduling:appointment_unhide", args=[appointment.public_id]),
        {"next": back},
    )

    assert response.status_code == 302
    assert response.url == back
    appointment.refresh_from_db()
    other.refresh_from_db()
    assert appointment.visible_to_client is True
    assert other.visible_to_client is False
    change = VisibilityChange.objects.get()
    assert change.action == VisibilityChange.Action.UNHIDE_ONE
    assert change.changed_by == scheduler_staff.user
    assert list(change.appointments.all()) == [appointment]


def test_unhide_refuses_a_next_url_elsewhere(signed_in, organization):
    (appointment,) = _hidden(organization)

    response = signed_in.post(
        reverse("scheduling:appointment_unhide", args=[appointment.public_id]),
        {"next": "https://elsewhere.example.test/"},
    )

    assert response.status_code == 302
    assert response.url == reverse(
        "scheduling:appointment_detail", args=[appointment.public_id]
    )


def test_unhide_one_with_htmx_swaps_the_row(signed_in, organization):
    (appointment,) = _hidden(organization)

    response = signed_in.post(
        reverse("scheduling:appointment_unhide", args=[appointment.public_id]),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="appointment-{appointment.public_id}"')
    assert '<span class="badge badge-visible">Visible</span>' in body
    assert 'hx-swap-oob="innerHTML"' in body
    assert "The appointment is now visible to the client." in body
    appointment.refresh_from_db()
    assert appointment.visible_to_client is True
    assert VisibilityChange.objects.get().appointment_count == 1


def test_unhide_following_flips_the_series_default(
    signed_in, organization, admin_staff, scheduler_staff, client_record, service
):
    series = services.create_series(
        actor=admin_staff.user,
        client=client_record,
        provider=admin_staff,
        service=service,
        first_date=dt.date(2027, 3, 8),
        local_start_time=dt.time(16, 0),
        duration_minutes=60,
        weekdays=[0],
        ends="after_count",
        occurrence_count=4,
        location_kind="clinic",
        visible_to_client=False,
    )
    first, second, third, fourth = series.occurrences.order_by("series_start")

    response = signed_in.post(
        reverse("scheduling:appointment_unhide_following", args=[second.public_id])
    )

    assert response.status_code == 302
    series.refresh_from_db()
    assert series.visible_default is True
    visible = set(series.occurrences.filter(visible_to_client=True))
    assert visible == {second, third, fourth}
    change = VisibilityChange.objects.get()
    assert change.action == VisibilityChange.Action.UNHIDE_FOLLOWING
    assert change.series == series
    assert change.appointment_count == 3
    assert change.changed_by == scheduler_staff.user
    assert _messages(response) == [
        "3 appointments are now visible to the client, and so is every later one "
        "this series creates."
    ]


def test_unhide_following_needs_a_series(signed_in, organization):
    (appointment,) = _hidden(organization)

    response = signed_in.post(
        reverse("scheduling:appointment_unhide_following", args=[appointment.public_id])
    )

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.visible_to_client is False
    assert not VisibilityChange.objects.exists()


def test_row_unhide_without_javascript_asks_on_the_confirmation_page(
    signed_in, organization
):
    alex = factories.ClientFactory(
        organization=organization, first_name="Alex", last_name="Rivera"
    )
    appointment, other = _hidden(organization, count=2, client=alex)
    page = reverse("scheduling:appointment_list") + "?visibility=hidden"
    bulk = reverse("scheduling:appointment_unhide_bulk")

    listing = signed_in.get(page)
    button = re.search(
        rf'<button [^>]*value="{appointment.public_id}"[^>]*>', listing.content.decode()
    )
    # What the browser posts for that button through the hidden row form.
    asked = signed_in.post(bulk, {"next": page, "selected": appointment.public_id})

    assert listing.status_code == 200
    assert button is not None
    assert 'name="selected"' in button[0]
    assert 'form="row-unhide"' in button[0]
    assert f'formaction="{bulk}"' in button[0]
    assert 'aria-label="Unhide Alex Rivera, ' in button[0]
    assert asked.status_code == 200
    body = asked.content.decode()
    assert "Make 1 appointment visible to clients? This cannot be undone." in body
    assert "<li>Alex Rivera, <time" in body
    assert not VisibilityChange.objects.exists()

    done = signed_in.post(
        bulk, {"next": page, "selected": appointment.public_id, **_confirmation(asked)}
    )

    assert done.status_code == 302
    assert done.url == page
    appointment.refresh_from_db()
    other.refresh_from_db()
    assert appointment.visible_to_client is True
    assert other.visible_to_client is False
    assert VisibilityChange.objects.get().appointment_count == 1


def test_htmx_unhide_focuses_the_row_and_drops_the_stale_count(signed_in, organization):
    (appointment,) = _hidden(organization)
    detail = reverse("scheduling:appointment_detail", args=[appointment.public_id])

    response = signed_in.post(
        reverse("scheduling:appointment_unhide", args=[appointment.public_id]),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'<a href="{detail}" autofocus>' in body
    assert (
        '<label for="scope-matching" id="scope-matching-label" hx-swap-oob="true">'
        "Select all appointments matching this filter</label>"
    ) in body
    appointment.refresh_from_db()
    assert appointment.visible_to_client is True


def test_unhide_following_of_a_visible_series_says_nothing_changed(
    signed_in, admin_staff, client_record
):
    series = factories.weekly_series(admin_staff.user, client_record)
    first = series.occurrences.order_by("series_start").first()

    response = signed_in.post(
        reverse("scheduling:appointment_unhide_following", args=[first.public_id])
    )

    assert response.status_code == 302
    assert _messages(response) == [NOTHING_CHANGED]
    assert not VisibilityChange.objects.exists()


def test_unhide_following_when_only_the_default_changes_says_so(
    signed_in, admin_staff, client_record
):
    series = factories.weekly_series(
        admin_staff.user, client_record, visible_to_client=False
    )
    for occurrence in series.occurrences.all():
        services.unhide_one(actor=admin_staff.user, appointment=occurrence)
    first = series.occurrences.order_by("series_start").first()

    response = signed_in.post(
        reverse("scheduling:appointment_unhide_following", args=[first.public_id])
    )

    assert response.status_code == 302
    series.refresh_from_db()
    assert series.visible_default is True
    change = VisibilityChange.objects.get(
        action=VisibilityChange.Action.UNHIDE_FOLLOWING
    )
    assert change.appointment_count == 0
    assert _messages(response) == [
        "Those appointments were already visible; every later one this series "
        "creates will be visible to the client too."
    ]


def test_unhide_needs_its_own_permission(client, organization):
    manager = factories.staff_with(organization, "manage_scheduling")
    (appointment,) = _hidden(organization)
    client.force_login(manager.user)

    response = client.post(
        reverse("scheduling:appointment_unhide", args=[appointment.public_id])
    )

    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.visible_to_client is False


# Bulk unhide


def test_bulk_unhide_selected_confirms_the_count_then_unhides_exactly_those(
    signed_in, organization, scheduler_staff
):
    first, second, untouched = _hidden(organization, count=3)
    visible = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization)
    )
    url = reverse("scheduling:appointment_unhide_bulk")
    chosen = [str(a.public_id) for a in (first, second, visible)]

    asked = signed_in.post(url, {"selected": chosen})

    assert asked.status_code == 200
    assert (
        "Make 2 appointments visible to clients? This cannot be undone."
        in asked.content.decode()
    )
    assert not VisibilityChange.objects.exists()
    assert not Appointment.objects.filter(
        pk__in=[first.pk, second.pk], visible_to_client=True
    ).exists()

    done = signed_in.post(url, {"selected": chosen, **_confirmation(asked)})

    assert done.status_code == 302
    assert set(Appointment.objects.filter(visible_to_client=True)) == {
        first,
        second,
        visible,
    }
    untouched.refresh_from_db()
    assert untouched.visible_to_client is False
    change = VisibilityChange.objects.get()
    assert change.action == VisibilityChange.Action.UNHIDE_SELECTED
    assert change.appointment_count == 2
    assert set(change.appointments.all()) == {first, second}
    assert change.changed_by == scheduler_staff.user
    assert _messages(done) == ["2 appointments are now visible to their clients."]


def test_bulk_unhide_matching_uses_the_filter_and_stays_in_the_organization(
    signed_in, organization, other_organization
):
    alex = factories.ClientFactory(organization=organization)
    matching = _hidden(organization, count=12, client=alex)
    other_client = _hidden(organization, count=2)
    elsewhere = _hidden(other_organization, count=3)
    url = reverse("scheduling:appointment_unhide_bulk")
    data = {
        "scope": "matching",
        "client": str(alex.pk),
        "visibility": "all",
        "date_from": "",
        "date_to": "",
    }

    asked = signed_in.post(url, data)

    assert asked.status_code == 200
    assert (
        "Make 12 appointments visible to clients? This cannot be undone."
        in asked.content.decode()
    )
    assert not VisibilityChange.objects.exists()

    done = signed_in.post(url, {**data, **_confirmation(asked)})

    assert done.status_code == 302
    assert set(Appointment.objects.filter(visible_to_client=True)) == set(matching)
    assert not any(
        Appointment.objects.get(pk=a.pk).visible_to_client
        for a in other_client + elsewhere
    )
    change = VisibilityChange.objects.get()
    assert change.action == VisibilityChange.Action.UNHIDE_MATCHING
    assert change.organization == organization
    assert change.appointment_count == 12
    assert set(change.appointments.all()) == set(matching)


def test_bulk_unhide_matching_respects_the_date_range_in_local_time(
    signed_in, organization
):
    alex = factories.ClientFactory(organization=organization)
    # 23:30 on 1 July in New York is already 2 July in UTC.
    late_evening = factories.AppointmentFactory(
        client=alex,
        visible_to_client=False,
        starts_at=dt.datetime(2027, 7, 1, 23, 30, tzinfo=NEW_YORK),
        ends_at=dt.datetime(2027, 7, 1, 23, 55, tzinfo=NEW_YORK),
    )
    next_day = factories.AppointmentFactory(
        client=alex,
        visible_to_client=False,
        starts_at=dt.datetime(2027, 7, 2, 9, 0, tzinfo=NEW_YORK),
        ends_at=dt.datetime(2027, 7, 2, 10, 0, tzinfo=NEW_YORK),
    )
    data = {"scope": "matching", "date_from": "2027-07-01", "date_to": "2027-07-01"}
    url = reverse("scheduling:appointment_unhide_bulk")

    asked = signed_in.post(url, data)
    response = signed_in.post(url, {**data, **_confirmation(asked)})

    assert asked.context["count"] == 1
    assert response.status_code == 302
    late_evening.refresh_from_db()
    next_day.refresh_from_db()
    assert late_evening.visible_to_client is True
    assert next_day.visible_to_client is False


def test_bulk_unhide_shows_the_new_count_when_rows_changed(signed_in, organization):
    alex = factories.ClientFactory(organization=organization)
    _hidden(organization, count=3, client=alex)
    data = {"scope": "matching", "client": str(alex.pk), "date_from": ""}

    response = signed_in.post(
        reverse("scheduling:appointment_unhide_bulk"),
        {**data, "expected": "2", "confirmed": "on"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "changed since the last page" in body
    assert "Make 3 appointments visible to clients?" in body
    assert not Appointment.objects.filter(visible_to_client=True).exists()
    assert not VisibilityChange.objects.exists()


def test_bulk_unhide_matching_refuses_a_swapped_set_of_the_same_size(
    signed_in, organization, admin_staff
):
    alex = factories.ClientFactory(organization=organization)
    first, second = _hidden(organization, count=2, client=alex)
    data = {"scope": "matching", "client": str(alex.pk), "date_from": ""}
    url = reverse("scheduling:appointment_unhide_bulk")

    asked = signed_in.post(url, data)
    # Meanwhile, elsewhere: one is unhidden and another is booked hidden.
    services.unhide_one(actor=admin_staff.user, appointment=first)
    (newcomer,) = _hidden(organization, client=alex)
    stale = signed_in.post(url, {**data, **_confirmation(asked)})

    assert stale.status_code == 200
    body = stale.content.decode()
    assert "changed since the last page" in body
    assert "Make 2 appointments visible to clients?" in body
    newcomer.refresh_from_db()
    second.refresh_from_db()
    assert newcomer.visible_to_client is False
    assert second.visible_to_client is False
    assert VisibilityChange.objects.get().changed_by == admin_staff.user

    done = signed_in.post(url, {**data, **_confirmation(stale)})

    assert done.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.visible_to_client is True
    assert VisibilityChange.objects.count() == 2


def test_bulk_unhide_selected_refuses_rows_other_than_those_shown(
    signed_in, organization
):
    first, second, third = _hidden(organization, count=3)
    url = reverse("scheduling:appointment_unhide_bulk")

    asked = signed_in.post(url, {"selected": [first.public_id, second.public_id]})
    swapped = signed_in.post(
        url, {"selected": [first.public_id, third.public_id], **_confirmation(asked)}
    )

    assert swapped.status_code == 200
    assert "changed since the last page" in swapped.content.decode()
    assert not Appointment.objects.filter(visible_to_client=True).exists()
    assert not VisibilityChange.objects.exists()


def test_bulk_unhide_of_rows_unhidden_meanwhile_says_nothing_changed(
    signed_in, organization, admin_staff, monkeypatch
):
    chosen = [a.public_id for a in _hidden(organization, count=2)]
    url = reverse("scheduling:appointment_unhide_bulk")
    asked = signed_in.post(url, {"selected": chosen})
    original = services.unhide_appointments

    def someone_else_first(**kwargs):
        # Another member unhides the same rows just before this request does.
        original(**{**kwargs, "actor": admin_staff.user})
        return original(**kwargs)

    monkeypatch.setattr(services, "unhide_appointments", someone_else_first)
    done = signed_in.post(url, {"selected": chosen, **_confirmation(asked)})

    assert done.status_code == 302
    assert Appointment.objects.filter(visible_to_client=True).count() == 2
    assert VisibilityChange.objects.get().changed_by == admin_staff.user
    assert _messages(done) == [NOTHING_CHANGED]


def test_bulk_matching_confirmation_posts_no_row_references(signed_in, organization):
    alex = factories.ClientFactory(organization=organization)
    ticked = _hidden(organization, count=2, client=alex)

    asked = signed_in.post(
        reverse("scheduling:appointment_unhide_bulk"),
        {
            "scope": "matching",
            "client": str(alex.pk),
            "date_from": "",
            "selected": [a.public_id for a in ticked],
        },
    )

    assert asked.status_code == 200
    body = asked.content.decode()
    assert "Make 2 appointments visible to clients?" in body
    assert 'name="selected"' not in body
    assert not VisibilityChange.objects.exists()


def test_bulk_unhide_with_nothing_hidden_says_so(signed_in, organization):
    visible = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization)
    )

    response = signed_in.post(
        reverse("scheduling:appointment_unhide_bulk"),
        {"selected": [str(visible.public_id)]},
    )

    assert response.status_code == 302
    assert _messages(response) == ["None of the chosen appointments is hidden."]
    assert not VisibilityChange.objects.exists()


def test_list_carries_the_filter_into_the_bulk_form(signed_in, organization):
    alex = factories.ClientFactory(organization=organization)
    _hidden(organization, count=2, client=alex)

    response = signed_in.get(
        reverse("scheduling:appointment_list"),
        {"client": alex.pk, "visibility": "hidden", "date_from": ""},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'<input type="hidden" name="client" value="{alex.pk}">' in body
    assert '<input type="hidden" name="visibility" value="hidden">' in body
    assert (
        '<label for="scope-matching" id="scope-matching-label">'
        "Select all 2 appointments matching this filter</label>"
    ) in body
    assert body.count('<input type="checkbox" name="selected"') == 2
    assert "autofocus" not in body


# The list


def test_list_filters_by_visibility_status_and_local_dates(signed_in, organization):
    alex = factories.ClientFactory(organization=organization)
    hidden_early = factories.AppointmentFactory(
        client=alex,
        visible_to_client=False,
        starts_at=dt.datetime(2027, 5, 3, 0, 30, tzinfo=NEW_YORK),
        ends_at=dt.datetime(2027, 5, 3, 1, 30, tzinfo=NEW_YORK),
    )
    factories.AppointmentFactory(
        client=alex,
        visible_to_client=True,
        starts_at=dt.datetime(2027, 5, 3, 9, 0, tzinfo=NEW_YORK),
        ends_at=dt.datetime(2027, 5, 3, 10, 0, tzinfo=NEW_YORK),
    )
    factories.AppointmentFactory(
        client=alex,
        visible_to_client=False,
        status=Status.CANCELLED,
        starts_at=dt.datetime(2027, 5, 4, 9, 0, tzinfo=NEW_YORK),
        ends_at=dt.datetime(2027, 5, 4, 10, 0, tzinfo=NEW_YORK),
    )
    url = reverse("scheduling:appointment_list")

    response = signed_in.get(
        url,
        {
            "visibility": "hidden",
            "status": "scheduled",
            "date_from": "2027-05-03",
            "date_to": "2027-05-03",
        },
    )

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [hidden_early]


def test_list_starts_today_unless_asked_for_all_dates(signed_in, organization):
    alex = factories.ClientFactory(organization=organization)
    past = factories.AppointmentFactory(
        client=alex,
        starts_at=dt.datetime(2020, 1, 6, 9, 0, tzinfo=NEW_YORK),
        ends_at=dt.datetime(2020, 1, 6, 10, 0, tzinfo=NEW_YORK),
    )
    upcoming = factories.AppointmentFactory(client=alex)
    url = reverse("scheduling:appointment_list")

    default = signed_in.get(url)
    everything = signed_in.get(url, {"date_from": ""})

    assert default.status_code == everything.status_code == 200
    assert list(default.context["page"].object_list) == [upcoming]
    assert list(everything.context["page"].object_list) == [past, upcoming]


def test_list_is_paginated_by_fifty(signed_in, organization):
    alex = factories.ClientFactory(organization=organization)
    for _ in range(51):
        factories.AppointmentFactory(client=alex)
    url = reverse("scheduling:appointment_list")

    first = signed_in.get(url)
    second = signed_in.get(url, {"page": 2})

    assert first.status_code == second.status_code == 200
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 1
    assert "?page=2" in first.content.decode()


def test_list_shows_the_local_time(signed_in, organization):
    appointment = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization),
        starts_at=dt.datetime(2027, 1, 12, 20, 0, tzinfo=UTC),
        ends_at=dt.datetime(2027, 1, 12, 21, 0, tzinfo=UTC),
    )

    response = signed_in.get(
        reverse("scheduling:appointment_list"), {"date_from": "2027-01-12"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert (
        '<time datetime="2027-01-12T15:00:00-05:00">Tue 12 Jan 2027, 15:00</time>'
        in body
    )
    assert str(appointment.public_id) in body


@pytest.mark.parametrize(
    ("filters", "bad_field"),
    [
        ({"client": "abc"}, "client"),
        ({"client": "another practice's"}, "client"),
        ({"date_from": "garbage"}, "date_from"),
        ({"date_from": "2020-01-10", "date_to": "2020-01-01"}, "date_to"),
        ({"visibility": "sideways"}, "visibility"),
    ],
)
def test_list_with_an_invalid_filter_lists_nothing_and_offers_no_bulk_action(
    signed_in, organization, other_organization, filters, bad_field
):
    _hidden(organization, count=2)
    if filters.get("client") == "another practice's":
        filters = {
            "client": factories.ClientFactory(organization=other_organization).pk
        }

    response = signed_in.get(reverse("scheduling:appointment_list"), filters)

    assert response.status_code == 200
    assert bad_field in response.context["filter_form"].errors
    assert list(response.context["page"].object_list) == []
    assert response.context["matching_count"] == 0
    body = response.content.decode()
    assert '<div class="errorlist" role="alert">' in body
    assert "No appointments are listed until the filter above is corrected." in body
    assert 'id="bulk-unhide"' not in body
    assert "Select all" not in body
    assert 'name="selected"' not in body


def test_bulk_unhide_of_an_invalid_filter_unhides_nothing(signed_in, organization):
    hidden = _hidden(organization, count=2)
    url = reverse("scheduling:appointment_unhide_bulk")

    response = signed_in.post(
        url,
        {"scope": "matching", "client": "abc", "expected": "2", "confirmed": "on"},
    )

    assert response.status_code == 302
    assert _messages(response) == ["The selection could not be read; try again."]
    assert all(not Appointment.objects.get(pk=a.pk).visible_to_client for a in hidden)
    assert not VisibilityChange.objects.exists()


def test_list_with_no_matches_offers_no_bulk_action(signed_in, organization):
    _hidden(organization, count=1)

    response = signed_in.get(
        reverse("scheduling:appointment_list"), {"date_from": "2040-01-01"}
    )

    assert response.status_code == 200
    assert response.context["matching_count"] == 0
    body = response.content.decode()
    assert "No appointments match this filter." in body
    assert 'id="bulk-unhide"' not in body


@pytest.mark.parametrize(
    ("filters", "bad_field"),
    [
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_to": "3000-01-01"}, "date_to"),
        ({"date_from": "1899-12-31"}, "date_from"),
        ({"date_from": "0001-01-01"}, "date_from"),
    ],
)
def test_list_refuses_dates_outside_a_sane_range(
    signed_in, organization, filters, bad_field
):
    _hidden(organization, count=1)

    response = signed_in.get(reverse("scheduling:appointment_list"), filters)

    assert response.status_code == 200
    assert response.context["filter_form"].errors[bad_field] == [
        "Choose a date between 1900-01-01 and 2999-12-31."
    ]
    assert list(response.context["page"].object_list) == []
    assert 'id="bulk-unhide"' not in response.content.decode()


def test_bulk_unhide_with_a_date_outside_the_range_unhides_nothing(
    signed_in, organization
):
    (hidden,) = _hidden(organization)

    response = signed_in.post(
        reverse("scheduling:appointment_unhide_bulk"),
        {"scope": "matching", "date_from": "", "date_to": "9999-12-31"},
    )

    assert response.status_code == 302
    assert _messages(response) == ["The selection could not be read; try again."]
    hidden.refresh_from_db()
    assert hidden.visible_to_client is False
    assert not VisibilityChange.objects.exists()


def test_another_members_token_leads_to_their_own_booking_only(
    client, organization, client_record, provider, service
):
    first, second = factories.scheduler(organization), factories.scheduler(organization)
    data = booking(client_record, provider, service)
    url = reverse("scheduling:appointment_create")
    client.force_login(first.user)
    client.post(url, data)

    client.force_login(second.user)
    response = client.post(url, {**data, "start_time": "18:00", "end_time": "19:00"})

    assert response.status_code == 302
    assert Appointment.objects.count() == 2
    assert "already submitted" not in " ".join(_messages(response))


def test_this_and_following_on_a_single_appointment_says_why_and_changes_nothing(
    signed_in, client_record
):
    single = factories.AppointmentFactory(client=client_record, visible_to_client=False)

    response = signed_in.post(
        reverse("scheduling:appointment_unhide_following", args=[single.public_id])
    )

    assert response.status_code == 302
    assert _messages(response) == ["This appointment is not part of a series."]
    single.refresh_from_db()
    assert single.visible_to_client is False


def test_staff_record_a_no_show_from_the_appointment_page(signed_in, client_record):
    started = factories.AppointmentFactory(
        client=client_record,
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    page = signed_in.get(
        reverse("scheduling:appointment_detail", args=[started.public_id])
    )
    assert b"Record how it went" in page.content

    response = signed_in.post(
        reverse("scheduling:appointment_outcome", args=[started.public_id]),
        {"status": "no_show"},
    )

    assert response.status_code == 302
    started.refresh_from_db()
    assert started.status == Status.NO_SHOW
    assert _messages(response) == ["Recorded: No-show."]


def test_a_future_appointment_offers_no_outcome(signed_in, client_record):
    future = factories.AppointmentFactory(client=client_record)

    page = signed_in.get(
        reverse("scheduling:appointment_detail", args=[future.public_id])
    )
    response = signed_in.post(
        reverse("scheduling:appointment_outcome", args=[future.public_id]),
        {"status": "completed"},
    )

    assert b"Record how it went" not in page.content
    future.refresh_from_db()
    assert future.status == Status.SCHEDULED
    assert _messages(response) == [
        "An appointment gets its outcome once it has started."
    ]


def test_booking_the_same_session_again_is_refused_with_a_reason(
    signed_in, client_record, provider, service
):
    url = reverse("scheduling:appointment_create")
    signed_in.post(url, booking(client_record, provider, service))

    # Back, then Book again: the page was reloaded, so the token is new.
    response = signed_in.post(url, booking(client_record, provider, service))

    assert response.status_code == 200
    assert "already has the same booking" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_the_last_evening_of_year_9999_is_a_form_error_not_a_crash(
    signed_in, client_record, provider, service
):
    data = booking(
        client_record,
        provider,
        service,
        date="9999-12-31",
        start_time="19:00",
        end_time="20:00",
    )

    response = signed_in.post(reverse("scheduling:appointment_create"), data)

    assert response.status_code == 200
    assert not Appointment.objects.exists()
    assert response.context["form"].errors


def test_an_outcome_recorded_by_mistake_can_be_changed(signed_in, client_record):
    started = factories.AppointmentFactory(
        client=client_record,
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1),
        status=Status.NO_SHOW,
    )
    page = signed_in.get(
        reverse("scheduling:appointment_detail", args=[started.public_id])
    )
    assert b"Change the outcome" in page.content

    signed_in.post(
        reverse("scheduling:appointment_outcome", args=[started.public_id]),
        {"status": "completed"},
    )

    started.refresh_from_db()
    assert started.status == Status.COMPLETED
