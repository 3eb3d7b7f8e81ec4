"""What a portal user may see: the only way client-facing code reads data.

Pages, partials, feeds and e-mails for clients get appointments and contacts
from the functions here and nowhere else. They receive frozen, client-safe
values, never model instances, so a template cannot reach internal notes or
a hidden staff member's name through a relation.

Anything a client may not see (another client's row, a hidden appointment, a
hidden contact) raises the same ``Http404`` as a row that does not exist, so
the answer never tells them it is there.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import (
    CareTeamMember,
    Client,
    PortalAccess,
    StaffMember,
    User,
)
from permissions.services import hidden_staff
from scheduling.links import web_link
from scheduling.models import Appointment, LocationKind, Status


@dataclass(frozen=True)
class ClientScope:
    """One client as seen by one portal user: the key every other call takes."""

    public_id: uuid.UUID
    client_id: int
    organization_id: int
    first_name: str
    full_name: str
    relationship: str
    organization_name: str
    time_zone: str
    modules: tuple[str, ...]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def has_module(self, module: str) -> bool:
        return module in self.modules


@dataclass(frozen=True)
class AppointmentView:
    public_id: uuid.UUID
    starts_at: dt.datetime
    ends_at: dt.datetime
    service: str
    location_kind: str
    location_label: str
    location_detail: str
    telehealth_url: str
    provider_name: str
    status: str
    status_label: str

    @property
    def is_cancelled(self) -> bool:
        return self.status == Status.CANCELLED

    @property
    def can_join(self) -> bool:
        """Whether to offer the video link: a session that is on and not over."""
        return (
            bool(self.telehealth_url)
            and self.status == Status.SCHEDULED
            and self.ends_at >= timezone.now()
        )


@dataclass(frozen=True)
class TeamMemberView:
    name: str
    roles: tuple[str, ...]
    email: str
    phone: str


def client_scopes(user: User) -> list[ClientScope]:
    """The clients this login may view, through grants that are not revoked."""
    if not user.is_authenticated or user.organization_id is None:
        return []
    grants = (
        PortalAccess.objects.active()
        .filter(
            user=user,
            organization_id=user.organization_id,
            client__is_active=True,
        )
        .select_related("client", "organization")
        .order_by("client__first_name", "client__last_name")
    )
    return [_scope(grant) for grant in grants]


def client_scope(
    user: User, public_id: uuid.UUID, *, among: list[ClientScope] | None = None
) -> ClientScope:
    """One client this login may view, or the same 404 as a missing row.

    ``among`` takes the login's scopes when the caller has them already.
    """
    for scope in client_scopes(user) if among is None else among:
        if scope.public_id == public_id:
            return scope
    raise Http404("No such page.")


def _scope(grant: PortalAccess) -> ClientScope:
    client: Client = grant.client
    organization = grant.organization
    return ClientScope(
        public_id=client.public_id,
        client_id=client.pk,
        organization_id=organization.pk,
        first_name=client.first_name,
        full_name=client.full_name,
        relationship=grant.get_relationship_display(),
        organization_name=organization.display_name,
        time_zone=organization.time_zone,
        modules=tuple(organization.modules),
    )


def provider_display_name(
    scope: ClientScope, *, provider_id: int, provider_name: str, hidden_ids: set[int]
) -> str:
    """The provider's name, or the practice's name when the provider is hidden."""
    if provider_id in hidden_ids:
        return scope.organization_name
    return provider_name


def _hidden_ids(scope: ClientScope) -> set[int]:
    return set(hidden_staff(scope.organization_id).values_list("pk", flat=True))


_APPOINTMENT_FIELDS = (
    "public_id",
    "starts_at",
    "ends_at",
    "location_kind",
    "location_detail",
    "telehealth_url",
    "status",
    "provider_id",
    "provider__first_name",
    "provider__last_name",
    "service__name",
)


def _visible_rows(scope: ClientScope) -> "QuerySet[Appointment, dict[str, Any]]":
    return Appointment.objects.filter(
        organization_id=scope.organization_id,
        client_id=scope.client_id,
        visible_to_client=True,
    ).values(*_APPOINTMENT_FIELDS)


def _appointment_views(
    scope: ClientScope, rows: list[dict[str, Any]]
) -> list[AppointmentView]:
    hidden_ids = _hidden_ids(scope) if rows else set()
    zone = scope.zone
    return [_appointment_view(scope, row, hidden_ids, zone) for row in rows]


def _appointment_view(
    scope: ClientScope, row: dict[str, Any], hidden_ids: set[int], zone: ZoneInfo
) -> AppointmentView:
    provider_name = f"{row['provider__first_name']} {row['provider__last_name']}"
    return AppointmentView(
        public_id=row["public_id"],
        starts_at=row["starts_at"].astimezone(zone),
        ends_at=row["ends_at"].astimezone(zone),
        service=row["service__name"],
        location_kind=row["location_kind"],
        location_label=str(LocationKind(row["location_kind"]).label),
        location_detail=row["location_detail"],
        telehealth_url=web_link(row["telehealth_url"]),
        provider_name=provider_display_name(
            scope,
            provider_id=row["provider_id"],
            provider_name=provider_name.strip(),
            hidden_ids=hidden_ids,
        ),
        status=row["status"],
        status_label=str(Status(row["status"]).label),
    )


def upcoming_appointments(
    scope: ClientScope, *, limit: int | None = None
) -> list[AppointmentView]:
    """Visible appointments that have not ended yet, soonest first."""
    rows = (
        _visible_rows(scope).filter(ends_at__gte=timezone.now()).order_by("starts_at")
    )
    return _appointment_views(scope, list(rows[:limit] if limit else rows))


def past_appointments(
    scope: ClientScope, *, limit: int | None = None
) -> list[AppointmentView]:
    """Visible appointments that have ended, most recent first."""
    rows = (
        _visible_rows(scope).filter(ends_at__lt=timezone.now()).order_by("-starts_at")
    )
    return _appointment_views(scope, list(rows[:limit] if limit else rows))


def next_appointment(scope: ClientScope) -> AppointmentView | None:
    """The next visible appointment that is still going ahead."""
    rows = (
        _visible_rows(scope)
        .filter(ends_at__gte=timezone.now(), status=Status.SCHEDULED)
        .order_by("starts_at")[:1]
    )
    views = _appointment_views(scope, list(rows))
    return views[0] if views else None


def appointments_between(
    scope: ClientScope, start: dt.datetime, end: dt.datetime
) -> list[AppointmentView]:
    """Visible appointments starting in [start, end), for calendar views."""
    rows = (
        _visible_rows(scope)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at")
    )
    return _appointment_views(scope, list(rows))


def appointment(scope: ClientScope, public_id: uuid.UUID) -> AppointmentView:
    """One visible appointment of this client, or the same 404 as a missing row."""
    rows = list(_visible_rows(scope).filter(public_id=public_id))
    if not rows:
        raise Http404("No such page.")
    return _appointment_views(scope, rows)[0]


def _visible_connections(scope: ClientScope) -> QuerySet[CareTeamMember]:
    """The client's care-team links to active staff who are not hidden."""
    return CareTeamMember.objects.filter(
        organization_id=scope.organization_id,
        client_id=scope.client_id,
        staff__is_active=True,
    ).exclude(staff__in=hidden_staff(scope.organization_id))


def care_team(scope: ClientScope) -> list[TeamMemberView]:
    """Care-team members the client may see, one entry a person with all roles."""
    connections = (
        _visible_connections(scope)
        .select_related("staff")
        .order_by("staff__last_name", "staff__first_name", "role")
    )
    members: dict[int, tuple[StaffMember, list[str]]] = {}
    for connection in connections:
        staff, roles = members.setdefault(connection.staff_id, (connection.staff, []))
        roles.append(connection.get_role_display())
    return [
        TeamMemberView(
            name=staff.full_name,
            roles=tuple(roles),
            email=staff.work_email,
            phone=staff.work_phone,
        )
        for staff, roles in members.values()
    ]


def contact_is_visible(scope: ClientScope, staff_id: int) -> bool:
    """Whether a staff member may be shown or messaged in this client's portal."""
    return _visible_connections(scope).filter(staff_id=staff_id).exists()
