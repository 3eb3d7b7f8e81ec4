"""Every write to appointments goes through here: views, the admin and commands.

The rules that matter most (visible stays visible, no hidden appointment when
hiding is switched off) are also held by database triggers; the checks here
exist to turn a refused write into a clear message before it reaches them.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import recurrence
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Client, Organization, StaffMember, User
from permissions.models import Permission
from permissions.services import require_permission
from scheduling.links import web_link
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    LocationKind,
    SchedulingSettings,
    Service,
    Status,
    VisibilityChange,
    VisibilityChangeItem,
)

logger = logging.getLogger(__name__)

HIDING_NOT_ALLOWED = _(
    "Hiding appointments from clients is switched off for this organization "
    "(Scheduling, Settings, Additional Settings)."
)


def scheduling_settings(organization: Organization) -> SchedulingSettings:
    """The organization's settings, made with their defaults if a path that
    skips model signals (bulk_create, raw SQL) created the organization."""
    settings_row, _ = SchedulingSettings.objects.get_or_create(
        organization=organization
    )
    return settings_row


def hiding_allowed(organization: Organization) -> bool:
    return scheduling_settings(organization).allow_hiding


@transaction.atomic
def set_allow_hiding(*, actor: User, organization: Organization, allow: bool) -> None:
    require_permission(actor, organization.pk, Permission.CHANGE_SCHEDULING_SETTINGS)
    SchedulingSettings.objects.update_or_create(
        organization=organization,
        defaults={"allow_hiding": allow, "updated_by": actor},
    )


def _check_placement(
    organization: Organization,
    *,
    client: Client,
    provider: StaffMember,
    service: Service,
    location_kind: str,
    telehealth_url: str,
) -> None:
    foreign = [
        obj
        for obj in (client, provider, service)
        if obj.organization_id != organization.pk
    ]
    if foreign:
        raise ValidationError(
            _("Client, provider and service must be of one practice.")
        )
    if location_kind == LocationKind.TELEHEALTH and not telehealth_url:
        raise ValidationError(
            {"telehealth_url": _("A telehealth appointment needs its link.")}
        )
    if location_kind != LocationKind.TELEHEALTH and telehealth_url:
        raise ValidationError(
            {
                "telehealth_url": _(
                    "Only a telehealth appointment takes a link; choose Telehealth "
                    "as the location or clear the link."
                )
            }
        )
    # Families open this link from the portal, which offers only web links.
    if telehealth_url and not web_link(telehealth_url):
        raise ValidationError(
            {"telehealth_url": _("The link must start with https:// or http://.")}
        )


# Dates outside this window are typing mistakes, and a visible appointment
# cannot be hidden again, so a mistake would stay on a family's schedule.
EARLIEST_DATE = dt.date(2000, 1, 1)
YEARS_AHEAD = 3


def _check_date_in_range(day: dt.date, field: str) -> None:
    latest = timezone.localdate() + dt.timedelta(days=365 * YEARS_AHEAD)
    if not EARLIEST_DATE <= day <= latest:
        raise ValidationError(
            {
                field: _("Choose a date between %(first)s and %(last)s.")
                % {"first": EARLIEST_DATE.isoformat(), "last": latest.isoformat()}
            }
        )


def _check_times(
    organization: Organization, starts_at: dt.datetime, ends_at: dt.datetime
) -> None:
    if ends_at <= starts_at:
        raise ValidationError(
            {"ends_at": _("An appointment must end after it starts.")}
        )
    _check_date_in_range(starts_at.astimezone(organization.zone).date(), "starts_at")


# A booking sent twice (Back, then Book again) would otherwise stay on a
# family's schedule for good: visible rows are never hidden or deleted.
DUPLICATE_BOOKING = gettext_lazy(
    "This client already has the same booking with this provider at this time."
)

# The first key of PostgreSQL advisory locks this module takes.
BOOKING_LOCK_SPACE = 7301


def _lock_client_bookings(client: Client) -> None:
    """Serialize bookings for one client until the transaction ends, so two
    identical requests arriving together cannot both pass the duplicate check."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [BOOKING_LOCK_SPACE, client.pk]
        )


