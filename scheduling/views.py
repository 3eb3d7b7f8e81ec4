"""Staff screens for appointments: list, create, edit, cancel, unhide, settings.

Views parse a request, call scheduling.services and answer. Every appointment
loads through the staff member's organization, so another practice's UUID is a
404 like a row that does not exist.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from permissions.decorators import StaffRequest, staff_required
from permissions.models import Permission
from scheduling import services
from scheduling.forms import (
    WEEKDAYS,
    AllowHidingForm,
    AppointmentCreateForm,
    AppointmentEditForm,
    AppointmentFilterForm,
    BulkUnhideForm,
    add_service_error,
    selection_fingerprint,
)
from scheduling.links import web_link
from scheduling.models import Appointment, Status, VisibilityChange

PAGE_SIZE = 50
LIST_TEMPLATE = "scheduling/appointment_list.html"
# How long a booking form's token is remembered once it has been used.
SUBMISSION_SECONDS = 3600
NOTHING_CHANGED = _lazy(
    "Nothing changed: those appointments were already visible to the client."
)


def _appointments(request: StaffRequest) -> QuerySet[Appointment]:
    return Appointment.objects.filter(organization_id=request.staff.organization_id)


def _appointment_or_404(request: StaffRequest, public_id: uuid.UUID) -> Appointment:
    rows = _appointments(request).select_related(
        "organization", "client", "provider", "service", "series", "created_by"
    )
    return get_object_or_404(rows, public_id=public_id)


def _next_or(request: StaffRequest, default: str) -> str:
    """The page the request came from when it is ours, else ``default``."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _filter_form(request: StaffRequest, data: QueryDict) -> AppointmentFilterForm:
    """The list's filters; with no date given the list starts today, not years ago."""
    if "date_from" not in data:
        data = data.copy()
        today = timezone.localdate(timezone=request.staff.organization.zone)
        data["date_from"] = today.isoformat()
    form = AppointmentFilterForm(data, organization=request.staff.organization)
    form.is_valid()
    return form


@staff_required(Permission.MANAGE_SCHEDULING)
@require_http_methods(["GET", "HEAD"])
def appointment_list(request: StaffRequest) -> HttpResponse:
    filter_form = _filter_form(request, request.GET)
    appointments = (
        filter_form.filter(_appointments(request))
        .select_related("client", "provider", "service")
        .order_by("starts_at", "pk")
    )
    page = Paginator(appointments, PAGE_SIZE).get_page(request.GET.get("page"))

    return render(
        request,
        LIST_TEMPLATE,
        {
            "filter_form": filter_form,
            # An invalid filter lists nothing, so nothing can be unhidden in bulk.
            "filter_valid": filter_form.is_valid(),
            "page": page,
            "matching_count": page.paginator.count,
        },
    )


@staff_required(Permission.MANAGE_SCHEDULING)
@require_http_methods(["GET", "HEAD", "POST"])
def appointment_create(request: StaffRequest) -> HttpResponse:
    organization = request.staff.organization
    form = AppointmentCreateForm(request.POST or None, organization=organization)
    if request.method != "POST" or not form.is_valid():
        return _render_create(request, form)

    # Claimed before booking, so of two identical POSTs racing only one books.
    # Keyed by the member too: a token copied into another login's POST
    # must not lead to someone else's booking.
    claim = f"booking-token:{request.user.pk}:{form.cleaned_data['submission']}"
    if not cache.add(claim, "", timeout=SUBMISSION_SECONDS):
        messages.info(request, _("This booking was already submitted."))
        return redirect(cache.get(claim) or "scheduling:appointment_list")

    try:
        booked = _book(request, form)
    except Exception as error:
        # Released, so the corrected form, or a retry after a failure, can book.
        cache.delete(claim)
        if not isinstance(error, ValidationError):
            raise
        add_service_error(form, error)
        return _render_create(request, form)

    cache.set(claim, booked, timeout=SUBMISSION_SECONDS)
    return redirect(booked)


def _book(request: StaffRequest, form: AppointmentCreateForm) -> str:
    """Book what the form describes; the page to show it on."""
    if not form.is_series:
        appointment = services.create_appointment(
            actor=request.user, **form.appointment_arguments()
        )
        messages.success(request, _("The appointment is booked."))
        return reverse("scheduling:appointment_detail", args=[appointment.public_id])

    series = services.create_series(actor=request.user, **form.series_arguments())
    first = series.occurrences.order_by("series_start").first()
    count = series.occurrences.count()
    messages.success(
        request,
        ngettext(
            "The weekly series is booked with %(count)d appointment so far.",
            "The weekly series is booked with %(count)d appointments so far.",
            count,
        )
        % {"count": count},
    )
    if first is None:
        return reverse("scheduling:appointment_list")
    return reverse("scheduling:appointment_detail", args=[first.public_id])


