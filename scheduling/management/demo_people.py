"""Who works at, and who is served by, the two demo practices.

Fixed lists and a seeded random generator rather than generated names, so
every run of ``seed_demo`` builds the same clinic and the logins printed at the
end always mean the same thing.
"""

import datetime as dt
import random
from dataclasses import dataclass, replace

from accounts.models import CareTeamMember, PortalAccess
from permissions.models import Permission

PASSWORD = "portal-demo-2026"

Role = CareTeamMember.Role
Relationship = PortalAccess.Relationship

# Monday is 0, as in AppointmentSeries.weekdays.
MON, TUE, WED, THU, FRI = range(5)


@dataclass(frozen=True)
class StaffSpec:
    key: str
    first_name: str
    last_name: str
    title: str
    email: str
    phone: str
    # What this login shows in the demo; printed in the table of logins.
    look_at: str


@dataclass(frozen=True)
class Weekly:
    """A weekly session: with whom, on which weekdays, from when, how long."""

    staff: str
    days: tuple[int, ...]
    start: dt.time
    minutes: int
    interval_weeks: int = 1


@dataclass(frozen=True)
class ClientSpec:
    first_name: str
    last_name: str
    born: dt.date
    # (staff key, care-team role) pairs
    care_team: tuple[tuple[str, str], ...]
    place: str = "clinic"
    place_detail: str = ""
    therapy: Weekly | None = None
    # A second technician's session, always at the clinic in their room.
    extra_therapy: Weekly | None = None
    supervision: Weekly | None = None
    # "visible", "hidden", "unhide_some" or "unhide_following"
    supervision_visibility: str = "visible"
    parent_training: Weekly | None = None
    telehealth_parent_training: bool = False
    # Position in the billing coordinator's monthly round of consultations.
    billing_slot: int | None = None
    cancellations: bool = False
    no_show: bool = False

    @property
    def name(self) -> tuple[str, str]:
        return (self.first_name, self.last_name)


@dataclass(frozen=True)
class PortalSpec:
    email: str
    first_name: str
    last_name: str
    relationship: str
    clients: tuple[tuple[str, str], ...]
    look_at: str


@dataclass(frozen=True)
class SeriesSpec:
    """A weekly series of the smaller practice."""

    client: tuple[str, str]
    provider: str
    service: str
    weekdays: tuple[int, ...]
    start: dt.time
    minutes: int
    visible: bool = True


@dataclass(frozen=True)
class GroupSpec:
    name: str
    description: str
    permissions: tuple[str, ...]
    members: tuple[str, ...]


@dataclass(frozen=True)
class PracticeSpec:
    display_name: str
    slug: str
    time_zone: str
    modules: tuple[str, ...]
    staff: tuple[StaffSpec, ...]
    clients: tuple[ClientSpec, ...]
    portal_logins: tuple[PortalSpec, ...]
    services: tuple[str, ...]
    administrators: tuple[str, ...]
    hidden_contacts: tuple[str, ...] = ()
    # Switched off after the practice's series exist, as a practice would.
    allow_hiding: bool = True
    groups: tuple[GroupSpec, ...] = ()
    series: tuple[SeriesSpec, ...] = ()


BRIGHT_STEPS_STAFF = (
    StaffSpec(
        "admin",
        "Dana",
        "Whitfield",
        "Clinic director",
        "admin@brightsteps.example",
        "(617) 555-0100",
        "Administrator: every staff screen, permission groups, Additional Settings.",
    ),
    StaffSpec(
        "scheduler",
        "Marcus",
        "Bell",
        "Scheduler",
        "scheduler@brightsteps.example",
        "(617) 555-0101",
        "Schedulers group: appointment list, hidden rows, unhide one or in bulk.",
    ),
    StaffSpec(
        "billing",
        "Priya",
        "Raman",
        "Billing coordinator",
        "billing@brightsteps.example",
        "(617) 555-0102",
        "In Hidden Contacts: on care teams, provides visible billing "
        "consultations that clients see under the practice's name.",
    ),
    StaffSpec(
        "bcba_torres",
        "Elena",
        "Torres",
        "BCBA",
        "elena.torres@brightsteps.example",
        "(617) 555-0110",
        "BCBA: supervises ten clients; some supervision visits are hidden.",
    ),
    StaffSpec(
        "bcba_okafor",
        "Jamal",
        "Okafor",
        "BCBA",
        "jamal.okafor@brightsteps.example",
        "(617) 555-0111",
        "BCBA: supervision and parent training, some by telehealth.",
    ),
    StaffSpec(
        "bcba_lindqvist",
        "Hannah",
        "Lindqvist",
        "BCBA",
        "hannah.lindqvist@brightsteps.example",
        "(617) 555-0112",
        "BCBA: supervision and parent training.",
    ),
    StaffSpec(
        "rbt_marin",
        "Sofia",
        "Marin",
        "Behavior technician",
        "sofia.marin@brightsteps.example",
        "(617) 555-0120",
        "Behavior technician with no staff permissions.",
    ),
    StaffSpec(
        "rbt_nguyen",
        "Tyler",
        "Nguyen",
        "Behavior technician",
        "tyler.nguyen@brightsteps.example",
        "(617) 555-0121",
        "Behavior technician with no staff permissions.",
    ),
    StaffSpec(
        "rbt_kim",
        "Grace",
        "Kim",
        "Behavior technician",
        "grace.kim@brightsteps.example",
        "(617) 555-0122",
        "Behavior technician with no staff permissions.",
    ),
    StaffSpec(
        "rbt_fletcher",
        "Owen",
        "Fletcher",
        "Behavior technician",
        "owen.fletcher@brightsteps.example",
        "(617) 555-0123",
        "Behavior technician with no staff permissions.",
    ),
)