def _check_new_booking(
    actor: User,
    *,
    client: Client,
    provider: StaffMember,
    service: Service,
    location_kind: str,
    telehealth_url: str,
    visible_to_client: bool,
) -> None:
    """What a single appointment and a series must both pass to be booked."""
    organization = client.organization
    require_permission(actor, organization.pk, Permission.MANAGE_SCHEDULING)
    _check_placement(
        organization,
        client=client,
        provider=provider,
        service=service,
        location_kind=location_kind,
        telehealth_url=telehealth_url,
    )
    if not visible_to_client and not hiding_allowed(organization):
        raise ValidationError({"visible_to_client": HIDING_NOT_ALLOWED})


@transaction.atomic
def create_appointment(
    *,
    actor: User,
    client: Client,
    provider: StaffMember,
    service: Service,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location_kind: str,
    location_detail: str = "",
    telehealth_url: str = "",
    internal_notes: str = "",
    visible_to_client: bool,
) -> Appointment:
    organization = client.organization
    _check_new_booking(
        actor,
        client=client,
        provider=provider,
        service=service,
        location_kind=location_kind,
        telehealth_url=telehealth_url,
        visible_to_client=visible_to_client,
    )
    _check_times(organization, starts_at, ends_at)
    _lock_client_bookings(client)
    twin = Appointment.objects.filter(
        organization=organization,
        client=client,
        provider=provider,
        starts_at=starts_at,
        ends_at=ends_at,
    ).exclude(status=Status.CANCELLED)
    if twin.exists():
        raise ValidationError(DUPLICATE_BOOKING)

    return Appointment.objects.create(
        organization=organization,
        client=client,
        provider=provider,
        service=service,
        starts_at=starts_at,
        ends_at=ends_at,
        location_kind=location_kind,
        location_detail=location_detail,
        telehealth_url=telehealth_url,
        internal_notes=internal_notes,
        visible_to_client=visible_to_client,
        created_by=actor,
    )


@transaction.atomic
def create_series(
    *,
    actor: User,
    client: Client,
    provider: StaffMember,
    service: Service,
    first_date: dt.date,
    local_start_time: dt.time,
    duration_minutes: int,
    weekdays: Sequence[int],
    interval_weeks: int = 1,
    ends: str,
    end_date: dt.date | None = None,
    occurrence_count: int | None = None,
    location_kind: str,
    location_detail: str = "",
    telehealth_url: str = "",
    internal_notes: str = "",
    visible_to_client: bool,
) -> AppointmentSeries:
    organization = client.organization
    _check_new_booking(
        actor,
        client=client,
        provider=provider,
        service=service,
        location_kind=location_kind,
        telehealth_url=telehealth_url,
        visible_to_client=visible_to_client,
    )

    _check_date_in_range(first_date, "first_date")
    if end_date is not None and ends == AppointmentSeries.Ends.ON_DATE:
        _check_date_in_range(end_date, "end_date")

    series = AppointmentSeries(
        organization=organization,
        client=client,
        provider=provider,
        service=service,
        location_kind=location_kind,
        location_detail=location_detail,
        telehealth_url=telehealth_url,
        internal_notes=internal_notes,
        time_zone=organization.time_zone,
        first_date=first_date,
        local_start_time=local_start_time,
        duration_minutes=duration_minutes,
        weekdays=sorted(set(weekdays)),
        interval_weeks=interval_weeks,
        ends=ends,
        end_date=end_date if ends == AppointmentSeries.Ends.ON_DATE else None,
        occurrence_count=(
            occurrence_count if ends == AppointmentSeries.Ends.AFTER_COUNT else None
        ),
        visible_default=visible_to_client,
        created_by=actor,
    )
    series.full_clean()
    _check_series_has_sessions(series)
    _lock_client_bookings(client)
    twin = AppointmentSeries.objects.filter(
        organization=organization,
        client=client,
        provider=provider,
        service=service,
        first_date=series.first_date,
        local_start_time=series.local_start_time,
        duration_minutes=series.duration_minutes,
        weekdays=series.weekdays,
        interval_weeks=series.interval_weeks,
    )
    if twin.exists():
        raise ValidationError(DUPLICATE_BOOKING)
    series.save()

    materialize_series(series)
    return series


