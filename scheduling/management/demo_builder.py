"""Builds a demo practice from its description in ``demo_people``.

Every row is looked up by a natural key before it is made (organization by
slug, login by e-mail, series by client, service and weekdays), so a second
run adds nothing. Appointments are written through the scheduling services
with the practice's administrator as the actor: the demo obeys the same rules
as the product. Follow-up steps (unhiding, cancelling, attendance) run only
for a series this run created, so a second run changes nothing either.
"""

import datetime as dt
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import (
    CareTeamMember,
    Client,
    Organization,
    PortalAccess,
    StaffMember,
    User,
)
from permissions.models import BuiltIn, PermissionGroup
from permissions.services import add_member, built_in_group
from scheduling import services
from scheduling.management.demo_people import (
    BCBAS,
    HARBOR_ROOMS,
    PASSWORD,
    TECHNICIANS,
    ClientSpec,
    PortalSpec,
    PracticeSpec,
    SeriesSpec,
    StaffSpec,
    Weekly,
)
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    LocationKind,
    Service,
    Status,
)

# Sessions run from six weeks back to six weeks ahead of the day of the run.
WEEKS_EACH_WAY = 6


@dataclass(frozen=True)
class LoginRow:
    email: str
    role: str
    look_at: str


@dataclass(frozen=True)
class Place:
    kind: str
    detail: str = ""
    url: str = ""