BCBAS = ("bcba_torres", "bcba_okafor", "bcba_lindqvist")
TECHNICIANS = ("rbt_marin", "rbt_nguyen", "rbt_kim", "rbt_fletcher")

# The first eight are the children of the portal logins below; their places
# matter, since the schedule below is worked out from each client's position.
CLIENT_NAMES = (
    ("Mia", "Alvarez"),
    ("Leo", "Alvarez"),
    ("Lucas", "Rivera"),
    ("Noah", "Chen"),
    ("Ava", "Brooks"),
    ("Ethan", "Patel"),
    ("Zoe", "Williams"),
    ("Jordan", "Mitchell"),
    ("Amelia", "Grant"),
    ("Benjamin", "Hughes"),
    ("Chloe", "Dawson"),
    ("Daniel", "Kowalski"),
    ("Ella", "Martinez"),
    ("Finn", "O'Brien"),
    ("Gianna", "Rossi"),
    ("Henry", "Takahashi"),
    ("Isabella", "Nwosu"),
    ("Jack", "Sullivan"),
    ("Kai", "Andersen"),
    ("Layla", "Haddad"),
    ("Mateo", "Gomez"),
    ("Nora", "Fitzgerald"),
    ("Oliver", "Baptiste"),
    ("Penelope", "Walsh"),
    ("Quinn", "Ramirez"),
    ("Riley", "Novak"),
    ("Samuel", "Osei"),
    ("Stella", "Becker"),
    ("Theo", "Lindgren"),
    ("Violet", "Price"),
)

# Each technician has four two-hour slots a day. A client comes on Monday and
# Wednesday or on Tuesday and Thursday; Fridays are for second technicians.
# The arithmetic below gives every technician, BCBA and room one session at a
# time, so the staff schedule looks like a real one.
DAY_PAIRS = ((MON, WED), (TUE, THU))
SLOTS = (dt.time(8, 30), dt.time(11, 0), dt.time(13, 30), dt.time(16, 0))
SESSION_MINUTES = 120
SCHOOLS = (
    "Oakwood Elementary, resource room",
    "Riverside Elementary, room 12",
    "Maple Street School, sensory room",
)

# Client-by-client exceptions that give each portal login something to show.
CLIENT_OVERRIDES: dict[tuple[str, str], dict[str, object]] = {
    ("Mia", "Alvarez"): {"telehealth_parent_training": True},
    ("Leo", "Alvarez"): {
        "supervision_visibility": "unhide_some",
        "cancellations": True,
    },
    ("Lucas", "Rivera"): {"telehealth_parent_training": True, "cancellations": True},
    ("Ethan", "Patel"): {"supervision_visibility": "unhide_some"},
    ("Zoe", "Williams"): {"supervision_visibility": "unhide_following"},
    ("Jordan", "Mitchell"): {"born": dt.date(2006, 9, 14)},
}
ON_BILLING_TEAM = {("Noah", "Chen"), ("Ava", "Brooks")}


def bright_steps_clients() -> tuple[ClientSpec, ...]:
    """Thirty clients spread over the BCBAs and technicians in a fixed pattern."""
    rng = random.Random(2026)
    billing_slots = iter(range(len(CLIENT_NAMES)))
    clients = []
    for index, name in enumerate(CLIENT_NAMES):
        born = dt.date(
            2014 + rng.randrange(7), rng.randrange(1, 13), rng.randrange(1, 29)
        )
        on_billing_team = index % 3 == 1 or name in ON_BILLING_TEAM
        spec = ClientSpec(
            first_name=name[0],
            last_name=name[1],
            born=born,
            care_team=(),
            billing_slot=next(billing_slots) if on_billing_team else None,
            supervision_visibility="hidden" if index % 4 == 2 else "visible",
            telehealth_parent_training=index % 6 == 4,
            cancellations=index % 6 == 3,
            no_show=index % 7 == 5,
            **_sessions(index),  # type: ignore[arg-type]
        )
        spec = replace(spec, **CLIENT_OVERRIDES.get(name, {}))  # type: ignore[arg-type]
        clients.append(replace(spec, care_team=_care_team(index, spec)))
    return tuple(clients)


