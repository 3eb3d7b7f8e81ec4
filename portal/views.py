"""The client portal: pages a client or guardian sees.

Every appointment and contact shown here comes from ``portal.policy``, which
hands over client-safe values and answers 404 for anything the login may not
see. These views only pick which policy call to make and which page to draw.
"""

import calendar
import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import get_format
from django.views.decorators.http import require_GET

from accounts.models import Module
from portal import policy

# Month pages outside this range answer 404; it keeps the arithmetic for the
# previous and next links inside what datetime and PostgreSQL can represent.
FIRST_YEAR = 1900
LAST_YEAR = 2200

TEAM_PREVIEW_SIZE = 6
PAST_LIMIT = 50


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    in_month: bool
    is_today: bool
    appointments: tuple[policy.AppointmentView, ...]


@dataclass(frozen=True)
class MenuEntry:
    section: str
    label: str
    url: str


def _module_menu(scope: policy.ClientScope) -> list[MenuEntry]:
    """Menu entries for subscribed modules only; the others do not exist here."""
    return [
        MenuEntry(
            section=module.value,
            label=str(module.label),
            url=reverse(f"portal:{module.value}", args=[scope.public_id]),
        )
        for module in Module
        if scope.has_module(module.value)
    ]


def _client_scope(request: HttpRequest, client_id: uuid.UUID) -> policy.ClientScope:
    """The client this login may view, or the policy's 404.

    The login's other clients are kept on the request for the switcher, so
    a page asks the policy for them once.
    """
    scopes = policy.client_scopes(request.user)  # type: ignore[arg-type]
    request.portal_scopes = scopes  # type: ignore[attr-defined]
    return policy.client_scope(request.user, client_id, among=scopes)  # type: ignore[arg-type]


def _render(
    request: HttpRequest,
    template: str,
    scope: policy.ClientScope,
    section: str,
    context: dict[str, Any],
) -> HttpResponse:
    page = {
        "scope": scope,
        "scopes": request.portal_scopes,  # type: ignore[attr-defined]
        "section": section,
        "module_menu": _module_menu(scope),
        **context,
    }

    # Times are shown in the practice's zone, wherever the reader is.
    with timezone.override(scope.zone):
        return render(request, template, page)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Straight to the only client, a chooser for several, or a note for none."""
    scopes = policy.client_scopes(request.user)  # type: ignore[arg-type]

    if len(scopes) == 1:
        return redirect("portal:client_home", client_id=scopes[0].public_id)
    if not scopes:
        return render(request, "portal/no_client.html")
    return render(request, "portal/client_choose.html", {"scopes": scopes})


@login_required
@require_GET
def client_home(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    scope = _client_scope(request, client_id)

    team = policy.care_team(scope)
    context = {
        "next_appointment": policy.next_appointment(scope),
        "team": team[:TEAM_PREVIEW_SIZE],
        "team_size": len(team),
    }
    return _render(request, "portal/home.html", scope, "home", context)


@login_required
@require_GET
def schedule(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    scope = _client_scope(request, client_id)

    today = timezone.now().astimezone(scope.zone).date()
    # Years of weekly sessions would make one endless page; the month view
    # reaches further back.
    past = policy.past_appointments(scope, limit=PAST_LIMIT + 1)
    context = {
        "upcoming": policy.upcoming_appointments(scope),
        "past": past[:PAST_LIMIT],
        "more_past": len(past) > PAST_LIMIT,
        "this_month": today,
    }
    return _render(request, "portal/schedule_list.html", scope, "schedule", context)


def _shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _month_link(year: int, month: int) -> tuple[int, int] | None:
    return (year, month) if FIRST_YEAR <= year <= LAST_YEAR else None


def _first_weekday() -> int:
    """The locale's first day of the week, in Python's numbering (0 is Monday)."""
    return (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7


@login_required
@require_GET
def schedule_month(
    request: HttpRequest, client_id: uuid.UUID, year: int, month: int
) -> HttpResponse:
    scope = _client_scope(request, client_id)
    if not (1 <= month <= 12 and FIRST_YEAR <= year <= LAST_YEAR):
        raise Http404("No such page.")

    zone = scope.zone
    following = _shift_month(year, month, 1)
    start = dt.datetime(year, month, 1, tzinfo=zone)
    first_weekday = _first_weekday()
    grid = calendar.Calendar(first_weekday).monthdatescalendar(year, month)

    # The grid's greyed days from the months either side show their sessions too.
    shown_from = dt.datetime.combine(grid[0][0], dt.time(), tzinfo=zone)
    shown_to = dt.datetime.combine(
        grid[-1][-1] + dt.timedelta(days=1), dt.time(), tzinfo=zone
    )
    by_day: dict[dt.date, list[policy.AppointmentView]] = defaultdict(list)
    for appointment in policy.appointments_between(scope, shown_from, shown_to):
        by_day[appointment.starts_at.date()].append(appointment)

    today = timezone.now().astimezone(zone).date()
    weeks = [
        [
            CalendarDay(
                date=day,
                in_month=day.month == month,
                is_today=day == today,
                appointments=tuple(by_day.get(day, ())),
            )
            for day in week
        ]
        for week in grid
    ]
    weekdays = [
        (WEEKDAYS[(first_weekday + i) % 7], WEEKDAYS_ABBR[(first_weekday + i) % 7])
        for i in range(7)
    ]
    context = {
        "month_start": start.date(),
        "weeks": weeks,
        "weekdays": weekdays,
        "has_appointments": any(day.month == month for day in by_day),
        "previous": _month_link(*_shift_month(year, month, -1)),
        "next": _month_link(*following),
        "this_month": today,
    }
    return _render(request, "portal/schedule_month.html", scope, "schedule", context)


@login_required
@require_GET
def appointment_detail(
    request: HttpRequest, client_id: uuid.UUID, appointment_id: uuid.UUID
) -> HttpResponse:
    scope = _client_scope(request, client_id)
    appointment = policy.appointment(scope, appointment_id)

    context = {"appointment": appointment}
    return _render(
        request, "portal/appointment_detail.html", scope, "schedule", context
    )


@login_required
@require_GET
def team(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    scope = _client_scope(request, client_id)

    context = {"team": policy.care_team(scope)}
    return _render(request, "portal/team_list.html", scope, "team", context)


@login_required
@require_GET
def module_page(
    request: HttpRequest, client_id: uuid.UUID, module: str
) -> HttpResponse:
    """A subscribed module's page; an unsubscribed module is not there at all."""
    scope = _client_scope(request, client_id)
    if not scope.has_module(module):
        raise Http404("No such page.")

    context = {"module_label": Module(module).label}
    return _render(request, "portal/module_home.html", scope, module, context)
