"""factory-boy factories for every role the tests need."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import (
    CareTeamMember,
    Client,
    Organization,
    PortalAccess,
    StaffMember,
    User,
)
from permissions.models import BuiltIn, Permission, PermissionGroup
from permissions.services import add_member, built_in_group
from scheduling.models import Appointment, LocationKind, Service

PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    display_name = factory.Sequence(lambda n: f"Bright Steps Therapy {n}")
    slug = factory.Sequence(lambda n: f"practice-{n}")
    time_zone = "America/New_York"
    modules = factory.LazyFunction(list)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(
        UserFactory, organization=factory.SelfAttribute("..organization")
    )
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    title = "Behavior technician"
    work_email = factory.LazyAttribute(lambda o: o.user.email if o.user else "")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    organization = factory.SubFactory(OrganizationFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = dt.date(2018, 5, 1)


class PortalAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PortalAccess

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    user = factory.SubFactory(
        UserFactory, organization=factory.SelfAttribute("..client.organization")
    )
    relationship = PortalAccess.Relationship.PARENT


class CareTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    staff = factory.SubFactory(
        StaffFactory, organization=factory.SelfAttribute("..client.organization")
    )
    role = CareTeamMember.Role.BEHAVIOR_TECHNICIAN


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("organization", "name")

    organization = factory.SubFactory(OrganizationFactory)
    name = "ABA therapy"


class PermissionGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PermissionGroup

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    permissions = factory.LazyFunction(list)


def _tomorrow_at(hour: int) -> dt.datetime:
    local = timezone.localtime(timezone.now()) + dt.timedelta(days=1)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


class AppointmentFactory(factory.django.DjangoModelFactory):
    """Writes rows directly, as a data import would; the triggers still apply."""

    class Meta:
        model = Appointment

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    provider = factory.SubFactory(
        StaffFactory, organization=factory.SelfAttribute("..client.organization")
    )
    service = factory.SubFactory(
        ServiceFactory, organization=factory.SelfAttribute("..client.organization")
    )
    location_kind = LocationKind.CLINIC
    location_detail = "Room 2"
    starts_at = factory.LazyFunction(lambda: _tomorrow_at(15))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
    visible_to_client = True
    internal_notes = "Internal: discuss billing authorization"


def staff_with(organization: Organization, *permissions: str, **kwargs) -> StaffMember:
    """A staff member in a fresh group holding exactly these permissions."""
    staff = StaffFactory(organization=organization, **kwargs)
    group = PermissionGroupFactory(
        organization=organization, permissions=list(permissions)
    )
    add_member(group, staff)
    return staff


def administrator(organization: Organization, **kwargs) -> StaffMember:
    staff = StaffFactory(organization=organization, title="Administrator", **kwargs)
    add_member(built_in_group(organization, BuiltIn.ADMINISTRATORS), staff)
    return staff


def scheduler(organization: Organization, **kwargs) -> StaffMember:
    return staff_with(
        organization,
        Permission.MANAGE_SCHEDULING,
        Permission.UNHIDE_APPOINTMENTS,
        title="Scheduler",
        **kwargs,
    )


def hide_from_clients(staff: StaffMember) -> StaffMember:
    add_member(built_in_group(staff.organization, BuiltIn.HIDDEN_CONTACTS), staff)
    return staff


def weekly_series(actor: User, client: Client, **overrides):
    """A series made through the scheduling service, as staff would make it.

    Defaults: Mondays at 16:00 for an hour, ending after four sessions, visible.
    """
    from scheduling import services

    values = {
        "provider": StaffFactory(organization=client.organization),
        "service": ServiceFactory(organization=client.organization),
        "first_date": dt.date(2026, 10, 5),
        "local_start_time": dt.time(16, 0),
        "duration_minutes": 60,
        "weekdays": [0],
        "ends": "after_count",
        "occurrence_count": 4,
        "location_kind": LocationKind.CLINIC,
        "visible_to_client": True,
        **overrides,
    }
    return services.create_series(actor=actor, client=client, **values)
