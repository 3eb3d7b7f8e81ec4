"""Staff forms for appointments. They parse and offer choices; rules stay in services.

Every choice a form offers (clients, providers, services) comes from the staff
member's own organization, so a crafted id from another practice is an invalid
choice, not a row the service has to refuse.

Times are typed as local wall-clock times in the organization's zone and turned
into aware datetimes here, with zoneinfo.
"""

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from functools import cached_property
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Client, Organization, StaffMember
from scheduling import services
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    LocationKind,
    Service,
    Status,
)

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]

# Where a service names a model field, the form field that shows its message.
SERVICE_ERROR_FIELDS = {
    "starts_at": "start_time",
    "ends_at": "end_time",
    "local_start_time": "start_time",
    "first_date": "date",
    "weekdays": "weekdays",
    "interval_weeks": "interval_weeks",
    "end_date": "end_date",
    "occurrence_count": "occurrence_count",
    "duration_minutes": "duration_minutes",
    "location_kind": "location_kind",
    "location_detail": "location_detail",
    "telehealth_url": "telehealth_url",
    "internal_notes": "internal_notes",
    "visible_to_client": "visible_to_client",
}


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form field it is about."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = SERVICE_ERROR_FIELDS.get(name)
        form.add_error(field if field in form.fields else None, errors)


def selection_fingerprint(public_ids: Iterable[uuid.UUID]) -> str:
    """A digest of exactly which appointments a bulk confirmation showed.

    The count alone misses a swap: one row unhidden elsewhere and another booked
    hidden for the same filter leave the number as it was but the set changed.
    """
    joined = ",".join(sorted(str(public_id) for public_id in public_ids))
    return hashlib.sha256(joined.encode()).hexdigest()


# Outside these years a list date is a typing mistake, and a day past the last
# one cannot even be computed (the list filters up to the day after "To").
FIRST_LIST_DATE = dt.date(1900, 1, 1)
LAST_LIST_DATE = dt.date(2999, 12, 31)


def validate_list_date(day: dt.date) -> None:
    if not FIRST_LIST_DATE <= day <= LAST_LIST_DATE:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s."),
            params={
                "first": FIRST_LIST_DATE.isoformat(),
                "last": LAST_LIST_DATE.isoformat(),
            },
        )