def _check_series_has_sessions(series: AppointmentSeries) -> None:
    """Refuse a series staff could never see: one with no session in reach.

    Series are never deleted, so one booked by mistake would stay for good.
    """
    horizon = horizon_date(series)
    if series.first_date > horizon:
        raise ValidationError(
            {
                "first_date": _(
                    "A series must start by %(date)s; sessions are added to the "
                    "schedule that far ahead."
                )
                % {"date": horizon.isoformat()}
            }
        )
    # Every chosen weekday comes round once within the series' interval.
    first_cycle_end = series.first_date + dt.timedelta(weeks=series.interval_weeks)
    if not occurrence_starts(series, through=first_cycle_end):
        raise ValidationError(
            {
                "weekdays": _(
                    "None of the chosen days falls between the first date and "
                    "the end date, so this series would have no sessions."
                )
            }
        )


def occurrence_starts(
    series: AppointmentSeries, *, through: dt.date
) -> list[dt.datetime]:
    """The aware starts of a series' occurrences up to and including a local date.

    The rule is expanded on naive local wall-clock times and only then given
    the zone, so daylight saving moves the UTC instant, never the local time.
    """
    rule = recurrence.Rule(
        recurrence.WEEKLY,
        interval=series.interval_weeks,
        byday=list(series.weekdays),
        count=series.occurrence_count,
        until=(
            dt.datetime.combine(series.end_date, dt.time.max)
            if series.end_date
            else None
        ),
    )
    first = dt.datetime.combine(series.first_date, series.local_start_time)
    last = dt.datetime.combine(through, dt.time.max)
    local_starts = recurrence.Recurrence(rrules=[rule], include_dtstart=False).between(
        first, last, dtstart=first, inc=True
    )

    zone = ZoneInfo(series.time_zone)
    return [local_instant(start, zone) for start in local_starts]