def _render_create(request: StaffRequest, form: AppointmentCreateForm) -> HttpResponse:
    return render(
        request,
        "scheduling/appointment_create.html",
        {"form": form, "time_zone": request.staff.organization.time_zone},
    )


@staff_required(Permission.MANAGE_SCHEDULING)
@require_http_methods(["GET", "HEAD"])
def appointment_detail(request: StaffRequest, public_id: uuid.UUID) -> HttpResponse:
    appointment = _appointment_or_404(request, public_id)
    history = (
        VisibilityChange.objects.filter(
            organization_id=appointment.organization_id,
            items__appointment=appointment,
        )
        .select_related("changed_by")
        .order_by("-changed_at")
    )
    day_names = dict(WEEKDAYS)
    series = appointment.series
    series_days = [day_names[day] for day in series.weekdays] if series else []

    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "appointment": appointment,
            "telehealth_link": web_link(appointment.telehealth_url),
            "history": history,
            "series_days": series_days,
            # An outcome recorded by mistake can be changed to the other one.
            "takes_outcome": appointment.status != Status.CANCELLED
            and appointment.starts_at <= timezone.now(),
        },
    )


@staff_required(Permission.MANAGE_SCHEDULING)
@require_http_methods(["GET", "HEAD", "POST"])
def appointment_edit(request: StaffRequest, public_id: uuid.UUID) -> HttpResponse:
    appointment = _appointment_or_404(request, public_id)
    form = AppointmentEditForm(request.POST or None, appointment=appointment)
    context: dict[str, Any] = {"form": form, "appointment": appointment}
    if request.method != "POST" or not form.is_valid():
        return render(request, "scheduling/appointment_edit.html", context)

    try:
        services.update_appointment(
            actor=request.user,
            appointment=appointment,
            **form.update_arguments(),
        )
    except ValidationError as error:
        add_service_error(form, error)
        return render(request, "scheduling/appointment_edit.html", context)

    messages.success(request, _("The appointment is updated."))
    return redirect("scheduling:appointment_detail", appointment.public_id)