def local_datetime(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """An aware datetime for a wall-clock time, refusing one that never happens.

    On the night clocks go forward, 02:30 does not exist; zoneinfo would quietly
    give a time an hour off, so it is refused instead.
    """
    aware = dt.datetime.combine(day, time, tzinfo=zone)
    try:
        round_trip = aware.astimezone(dt.UTC).astimezone(zone)
    except OverflowError:
        # The last evening of year 9999 is past what a datetime holds in UTC.
        raise ValidationError(_("Choose a realistic date.")) from None
    if round_trip.replace(tzinfo=None) != aware.replace(tzinfo=None):
        raise ValidationError(
            _("%(time)s does not exist on %(date)s: the clocks change that night."),
            params={"time": time.strftime("%H:%M"), "date": day.isoformat()},
        )
    return aware


def limit_choices(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """Offer only these rows in one of the form's model choice fields."""
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset


def organization_clients(organization: Organization) -> QuerySet[Client]:
    return Client.objects.filter(organization=organization, is_active=True)


def organization_staff(organization: Organization) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(organization=organization, is_active=True)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class AppointmentFilterForm(forms.Form):
    """The filters of the staff appointment list; every field is optional."""

    VISIBILITY_CHOICES = [
        ("all", _("All")),
        ("visible", _("Visible to client")),
        ("hidden", _("Hidden from client")),
    ]

    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), required=False, empty_label=_("All clients")
    )
    provider = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(),
        required=False,
        empty_label=_("All providers"),
    )
    visibility = forms.ChoiceField(
        choices=VISIBILITY_CHOICES, required=False, initial="all"
    )
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *Status.choices], required=False
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput(),
        validators=[validate_list_date],
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=DateInput(),
        validators=[validate_list_date],
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        limit_choices(self, "client", Client.objects.filter(organization=organization))
        limit_choices(
            self, "provider", StaffMember.objects.filter(organization=organization)
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the range is before its start."))
        return cleaned

    def summary(self) -> list[tuple[str, str]]:
        """The filters in force, as label and readable value, for a confirmation."""
        data = getattr(self, "cleaned_data", {})
        shown = []
        for name, field in self.fields.items():
            value = data.get(name)
            if value in (None, "", "all"):
                continue
            if isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField
            ):
                value = dict(field.choices).get(value, value)  # type: ignore[arg-type]
            shown.append((str(self[name].label), str(value)))
        return shown

    def filter(self, appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
        """Narrow a queryset by the filters; a filter that does not parse matches none.

        Dropping only the bad value would widen the list, and "all matching" with
        it, to rows the member never asked for (another client's, every date).
        """
        if not self.is_valid():
            return appointments.none()
        data = self.cleaned_data
        zone = self.organization.zone
        if data.get("client"):
            appointments = appointments.filter(client=data["client"])
        if data.get("provider"):
            appointments = appointments.filter(provider=data["provider"])
        if data.get("visibility") == "visible":
            appointments = appointments.filter(visible_to_client=True)
        elif data.get("visibility") == "hidden":
            appointments = appointments.filter(visible_to_client=False)
        if data.get("status"):
            appointments = appointments.filter(status=data["status"])
        # A day runs from local midnight to local midnight, whatever UTC says.
        if data.get("date_from"):
            start = dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=zone)
            appointments = appointments.filter(starts_at__gte=start)
        if data.get("date_to"):
            next_day = data["date_to"] + dt.timedelta(days=1)
            end = dt.datetime.combine(next_day, dt.time.min, tzinfo=zone)
            appointments = appointments.filter(starts_at__lt=end)
        return appointments


class PublicIdsField(forms.Field):
    """Several appointment UUIDs, as checkboxes or hidden inputs send them."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[uuid.UUID]:
        if not value:
            return []
        try:
            return [uuid.UUID(str(item)) for item in value]
        except ValueError as error:
            raise ValidationError(
                _("An appointment reference is not valid.")
            ) from error


class BulkUnhideForm(forms.Form):
    """What to unhide: the ticked rows, or every row matching the list's filter."""

    SELECTED = "selected"
    MATCHING = "matching"

    scope = forms.ChoiceField(
        choices=[(SELECTED, _("Selected")), (MATCHING, _("All matching"))],
        required=False,
    )
    selected = PublicIdsField(required=False)
    # What the confirmation page showed: how many, and selection_fingerprint().
    expected = forms.IntegerField(required=False, min_value=0)
    fingerprint = forms.CharField(required=False, max_length=64)
    confirmed = forms.BooleanField(required=False)

    @property
    def matching(self) -> bool:
        return self.cleaned_data.get("scope") == self.MATCHING