@dataclass
class PracticeBuilder:
    spec: PracticeSpec

    def build(self) -> Organization:
        self.organization, created = Organization.objects.get_or_create(
            slug=self.spec.slug,
            defaults={
                "display_name": self.spec.display_name,
                "time_zone": self.spec.time_zone,
                "modules": list(self.spec.modules),
            },
        )
        self.now = timezone.now()
        self.today = self.now.astimezone(self.organization.zone).date()

        self.staff = {spec.key: self._staff(spec) for spec in self.spec.staff}
        self._groups()
        admin = self.staff[self.spec.administrators[0]]
        assert admin.user is not None
        self.actor: User = admin.user
        self.services = {
            name: Service.objects.get_or_create(
                organization=self.organization, name=name
            )[0]
            for name in self.spec.services
        }
        self.clients = {spec.name: self._client(spec) for spec in self.spec.clients}
        for portal_spec in self.spec.portal_logins:
            self._portal_login(portal_spec)

        for client_spec in self.spec.clients:
            self._client_sessions(client_spec)
        for series_spec in self.spec.series:
            self._listed_series(series_spec)

        if created and not self.spec.allow_hiding:
            # Shows the setting at work: the hidden series made above stays
            # hidden and keeps creating hidden occurrences; new ones are visible.
            services.set_allow_hiding(
                actor=self.actor, organization=self.organization, allow=False
            )
        return self.organization

    # People

    def _login(self, email: str, first_name: str, last_name: str) -> User:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                PASSWORD,
                first_name=first_name,
                last_name=last_name,
                organization=self.organization,
            )
        # allauth would otherwise treat the seeded addresses as unconfirmed.
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        return user

    def _staff(self, spec: StaffSpec) -> StaffMember:
        user = self._login(spec.email, spec.first_name, spec.last_name)
        staff, _ = StaffMember.objects.get_or_create(
            user=user,
            defaults={
                "organization": self.organization,
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "title": spec.title,
                "work_email": spec.email,
                "work_phone": spec.phone,
            },
        )
        return staff

    def _groups(self) -> None:
        for key in self.spec.administrators:
            group = built_in_group(self.organization, BuiltIn.ADMINISTRATORS)
            add_member(group, self.staff[key])
        for key in self.spec.hidden_contacts:
            group = built_in_group(self.organization, BuiltIn.HIDDEN_CONTACTS)
            add_member(group, self.staff[key])
        for group_spec in self.spec.groups:
            group, _ = PermissionGroup.objects.get_or_create(
                organization=self.organization,
                name=group_spec.name,
                defaults={
                    "description": group_spec.description,
                    "permissions": list(group_spec.permissions),
                },
            )
            for key in group_spec.members:
                add_member(group, self.staff[key])

    def _client(self, spec: ClientSpec) -> Client:
        client, _ = Client.objects.get_or_create(
            organization=self.organization,
            first_name=spec.first_name,
            last_name=spec.last_name,
            defaults={"date_of_birth": spec.born},
        )
        for key, role in spec.care_team:
            CareTeamMember.objects.get_or_create(
                organization=self.organization,
                client=client,
                staff=self.staff[key],
                role=role,
            )
        return client

    def _portal_login(self, spec: PortalSpec) -> None:
        user = self._login(spec.email, spec.first_name, spec.last_name)
        for name in spec.clients:
            PortalAccess.objects.active().get_or_create(
                organization=self.organization,
                user=user,
                client=self.clients[name],
                defaults={"relationship": spec.relationship},
            )

    # Sessions

    def _client_sessions(self, spec: ClientSpec) -> None:
        """Therapy, supervision, parent training and billing for one client."""
        client = self.clients[spec.name]
        place = Place(spec.place, spec.place_detail)

        if spec.therapy is not None:
            series, created = self._series(client, "ABA therapy", spec.therapy, place)
            if created:
                if spec.cancellations:
                    past, upcoming = self._split(series)
                    self._cancel(past[-2], upcoming[1])
                self._record_attendance(series, no_show=spec.no_show)

        if spec.extra_therapy is not None:
            room = f"Room {TECHNICIANS.index(spec.extra_therapy.staff) + 1}"
            series, created = self._series(
                client,
                "ABA therapy",
                spec.extra_therapy,
                Place(LocationKind.CLINIC, room),
            )
            if created:
                self._record_attendance(series)

        if spec.supervision is not None:
            self._supervision(client, spec, spec.supervision, place)
        if spec.parent_training is not None:
            self._parent_training(client, spec, spec.parent_training)
        if spec.billing_slot is not None:
            self._billing_consultations(client, spec.billing_slot)

    def _supervision(
        self,
        client: Client,
        spec: ClientSpec,
        session: Weekly,
        place: Place,
    ) -> None:
        # Some practices keep these overlap visits off the family's schedule.
        series, created = self._series(
            client,
            "BCBA supervision",
            session,
            place,
            visible=spec.supervision_visibility == "visible",
            internal_notes="Overlap supervision; check the fidelity data sheet.",
        )
        if not created:
            return
        past, upcoming = self._split(series)
        if spec.supervision_visibility == "unhide_some":
            services.unhide_one(actor=self.actor, appointment=past[-1])
            services.unhide_one(actor=self.actor, appointment=upcoming[0])
        elif spec.supervision_visibility == "unhide_following":
            services.unhide_this_and_following(
                actor=self.actor, appointment=upcoming[0]
            )
        self._record_attendance(series)

    def _parent_training(
        self, client: Client, spec: ClientSpec, session: Weekly
    ) -> None:
        if spec.telehealth_parent_training:
            place = Place(LocationKind.TELEHEALTH, url=self._meeting_link(client))
        else:
            # Each BCBA meets families in a training room of their own.
            room = f"Training room {BCBAS.index(session.staff) + 1}"
            place = Place(LocationKind.CLINIC, room)
        series, created = self._series(client, "Parent training", session, place)
        if created:
            if spec.cancellations:
                _, upcoming = self._split(series)
                self._cancel(upcoming[0])
            self._record_attendance(series)

    def _billing_consultations(self, client: Client, slot: int) -> None:
        """Monthly check-ins with the billing coordinator, who is a hidden contact.

        The slot spreads the families over the days of a week and half hours
        from noon, so the coordinator sees one family at a time.
        """
        service = self.services["Billing consultation"]
        provider = self.staff["billing"]
        if Appointment.objects.filter(
            organization=self.organization,
            client=client,
            service=service,
            series=None,
        ).exists():
            return
        monday = self.today - dt.timedelta(days=self.today.weekday())
        for weeks in (-5, -1, 3):
            day = monday + dt.timedelta(weeks=weeks, days=slot % 5)
            starts_at = dt.datetime.combine(
                day, dt.time(12, 0), tzinfo=self.organization.zone
            ) + dt.timedelta(minutes=30 * (slot // 5))
            appointment = services.create_appointment(
                actor=self.actor,
                client=client,
                provider=provider,
                service=service,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=30),
                location_kind=LocationKind.TELEHEALTH,
                telehealth_url=self._meeting_link(client, "billing"),
                internal_notes="Review the explanation of benefits before the call.",
                visible_to_client=True,
            )
            if appointment.ends_at < self.now:
                self._record(appointment, Status.COMPLETED)

    def _listed_series(self, spec: SeriesSpec) -> None:
        series, created = self._series(
            self.clients[spec.client],
            spec.service,
            Weekly(spec.provider, spec.weekdays, spec.start, spec.minutes),
            Place(LocationKind.CLINIC, HARBOR_ROOMS[spec.provider]),
            visible=spec.visible,
        )
        if created:
            self._record_attendance(series)

    def _series(
        self,
        client: Client,
        service_name: str,
        session: Weekly,
        place: Place,
        *,
        visible: bool = True,
        internal_notes: str = "",
    ) -> tuple[AppointmentSeries, bool]:
        """The series of this client, service and weekdays; made if missing."""
        service = self.services[service_name]
        existing = AppointmentSeries.objects.filter(
            organization=self.organization,
            client=client,
            service=service,
            weekdays=sorted(session.days),
        ).first()
        if existing is not None:
            return existing, False

        span = dt.timedelta(weeks=WEEKS_EACH_WAY)
        series = services.create_series(
            actor=self.actor,
            client=client,
            provider=self.staff[session.staff],
            service=service,
            first_date=self.today - span,
            local_start_time=session.start,
            duration_minutes=session.minutes,
            weekdays=session.days,
            interval_weeks=session.interval_weeks,
            ends=AppointmentSeries.Ends.ON_DATE,
            end_date=self.today + span,
            location_kind=place.kind,
            location_detail=place.detail,
            telehealth_url=place.url,
            internal_notes=internal_notes,
            visible_to_client=visible,
        )
        return series, True

    def _split(
        self, series: AppointmentSeries
    ) -> tuple[list[Appointment], list[Appointment]]:
        occurrences = list(series.occurrences.order_by("starts_at"))
        past = [o for o in occurrences if o.ends_at < self.now]
        upcoming = [o for o in occurrences if o.ends_at >= self.now]
        return past, upcoming

    def _cancel(self, *appointments: Appointment) -> None:
        for appointment in appointments:
            services.cancel_appointment(actor=self.actor, appointment=appointment)

    def _record_attendance(
        self, series: AppointmentSeries, *, no_show: bool = False
    ) -> None:
        # Sessions that have ended get an outcome, so the portal's past list
        # looks like a real one; one may be a no-show.
        past = list(
            series.occurrences.filter(ends_at__lt=self.now, status=Status.SCHEDULED)
            .order_by("-starts_at")
            .values_list("pk", flat=True)
        )
        missed = past[2:3] if no_show else []
        for status, ids in [(Status.NO_SHOW, missed), (Status.COMPLETED, past)]:
            services.record_outcomes(
                actor=self.actor,
                organization=series.organization,
                appointment_ids=ids,
                status=status,
            )

    def _record(self, appointment: Appointment, status: str) -> None:
        services.record_outcome(
            actor=self.actor, appointment=appointment, status=status
        )

    def _meeting_link(self, client: Client, purpose: str = "session") -> str:
        room = slugify(f"{client.first_name}-{client.last_name}-{purpose}")
        return f"https://meet.{self.spec.slug}.example/{room}"


def login_rows(spec: PracticeSpec) -> list[LoginRow]:
    """The logins of one practice, for the table the command prints."""
    groups: dict[str, list[str]] = {}
    for key in spec.administrators:
        groups.setdefault(key, []).append(str(BuiltIn.ADMINISTRATORS.label))
    for key in spec.hidden_contacts:
        groups.setdefault(key, []).append(str(BuiltIn.HIDDEN_CONTACTS.label))
    for group in spec.groups:
        for key in group.members:
            groups.setdefault(key, []).append(group.name)

    rows = []
    for staff in spec.staff:
        role = f"staff, {staff.title}"
        if staff.key in groups:
            role += f" ({', '.join(groups[staff.key])})"
        rows.append(LoginRow(staff.email, role, staff.look_at))
    for portal in spec.portal_logins:
        children = " and ".join(f"{first} {last}" for first, last in portal.clients)
        if portal.relationship == PortalAccess.Relationship.SELF:
            role = f"portal, client {children} (self)"
        else:
            label = PortalAccess.Relationship(portal.relationship).label
            role = f"portal, {str(label).lower()} of {children}"
        rows.append(LoginRow(portal.email, role, portal.look_at))
    return rows