@staff_required(Permission.MANAGE_SCHEDULING)
@require_POST
def appointment_cancel(request: StaffRequest, public_id: uuid.UUID) -> HttpResponse:
    appointment = _appointment_or_404(request, public_id)

    try:
        services.cancel_appointment(actor=request.user, appointment=appointment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The appointment is cancelled."))
    return redirect("scheduling:appointment_detail", appointment.public_id)


@staff_required(Permission.MANAGE_SCHEDULING)
@require_POST
def appointment_outcome(request: StaffRequest, public_id: uuid.UUID) -> HttpResponse:
    """Record that a session that has started took place, or was a no-show."""
    appointment = _appointment_or_404(request, public_id)

    try:
        services.record_outcome(
            actor=request.user,
            appointment=appointment,
            status=request.POST.get("status", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Recorded: %(outcome)s.") % {"outcome": appointment.get_status_display()},
        )
    return redirect("scheduling:appointment_detail", appointment.public_id)


@staff_required(Permission.UNHIDE_APPOINTMENTS)
@require_POST
@vary_on_headers("HX-Request")
def appointment_unhide(request: StaffRequest, public_id: uuid.UUID) -> HttpResponse:
    """Unhide one appointment; htmx gets the list row back, others a redirect."""
    appointment = _appointment_or_404(request, public_id)

    change = services.unhide_one(actor=request.user, appointment=appointment)

    if change is None:
        messages.info(request, _("The appointment was already visible to the client."))
    else:
        messages.success(request, _("The appointment is now visible to the client."))
    if request.htmx:  # type: ignore[attr-defined]
        appointment.refresh_from_db(fields=["visible_to_client"])
        return render(
            request, f"{LIST_TEMPLATE}#unhidden-row", {"appointment": appointment}
        )
    detail = reverse("scheduling:appointment_detail", args=[appointment.public_id])
    return redirect(_next_or(request, detail))


@staff_required(Permission.UNHIDE_APPOINTMENTS)
@require_POST
def appointment_unhide_following(
    request: StaffRequest, public_id: uuid.UUID
) -> HttpResponse:
    appointment = _appointment_or_404(request, public_id)

    try:
        change = services.unhide_this_and_following(
            actor=request.user, appointment=appointment
        )
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect("scheduling:appointment_detail", appointment.public_id)

    if change is None:
        messages.info(request, NOTHING_CHANGED)
    elif change.appointment_count == 0:
        messages.success(
            request,
            _(
                "Those appointments were already visible; every later one this "
                "series creates will be visible to the client too."
            ),
        )
    else:
        count = change.appointment_count
        messages.success(
            request,
            ngettext(
                "%(count)d appointment is now visible to the client, and so is "
                "every later one this series creates.",
                "%(count)d appointments are now visible to the client, and so is "
                "every later one this series creates.",
                count,
            )
            % {"count": count},
        )
    return redirect("scheduling:appointment_detail", appointment.public_id)


@staff_required(Permission.UNHIDE_APPOINTMENTS)
@require_POST
def appointment_unhide_bulk(request: StaffRequest) -> HttpResponse:
    """Two steps on one URL: state which and how many, then unhide on confirmation.

    The confirmation carries the count and a fingerprint of the exact rows it
    showed; if the rows differ when it comes back, the page is shown again
    instead of unhiding a set the member did not agree to. Rows someone else
    unhides in the last instant only shrink the set; new ones are never added.
    """
    back = _next_or(request, reverse("scheduling:appointment_list"))
    form = BulkUnhideForm(request.POST)
    filter_form = _filter_form(request, request.POST)
    if not form.is_valid() or (form.matching and not filter_form.is_valid()):
        messages.error(request, _("The selection could not be read; try again."))
        return redirect(back)

    hidden = _appointments(request).filter(visible_to_client=False)
    if form.matching:
        hidden = filter_form.filter(hidden)
    else:
        hidden = hidden.filter(public_id__in=form.cleaned_data["selected"])
    rows = list(hidden.values_list("pk", "public_id"))
    if not rows:
        messages.info(request, _("None of the chosen appointments is hidden."))
        return redirect(back)

    ids = [pk for pk, public_id in rows]
    fingerprint = selection_fingerprint(public_id for pk, public_id in rows)
    confirmed = form.cleaned_data["confirmed"]
    shown = (form.cleaned_data["expected"], form.cleaned_data["fingerprint"])
    changed = shown != (len(ids), fingerprint)
    if not confirmed or changed:
        # Rows ticked by hand come from one page of the list, so they are listed.
        chosen = hidden.select_related("client").order_by("starts_at", "pk")
        context = {
            "count": len(ids),
            "fingerprint": fingerprint,
            "changed": confirmed and changed,
            "chosen": None if form.matching else chosen,
            "form": form,
            "filter_form": filter_form,
            "back": back,
        }
        return render(request, "scheduling/appointment_unhide_confirm.html", context)

    action = (
        VisibilityChange.Action.UNHIDE_MATCHING
        if form.matching
        else VisibilityChange.Action.UNHIDE_SELECTED
    )
    change = services.unhide_appointments(
        actor=request.user,
        organization=request.staff.organization,
        appointment_ids=ids,
        action=action,
    )

    if change is None:
        messages.info(request, NOTHING_CHANGED)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d appointment is now visible to the client.",
                "%(count)d appointments are now visible to their clients.",
                change.appointment_count,
            )
            % {"count": change.appointment_count},
        )
    return redirect(back)


@staff_required(Permission.CHANGE_SCHEDULING_SETTINGS)
@require_http_methods(["GET", "HEAD", "POST"])
def settings_additional(request: StaffRequest) -> HttpResponse:
    organization = request.staff.organization
    current = services.scheduling_settings(organization)
    initial = {"allow_hiding": "yes" if current.allow_hiding else "no"}
    form = AllowHidingForm(request.POST or None, initial=initial)
    if request.method != "POST" or not form.is_valid():
        return render(
            request,
            "scheduling/settings_additional.html",
            {"form": form, "settings": current},
        )

    allow = form.cleaned_data["allow_hiding"]
    services.set_allow_hiding(
        actor=request.user,
        organization=organization,
        allow=allow,
    )

    if allow:
        messages.success(
            request, _("Staff may now create appointments hidden from clients.")
        )
    else:
        messages.success(
            request,
            _(
                "Hiding is switched off: every new appointment is visible to "
                "the client."
            ),
        )
    return redirect("scheduling:settings_additional")
