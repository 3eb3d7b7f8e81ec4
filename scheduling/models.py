"""Appointments, weekly series, scheduling settings and the visibility history."""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Client, Organization, StaffMember, validate_time_zone


class SchedulingSettings(models.Model):
    """Per-organization scheduling settings (Scheduling > Settings)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="scheduling_settings"
    )
    allow_hiding = models.BooleanField(
        _("Allow Hiding Appointments from Clients"), default=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name_plural = "scheduling settings"

    def __str__(self) -> str:
        return f"Scheduling settings of {self.organization}"


class Service(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                "name",
                name="service_name_unique",
                violation_error_message=_(
                    "This practice already offers a service with this name."
                ),
            ),
            models.UniqueConstraint("organization", "id", name="service_org_id_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class LocationKind(models.TextChoices):
    CLINIC = "clinic", _("Clinic")
    HOME = "home", _("Home")
    SCHOOL = "school", _("School")
    TELEHEALTH = "telehealth", _("Telehealth")


class Status(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")


class Placement(models.Model):
    """Who, what and where: the fields a series hands to its occurrences."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+"
    )
    # Unique within the organization (see the constraints of each model).
    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    location_kind = models.CharField(
        _("location"), max_length=20, choices=LocationKind.choices
    )
    location_detail = models.CharField(_("room or address"), max_length=200, blank=True)
    telehealth_url = models.URLField(_("telehealth link"), blank=True)
    internal_notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Never shown to clients.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class AppointmentSeries(Placement):
    """A weekly rule; its occurrences are materialized as Appointment rows.

    The rule is kept as a local wall-clock start plus an IANA zone, and is
    expanded in local time, so a 16:00 session stays at 16:00 across daylight
    saving changes. A UTC start would drift by an hour after each change.
    """

    class Ends(models.TextChoices):
        ON_DATE = "on_date", _("On a date")
        AFTER_COUNT = "after_count", _("After a number of sessions")
        NEVER = "never", _("Never")

    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    first_date = models.DateField(_("first date"))
    local_start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(12 * 60)]
    )
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(validators=[MaxValueValidator(6)]),
        help_text=_("0 is Monday, 6 is Sunday."),
    )
    interval_weeks = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    ends = models.CharField(max_length=20, choices=Ends.choices)
    end_date = models.DateField(null=True, blank=True)
    occurrence_count = models.PositiveSmallIntegerField(null=True, blank=True)
    visible_default = models.BooleanField(
        _("visible to client"),
        help_text=_("Visibility of occurrences this series creates from now on."),
    )
    materialized_through = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "appointment series"
        constraints = [
            models.UniqueConstraint("organization", "id", name="series_org_id_unique"),
            models.UniqueConstraint(
                "organization", "public_id", name="series_public_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(weekdays__len__gt=0),
                name="series_has_weekdays",
                violation_error_message=_("Choose at least one day of the week."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(ends="on_date", end_date__isnull=False, occurrence_count=None)
                    | Q(ends="after_count", end_date=None, occurrence_count__gt=0)
                    | Q(ends="never", end_date=None, occurrence_count=None)
                ),
                name="series_end_is_consistent",
                violation_error_message=_(
                    "Give an end date, a number of sessions, or no end, "
                    "to match how the series ends."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_date=None) | Q(end_date__gte=F("first_date")),
                name="series_ends_after_it_starts",
                violation_error_message=_(
                    "A series must end on or after its first date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} for {self.client}, weekly"


class Appointment(Placement):
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    series_start = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("The start the series gave this occurrence, kept after edits."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    visible_to_client = models.BooleanField(_("Visible to Client"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(
                fields=["organization", "client", "starts_at"],
                name="appt_client_time",
                condition=Q(visible_to_client=True),
            ),
            models.Index(fields=["organization", "starts_at"], name="appt_org_time"),
        ]
        constraints = [
            models.UniqueConstraint("organization", "id", name="appt_org_id_unique"),
            models.UniqueConstraint(
                "organization", "public_id", name="appt_public_id_unique"
            ),
            models.UniqueConstraint(
                "organization",
                "series",
                "series_start",
                name="appt_one_per_series_start",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="appt_ends_after_start",
                violation_error_message=_("An appointment must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(series=None, series_start=None)
                | Q(series__isnull=False, series_start__isnull=False),
                name="appt_series_start_with_series",
            ),
        ]

    def __str__(self) -> str:
        # In the practice's own zone: this is what the admin titles show.
        local = self.starts_at.astimezone(self.organization.zone)
        return f"{self.service} for {self.client} at {local:%Y-%m-%d %H:%M %Z}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == Status.CANCELLED

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at


class VisibilityChange(models.Model):
    """One act of making appointments visible: who, when, how, and which."""

    class Action(models.TextChoices):
        UNHIDE_ONE = "unhide_one", _("Unhid one appointment")
        UNHIDE_SELECTED = "unhide_selected", _("Unhid selected appointments")
        UNHIDE_MATCHING = (
            "unhide_matching",
            _("Unhid every appointment matching a filter"),
        )
        UNHIDE_FOLLOWING = "unhide_following", _("Unhid this and following occurrences")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set when the series' default switched to visible."),
    )
    appointment_count = models.PositiveIntegerField()
    appointments: "models.ManyToManyField[Appointment, VisibilityChangeItem]" = (
        models.ManyToManyField(
            Appointment,
            through="VisibilityChangeItem",
            related_name="visibility_changes",
        )
    )

    class Meta:
        ordering = ["-changed_at"]
        constraints = [
            models.UniqueConstraint("organization", "id", name="change_org_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.appointment_count})"


class VisibilityChangeItem(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+"
    )
    change = models.ForeignKey(
        VisibilityChange, on_delete=models.PROTECT, related_name="items"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organization", "change", "appointment", name="change_item_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_id} in change {self.change_id}"
