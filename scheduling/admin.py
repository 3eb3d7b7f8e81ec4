"""Django admin for scheduling, for platform superusers, under the same rules.

Writes go through scheduling.services like every other path: appointments are
booked on the staff screens, never here; visibility only ever changes through
"Make visible to clients"; nothing is deleted. Times read and are typed in the
appointment's own practice zone, as on the staff screens.
"""

import datetime as dt
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import TenantAdminForm, TenantAdminMixin
from accounts.models import StaffMember
from scheduling import services
from scheduling.forms import limit_choices
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    SchedulingSettings,
    Service,
    VisibilityChange,
)


class NoDeleteMixin:
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def practice_time(moment: dt.datetime, zone: ZoneInfo) -> SafeString:
    """A moment as the practice's clock shows it, with the zone's short name."""
    local = moment.astimezone(zone)
    return format_html(
        '<time datetime="{}">{} {}</time>',
        local.isoformat(),
        date_format(local, "D j M Y, H:i"),
        local.tzname() or "",
    )


class AppointmentAdminForm(TenantAdminForm):
    telehealth_url = forms.URLField(
        label=_("telehealth link"), required=False, assume_scheme="https"
    )

    class Meta:
        model = Appointment
        fields = list(services.EDITABLE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the appointment's own practice is on offer.
        organization = self.instance.organization_id
        limit_choices(
            self, "provider", StaffMember.objects.filter(organization_id=organization)
        )
        limit_choices(
            self, "service", Service.objects.filter(organization_id=organization)
        )
        # The admin's change view reads and types times in this zone.
        if organization is not None:
            zone = self.instance.organization.time_zone
            for name in ("starts_at", "ends_at"):
                self.fields[name].help_text = _(
                    "In the practice's time zone, %(zone)s."
                ) % {"zone": zone}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        # The service's own checks, run now so a refusal shows on the form
        # with what the superuser typed still in it.
        try:
            services.check_update(
                self.instance,
                provider=cleaned["provider"],
                service=cleaned["service"],
                starts_at=cleaned["starts_at"],
                ends_at=cleaned["ends_at"],
                location_kind=cleaned["location_kind"],
                telehealth_url=cleaned["telehealth_url"],
            )
        except ValidationError as refusal:
            fields = getattr(refusal, "error_dict", {})
            for name, errors in fields.items():
                self.add_error(name if name in self.fields else None, errors)
            if not fields:
                self.add_error(None, refusal)
        return cleaned


@admin.register(Appointment)
class AppointmentAdmin(TenantAdminMixin, NoDeleteMixin, admin.ModelAdmin):
    form = AppointmentAdminForm
    list_display = [
        "starts",
        "client",
        "provider",
        "service",
        "status",
        "visible_to_client",
        "organization",
    ]
    list_filter = ["visible_to_client", "status", "organization"]
    list_select_related = ["client", "provider", "service", "organization"]
    search_fields = ["client__first_name", "client__last_name", "public_id"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "practice_times",
        "public_id",
        "organization",
        "client",
        "series",
        "series_start",
        "status",
        "visible_to_client",
        "created_at",
        "created_by",
        "updated_at",
    ]
    actions = ["make_visible"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Booking goes through the staff screens, which call the services.
        return False

    @admin.display(description=_("starts"), ordering="starts_at")
    def starts(self, appointment: Appointment) -> SafeString:
        return practice_time(appointment.starts_at, appointment.organization.zone)

    @admin.display(description=_("practice time"))
    def practice_times(self, appointment: Appointment) -> SafeString:
        zone = appointment.organization.zone
        return format_html(
            "{} – {} ({})",
            practice_time(appointment.starts_at, zone),
            practice_time(appointment.ends_at, zone),
            appointment.organization.time_zone,
        )

    def save_model(
        self,
        request: HttpRequest,
        obj: Appointment,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        data = form.cleaned_data
        services.update_appointment(
            actor=request.user,  # type: ignore[arg-type]
            appointment=obj,
            provider=data["provider"],
            service=data["service"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            location_kind=data["location_kind"],
            location_detail=data["location_detail"],
            telehealth_url=data["telehealth_url"],
            internal_notes=data["internal_notes"],
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        appointment = (
            self.get_object(request, unquote(object_id)) if object_id else None
        )
        zone = (
            appointment.organization.zone
            if appointment is not None
            else timezone.get_current_timezone()
        )
        with timezone.override(zone):
            response = super().changeform_view(
                request, object_id, form_url, extra_context
            )
            # Rendered here, while the practice's zone is still the current one.
            if isinstance(response, TemplateResponse):
                response.render()
            return response

    @admin.action(description=_("Make visible to clients"))
    def make_visible(
        self, request: HttpRequest, queryset: QuerySet[Appointment]
    ) -> None:
        by_organization: dict[Any, list[int]] = defaultdict(list)
        for appointment in queryset.filter(visible_to_client=False).select_related(
            "organization"
        ):
            by_organization[appointment.organization].append(appointment.pk)

        count = 0
        for organization, ids in by_organization.items():
            change = services.unhide_appointments(
                actor=request.user,  # type: ignore[arg-type]
                organization=organization,
                appointment_ids=ids,
                action=VisibilityChange.Action.UNHIDE_SELECTED,
            )
            count += change.appointment_count if change else 0

        self.message_user(
            request,
            ngettext(
                "%(count)d appointment is now visible to its client.",
                "%(count)d appointments are now visible to their clients.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(AppointmentSeries)
class AppointmentSeriesAdmin(TenantAdminMixin, NoDeleteMixin, admin.ModelAdmin):
    """Read only: a series is booked and unhidden on the staff screens."""

    list_display = [
        "client",
        "provider",
        "service",
        "first_date",
        "ends",
        "visible_default",
        "organization",
    ]
    list_filter = ["visible_default", "ends", "organization"]
    list_select_related = ["client", "provider", "service", "organization"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SchedulingSettings)
class SchedulingSettingsAdmin(TenantAdminMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["organization", "allow_hiding", "updated_at", "updated_by"]
    fields = ["organization", "allow_hiding", "updated_at", "updated_by"]
    readonly_fields = ["organization", "updated_at", "updated_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Every organization gets its settings when it is created.
        return False

    def save_model(
        self,
        request: HttpRequest,
        obj: SchedulingSettings,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        services.set_allow_hiding(
            actor=request.user,  # type: ignore[arg-type]
            organization=obj.organization,
            allow=obj.allow_hiding,
        )


@admin.register(Service)
class ServiceAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organization"]
    list_filter = ["organization"]
    search_fields = ["name"]


@admin.register(VisibilityChange)
class VisibilityChangeAdmin(TenantAdminMixin, NoDeleteMixin, admin.ModelAdmin):
    """The visibility history: read only, as the database keeps it."""

    list_display = [
        "changed_at",
        "action",
        "appointment_count",
        "changed_by",
        "organization",
    ]
    list_filter = ["action", "organization"]
    list_select_related = ["changed_by", "organization"]
    # One bulk unhide can cover thousands of appointments: the page links to
    # them in the appointment list, which pages, rather than listing them here.
    readonly_fields = ["appointments_link"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("appointments made visible"))
    def appointments_link(self, change: VisibilityChange) -> SafeString:
        count = change.appointment_count
        query = urlencode({"visibility_changes__id__exact": change.pk})
        return format_html(
            '<a href="{}?{}">{}</a>',
            reverse("admin:scheduling_appointment_changelist"),
            query,
            ngettext("%(count)d appointment", "%(count)d appointments", count)
            % {"count": count},
        )