def local_instant(wall_clock: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant a naive wall-clock time names in a zone.

    A time the clocks skip (02:30 on the spring-forward night) is read with
    the offset in force before the change, so it lands at 03:30; a time that
    happens twice takes the first, earlier instant. The result is in UTC so
    that adding a duration to it adds elapsed time: on a zone-aware value
    Python adds wall-clock time, which would shorten or stretch a session
    that crosses a change.
    """
    return wall_clock.replace(tzinfo=zone).astimezone(dt.UTC)


def horizon_date(series: AppointmentSeries) -> dt.date:
    today = timezone.now().astimezone(ZoneInfo(series.time_zone)).date()
    return today + dt.timedelta(days=settings.SCHEDULING_HORIZON_DAYS)


@transaction.atomic
def materialize_series(
    series: AppointmentSeries, *, through: dt.date | None = None
) -> int:
    """Create the occurrences a series is missing up to ``through``; return how many.

    Safe to run again: an occurrence is keyed by the start its series gave it.
    """
    through = through or horizon_date(series)
    if series.end_date:
        through = min(through, series.end_date)
    series = AppointmentSeries.objects.select_for_update().get(pk=series.pk)

    duration = dt.timedelta(minutes=series.duration_minutes)
    existing = set(
        Appointment.objects.filter(series=series).values_list("series_start", flat=True)
    )
    new_rows = [
        Appointment(
            organization_id=series.organization_id,
            series=series,
            series_start=start,
            client_id=series.client_id,
            provider_id=series.provider_id,
            service_id=series.service_id,
            location_kind=series.location_kind,
            location_detail=series.location_detail,
            telehealth_url=series.telehealth_url,
            internal_notes=series.internal_notes,
            starts_at=start,
            ends_at=start + duration,
            visible_to_client=series.visible_default,
            created_by_id=series.created_by_id,
        )
        for start in occurrence_starts(series, through=through)
        if start not in existing
    ]
    Appointment.objects.bulk_create(new_rows, batch_size=1000)

    if series.materialized_through is None or through > series.materialized_through:
        series.materialized_through = through
        series.save(update_fields=["materialized_through"])
    return len(new_rows)


def extend_open_series(organization: Organization | None = None) -> int:
    """Roll every unfinished series forward to the horizon; return rows created.

    A series that ends is unfinished too while its end lies past the horizon
    it was materialized to: thirty weekly sessions outrun a 26-week horizon.
    """
    ends = AppointmentSeries.Ends
    open_series = AppointmentSeries.objects.annotate(made=Count("occurrences")).filter(
        Q(ends=ends.NEVER)
        | Q(materialized_through__isnull=True)
        | Q(ends=ends.ON_DATE, materialized_through__lt=F("end_date"))
        | Q(ends=ends.AFTER_COUNT, made__lt=F("occurrence_count"))
    )
    if organization is not None:
        open_series = open_series.filter(organization=organization)

    created = 0
    for series in open_series.iterator():
        # One series the database refuses must not stop every practice's
        # nightly run; each materialization is its own transaction.
        try:
            created += materialize_series(series)
        except DatabaseError:
            logger.exception("Series %s could not be extended", series.pk)
    return created


def check_update(
    appointment: Appointment,
    *,
    provider: StaffMember,
    service: Service,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location_kind: str,
    telehealth_url: str,
) -> None:
    """What an edit must pass, for forms that show the refusal beside the field."""
    if appointment.status == Status.CANCELLED:
        raise ValidationError(_("A cancelled appointment cannot be changed."))
    _check_placement(
        appointment.organization,
        client=appointment.client,
        provider=provider,
        service=service,
        location_kind=location_kind,
        telehealth_url=telehealth_url,
    )
    _check_times(appointment.organization, starts_at, ends_at)


# What an edit may change; visibility, client and status are never among them.
EDITABLE_FIELDS = (
    "provider",
    "service",
    "starts_at",
    "ends_at",
    "location_kind",
    "location_detail",
    "telehealth_url",
    "internal_notes",
)


@transaction.atomic
def update_appointment(
    *,
    actor: User,
    appointment: Appointment,
    provider: StaffMember,
    service: Service,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location_kind: str,
    location_detail: str = "",
    telehealth_url: str = "",
    internal_notes: str = "",
) -> Appointment:
    """Change one appointment's time, provider or place; its visibility stays."""
    require_permission(actor, appointment.organization_id, Permission.MANAGE_SCHEDULING)
    check_update(
        appointment,
        provider=provider,
        service=service,
        starts_at=starts_at,
        ends_at=ends_at,
        location_kind=location_kind,
        telehealth_url=telehealth_url,
    )

    changes = {
        "provider": provider,
        "service": service,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location_kind": location_kind,
        "location_detail": location_detail,
        "telehealth_url": telehealth_url,
        "internal_notes": internal_notes,
    }
    for field in EDITABLE_FIELDS:
        setattr(appointment, field, changes[field])
    appointment.save(update_fields=[*EDITABLE_FIELDS, "updated_at"])
    return appointment


@transaction.atomic
def cancel_appointment(*, actor: User, appointment: Appointment) -> Appointment:
    """Cancel, keeping the row and its visibility: clients see it as cancelled."""
    require_permission(actor, appointment.organization_id, Permission.MANAGE_SCHEDULING)
    if appointment.status != Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled appointment can be cancelled."))

    appointment.status = Status.CANCELLED
    appointment.save(update_fields=["status", "updated_at"])
    return appointment


OUTCOMES = (Status.COMPLETED, Status.NO_SHOW)


@transaction.atomic
def record_outcome(
    *, actor: User, appointment: Appointment, status: str
) -> Appointment:
    """Mark a session that has started as completed or as a no-show."""
    require_permission(actor, appointment.organization_id, Permission.MANAGE_SCHEDULING)
    if status not in OUTCOMES:
        raise ValidationError(_("An outcome is either completed or no-show."))
    if appointment.status == Status.CANCELLED:
        raise ValidationError(_("A cancelled appointment has no outcome."))
    if appointment.starts_at > timezone.now():
        raise ValidationError(_("An appointment gets its outcome once it has started."))

    appointment.status = status
    appointment.save(update_fields=["status", "updated_at"])
    return appointment


@transaction.atomic
def record_outcomes(
    *,
    actor: User,
    organization: Organization,
    appointment_ids: Iterable[int],
    status: str,
) -> int:
    """Give many started, scheduled sessions one outcome; return how many changed.

    Rows that are cancelled, already have an outcome, have not started or
    belong to another organization are passed over.
    """
    require_permission(actor, organization.pk, Permission.MANAGE_SCHEDULING)
    if status not in OUTCOMES:
        raise ValidationError(_("An outcome is either completed or no-show."))

    return Appointment.objects.filter(
        organization=organization,
        pk__in=list(appointment_ids),
        status=Status.SCHEDULED,
        starts_at__lte=timezone.now(),
    ).update(status=status, updated_at=timezone.now())


@transaction.atomic
def unhide_appointments(
    *,
    actor: User,
    organization: Organization,
    appointment_ids: Iterable[int],
    action: str,
    series: AppointmentSeries | None = None,
) -> VisibilityChange | None:
    """Make hidden appointments visible for good, and record who did it.

    Rows already visible, or of another organization, are passed over; None
    comes back when nothing was left to unhide.
    """
    require_permission(actor, organization.pk, Permission.UNHIDE_APPOINTMENTS)

    hidden = Appointment.objects.filter(
        organization=organization, pk__in=list(appointment_ids), visible_to_client=False
    )
    ids = list(hidden.select_for_update().values_list("pk", flat=True))
    if not ids and series is None:
        return None

    Appointment.objects.filter(pk__in=ids).update(
        visible_to_client=True, updated_at=timezone.now()
    )
    change = VisibilityChange.objects.create(
        organization=organization,
        action=action,
        changed_by=actor,
        series=series,
        appointment_count=len(ids),
    )
    VisibilityChangeItem.objects.bulk_create(
        [
            VisibilityChangeItem(
                organization=organization, change=change, appointment_id=pk
            )
            for pk in ids
        ],
        batch_size=5000,
    )
    return change


def unhide_one(*, actor: User, appointment: Appointment) -> VisibilityChange | None:
    """Unhide a single appointment; its series' default for later ones is unchanged."""
    return unhide_appointments(
        actor=actor,
        organization=appointment.organization,
        appointment_ids=[appointment.pk],
        action=VisibilityChange.Action.UNHIDE_ONE,
    )


@transaction.atomic
def unhide_this_and_following(
    *, actor: User, appointment: Appointment
) -> VisibilityChange | None:
    """Unhide an occurrence and all later ones; the series turns visible for good."""
    series = appointment.series
    if series is None:
        raise ValidationError(_("This appointment is not part of a series."))
    require_permission(
        actor, appointment.organization_id, Permission.UNHIDE_APPOINTMENTS
    )

    # Locked so that a materialization running now sees the new default.
    series = AppointmentSeries.objects.select_for_update().get(pk=series.pk)
    switches_default = not series.visible_default
    if switches_default:
        AppointmentSeries.objects.filter(pk=series.pk).update(visible_default=True)
    following = Appointment.objects.filter(
        series=series, series_start__gte=appointment.series_start
    ).values_list("pk", flat=True)
    # With nothing hidden and the default already visible, nothing changes
    # and nothing is recorded.
    return unhide_appointments(
        actor=actor,
        organization=appointment.organization,
        appointment_ids=following,
        action=VisibilityChange.Action.UNHIDE_FOLLOWING,
        series=series if switches_default else None,
    )