def _sessions(index: int) -> dict[str, object]:
    technician = index % 4
    bcba = BCBAS[index % 3]
    days = DAY_PAIRS[(index // 4) % 2]
    slot = index // 8
    start = SLOTS[slot]
    if slot < 2:
        place, detail = "clinic", f"Room {technician + 1}"
    elif slot == 2:
        place, detail = "school", SCHOOLS[index % len(SCHOOLS)]
    else:
        place, detail = "home", "Family home"

    sessions: dict[str, object] = {
        "place": place,
        "place_detail": detail,
        "therapy": Weekly(TECHNICIANS[technician], days, start, SESSION_MINUTES),
        # The BCBA joins the second hour of one session a week. Two clients of
        # one BCBA with the same slot are three apart, so they get other days.
        "supervision": Weekly(bcba, (days[(index // 3) % 2],), _later(start, 60), 60),
    }
    if index % 3 == 0:
        sessions["extra_therapy"] = Weekly(
            TECHNICIANS[(index + 1) % 4], (FRI,), SLOTS[index // 12], SESSION_MINUTES
        )
    if index % 2 == 0:
        # Every other week, in the evening; each BCBA has one family a day.
        day = index // 6
        evening = dt.time(16, 30) if day == FRI else dt.time(18, 30)
        sessions["parent_training"] = Weekly(bcba, (day,), evening, 60, 2)
    return sessions


def _later(time: dt.time, minutes: int) -> dt.time:
    moment = dt.datetime.combine(dt.date.min, time) + dt.timedelta(minutes=minutes)
    return moment.time()


def _care_team(index: int, spec: ClientSpec) -> tuple[tuple[str, str], ...]:
    team = []
    for session, role in (
        (spec.supervision, Role.BCBA),
        (spec.therapy, Role.BEHAVIOR_TECHNICIAN),
        (spec.extra_therapy, Role.BEHAVIOR_TECHNICIAN),
    ):
        if session is not None:
            team.append((session.staff, role))
    if spec.billing_slot is not None:
        team.append(("billing", Role.BILLING_COORDINATOR))
    if index % 5 == 0:
        team.append(("scheduler", Role.SCHEDULER))
    return tuple(team)


BRIGHT_STEPS_PORTAL = (
    PortalSpec(
        "guardian.two@brightsteps.example",
        "Carmen",
        "Alvarez",
        Relationship.PARENT,
        (("Leo", "Alvarez"), ("Mia", "Alvarez")),
        "Parent of two: switch between Leo (hidden supervision, some unhidden; "
        "cancelled sessions) and Mia (telehealth parent training).",
    ),
    PortalSpec(
        "coparent.one@brightsteps.example",
        "Lin",
        "Chen",
        Relationship.PARENT,
        (("Noah", "Chen"),),
        "One of Noah's two guardians; sees the same schedule as coparent.two.",
    ),
    PortalSpec(
        "coparent.two@brightsteps.example",
        "David",
        "Chen",
        Relationship.GUARDIAN,
        (("Noah", "Chen"),),
        "Noah's other guardian, with a login of his own.",
    ),
    PortalSpec(
        "parent.billing@brightsteps.example",
        "Rachel",
        "Brooks",
        Relationship.PARENT,
        (("Ava", "Brooks"),),
        "Billing consultations with the hidden coordinator show the practice's "
        "name; the Teams menu leaves her out.",
    ),
    PortalSpec(
        "parent.hidden@brightsteps.example",
        "Anil",
        "Patel",
        Relationship.PARENT,
        (("Ethan", "Patel"),),
        "Supervision series created hidden: only the two occurrences staff "
        "unhid one by one appear.",
    ),
    PortalSpec(
        "parent.following@brightsteps.example",
        "Keisha",
        "Williams",
        Relationship.PARENT,
        (("Zoe", "Williams"),),
        "Hidden supervision series unhidden from this week on: past visits "
        "stay hidden, upcoming ones show.",
    ),
    PortalSpec(
        "parent.telehealth@brightsteps.example",
        "Marisol",
        "Rivera",
        Relationship.PARENT,
        (("Lucas", "Rivera"),),
        "Telehealth parent training with its link, and cancelled sessions.",
    ),
    PortalSpec(
        "client.self@brightsteps.example",
        "Jordan",
        "Mitchell",
        Relationship.SELF,
        (("Jordan", "Mitchell"),),
        "An adult client who signs in for himself.",
    ),
)

BRIGHT_STEPS = PracticeSpec(
    display_name="Bright Steps Therapy",
    slug="bright-steps",
    time_zone="America/New_York",
    modules=("messages", "billing"),
    staff=BRIGHT_STEPS_STAFF,
    clients=bright_steps_clients(),
    portal_logins=BRIGHT_STEPS_PORTAL,
    services=(
        "ABA therapy",
        "BCBA supervision",
        "Parent training",
        "Billing consultation",
    ),
    administrators=("admin",),
    hidden_contacts=("billing",),
    groups=(
        GroupSpec(
            "Schedulers",
            "Front desk: keeps the schedule and decides what families see.",
            (Permission.MANAGE_SCHEDULING, Permission.UNHIDE_APPOINTMENTS),
            ("scheduler",),
        ),
        GroupSpec(
            "Clinical leads",
            "BCBAs schedule the sessions of the technicians they supervise.",
            (Permission.MANAGE_SCHEDULING,),
            BCBAS,
        ),
    ),
)

HARBOR_STAFF = (
    StaffSpec(
        "admin",
        "Teresa",
        "Lund",
        "Practice owner",
        "admin@harborspeech.example",
        "(312) 555-0140",
        "Administrator of the second practice; Allow Hiding is set to No here.",
    ),
    StaffSpec(
        "slp",
        "Rachel",
        "Adeyemi",
        "Speech-language pathologist",
        "rachel.adeyemi@harborspeech.example",
        "(312) 555-0141",
        "Speech-language pathologist with no staff permissions.",
    ),
    StaffSpec(
        "ot",
        "Ben",
        "Sorensen",
        "Occupational therapist",
        "ben.sorensen@harborspeech.example",
        "(312) 555-0142",
        "Occupational therapist with no staff permissions.",
    ),
)


def _harbor_client(
    first: str, last: str, born: dt.date, *team: tuple[str, str]
) -> ClientSpec:
    # Harbor's sessions are listed in HARBOR.series rather than worked out.
    return ClientSpec(first_name=first, last_name=last, born=born, care_team=team)


HARBOR_ROOMS = {"slp": "Speech room", "ot": "Sensory gym"}
SLP = ("slp", Role.SPEECH_THERAPIST)
OT = ("ot", Role.OCCUPATIONAL_THERAPIST)

HARBOR = PracticeSpec(
    display_name="Harbor Speech & OT",
    slug="harbor-speech",
    time_zone="America/Chicago",
    modules=("messages",),
    staff=HARBOR_STAFF,
    clients=(
        _harbor_client("Isla", "Moreno", dt.date(2017, 3, 2), SLP, OT),
        _harbor_client("Caleb", "Foster", dt.date(2016, 11, 19), SLP, OT),
        _harbor_client("Nadia", "Kaur", dt.date(2019, 6, 7), SLP),
        _harbor_client("Felix", "Durand", dt.date(2015, 1, 25), OT),
    ),
    portal_logins=(
        PortalSpec(
            "guardian@harborspeech.example",
            "Sara",
            "Moreno",
            Relationship.PARENT,
            (("Isla", "Moreno"),),
            "Parent at the other practice: sees only Isla, nothing of Bright Steps.",
        ),
    ),
    services=("Speech therapy", "Occupational therapy"),
    administrators=("admin",),
    allow_hiding=False,
    series=(
        SeriesSpec(
            ("Isla", "Moreno"), "slp", "Speech therapy", (TUE, THU), dt.time(16), 45
        ),
        SeriesSpec(
            ("Isla", "Moreno"), "ot", "Occupational therapy", (MON,), dt.time(17), 60
        ),
        SeriesSpec(
            ("Caleb", "Foster"),
            "slp",
            "Speech therapy",
            (MON, WED),
            dt.time(15, 30),
            45,
        ),
        # Created hidden before the practice switched Allow Hiding to No.
        SeriesSpec(
            ("Caleb", "Foster"),
            "ot",
            "Occupational therapy",
            (FRI,),
            dt.time(15),
            60,
            visible=False,
        ),
        SeriesSpec(("Nadia", "Kaur"), "slp", "Speech therapy", (WED,), dt.time(10), 45),
        SeriesSpec(
            ("Felix", "Durand"),
            "ot",
            "Occupational therapy",
            (TUE,),
            dt.time(16, 30),
            60,
        ),
    ),
)