class PlacementForm(forms.Form):
    """Who, what, when and where: the fields both creating and editing change."""

    provider = forms.ModelChoiceField(queryset=StaffMember.objects.none())
    service = forms.ModelChoiceField(queryset=Service.objects.none())
    date = forms.DateField(widget=DateInput())
    start_time = forms.TimeField(widget=TimeInput())
    end_time = forms.TimeField(
        required=False,
        widget=TimeInput(),
        help_text=_("Or give a duration below."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=5, max_value=12 * 60
    )
    location_kind = forms.ChoiceField(label=_("Location"), choices=LocationKind.choices)
    location_detail = forms.CharField(
        label=_("Room or address"), max_length=200, required=False
    )
    telehealth_url = forms.URLField(
        label=_("Telehealth link"), required=False, assume_scheme="https"
    )
    internal_notes = forms.CharField(
        label=_("Internal notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Never shown to clients."),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        limit_choices(self, "provider", organization_staff(organization))
        limit_choices(
            self, "service", Service.objects.filter(organization=organization)
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, start = cleaned.get("date"), cleaned.get("start_time")
        if day is None or start is None:
            return cleaned

        end, minutes = cleaned.get("end_time"), cleaned.get("duration_minutes")
        if end is not None:
            wall_clock = dt.datetime.combine(day, end) - dt.datetime.combine(day, start)
            until_end = int(wall_clock.total_seconds() // 60)
            if minutes is not None and minutes != until_end:
                self.add_error(
                    "duration_minutes",
                    _("The duration does not match the end time; give only one."),
                )
                return cleaned
            minutes = until_end
        elif minutes is None:
            # A duration or end time that did not parse has its own message.
            if not self.has_error("end_time") and not self.has_error(
                "duration_minutes"
            ):
                self.add_error("end_time", _("Give an end time or a duration."))
            return cleaned
        if minutes <= 0:
            self.add_error("end_time", _("The appointment must end after it starts."))
            return cleaned

        zone = self.organization.zone
        try:
            starts_at = local_datetime(day, start, zone)
        except ValidationError as error:
            self.add_error("start_time", error)
            return cleaned
        if end is not None:
            try:
                ends_at = local_datetime(day, end, zone)
            except ValidationError as error:
                self.add_error("end_time", error)
                return cleaned
        else:
            # A duration is time elapsed; aware arithmetic in Python adds to the
            # wall clock, which is an hour off on the night the clocks change.
            elapsed = starts_at.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)
            ends_at = elapsed.astimezone(zone)
        cleaned.update(starts_at=starts_at, ends_at=ends_at, minutes=minutes)
        return cleaned

    def placement(self) -> dict[str, Any]:
        """The keyword arguments every scheduling service takes for a placement."""
        data = self.cleaned_data
        return {
            "provider": data["provider"],
            "service": data["service"],
            "location_kind": data["location_kind"],
            "location_detail": data["location_detail"],
            "telehealth_url": data["telehealth_url"],
            "internal_notes": data["internal_notes"],
        }


class AppointmentCreateForm(PlacementForm):
    """One appointment, or a weekly series, with the Visible to Client toggle."""

    NO_REPEAT = "none"
    WEEKLY = "weekly"

    field_order = ["client", "provider", "service"]

    client = forms.ModelChoiceField(queryset=Client.objects.none())
    # One token per page shown: a second POST with it (a double click, a
    # resubmitted page) is recognised and books nothing more.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        choices=[(NO_REPEAT, _("Does not repeat")), (WEEKLY, _("Weekly"))],
        initial=NO_REPEAT,
        widget=forms.RadioSelect,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interval_weeks = forms.IntegerField(
        label=_("Every how many weeks"), initial=1, min_value=1, max_value=12
    )
    ends = forms.ChoiceField(
        label=_("Ends"),
        choices=AppointmentSeries.Ends.choices,
        initial=AppointmentSeries.Ends.NEVER,
        widget=forms.RadioSelect,
    )
    end_date = forms.DateField(label=_("End date"), required=False, widget=DateInput())
    occurrence_count = forms.IntegerField(
        label=_("Number of sessions"), required=False, min_value=1, max_value=500
    )
    visible_to_client = forms.BooleanField(
        label=_("Visible to Client"),
        required=False,
        initial=True,
        help_text=_(
            "Clients see this appointment in their portal. A visible appointment "
            "can never be hidden later."
        ),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        limit_choices(self, "client", organization_clients(organization))
        self.hiding_allowed = services.hiding_allowed(organization)
        if not self.hiding_allowed:
            # Shown on and greyed out; the page posts the value in a hidden input,
            # so a request without it is a crafted one and is refused in clean().
            toggle = self.fields["visible_to_client"]
            toggle.widget.attrs["disabled"] = True
            toggle.help_text = _(
                "Hiding appointments from clients is switched off in Scheduling "
                "settings, so every new appointment is visible to the client and "
                "can never be hidden later."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("submission") is None:
            self.add_error(
                None,
                _(
                    "This page was out of date, so nothing was booked. Check the "
                    "details and book again."
                ),
            )

        if cleaned.get("repeat") != self.WEEKLY:
            return cleaned
        if self._left_empty("weekdays"):
            self.add_error("weekdays", _("Choose at least one day of the week."))
        ends = cleaned.get("ends")
        end_date, first = cleaned.get("end_date"), cleaned.get("date")
        on_date = ends == AppointmentSeries.Ends.ON_DATE
        if on_date and self._left_empty("end_date"):
            self.add_error("end_date", _("Give the date the series ends on."))
        elif on_date and first and end_date and end_date < first:
            self.add_error("end_date", _("The series must end after it starts."))
        if ends == AppointmentSeries.Ends.AFTER_COUNT and self._left_empty(
            "occurrence_count"
        ):
            self.add_error("occurrence_count", _("Give the number of sessions."))
        return cleaned

    def _left_empty(self, name: str) -> bool:
        """Empty, not unreadable: a value that did not parse has its own message."""
        return not self.cleaned_data.get(name) and not self.has_error(name)

    @cached_property
    def submission_token(self) -> uuid.UUID:
        """The token this page carries: the one posted with it, else a new one."""
        posted = getattr(self, "cleaned_data", {}).get("submission")
        return posted or uuid.uuid4()

    @property
    def is_series(self) -> bool:
        return self.cleaned_data["repeat"] == self.WEEKLY

    def series_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **self.placement(),
            "client": data["client"],
            "first_date": data["date"],
            "local_start_time": data["start_time"],
            "duration_minutes": data["minutes"],
            "weekdays": data["weekdays"],
            "interval_weeks": data["interval_weeks"],
            "ends": data["ends"],
            "end_date": data["end_date"],
            "occurrence_count": data["occurrence_count"],
            "visible_to_client": data["visible_to_client"],
        }

    def appointment_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **self.placement(),
            "client": data["client"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "visible_to_client": data["visible_to_client"],
        }


class AppointmentEditForm(PlacementForm):
    """Time, provider, service, place and notes; visibility is not for editing."""

    def __init__(self, *args: Any, appointment: Appointment, **kwargs: Any) -> None:
        zone = appointment.organization.zone
        starts = appointment.starts_at.astimezone(zone)
        ends = appointment.ends_at.astimezone(zone)
        same_day = starts.date() == ends.date()
        kwargs.setdefault(
            "initial",
            {
                "provider": appointment.provider_id,
                "service": appointment.service_id,
                "date": starts.date(),
                "start_time": starts.time(),
                # A session past midnight cannot show as an end time on one date.
                "end_time": ends.time() if same_day else None,
                "duration_minutes": None
                if same_day
                else int(appointment.duration.total_seconds() // 60),
                "location_kind": appointment.location_kind,
                "location_detail": appointment.location_detail,
                "telehealth_url": appointment.telehealth_url,
                "internal_notes": appointment.internal_notes,
            },
        )
        super().__init__(*args, organization=appointment.organization, **kwargs)
        # A provider who has since left stays selectable on their own appointments.
        limit_choices(
            self,
            "provider",
            StaffMember.objects.filter(
                Q(is_active=True) | Q(pk=appointment.provider_id),
                organization=appointment.organization,
            ),
        )

    def update_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **self.placement(),
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
        }


class AllowHidingForm(forms.Form):
    allow_hiding = forms.TypedChoiceField(
        label=_("Allow Hiding Appointments from Clients"),
        # The label reads exactly as the setting is named everywhere else.
        label_suffix="",
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        help_text=_(
            "With No, every new appointment is visible to the client. Appointments "
            "already hidden stay hidden until staff unhide them."
        ),
    )
