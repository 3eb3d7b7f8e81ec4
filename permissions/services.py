"""What a staff member may do, and which staff are hidden from clients."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import Organization, StaffMember, User
from permissions.models import (
    DEFINING_PERMISSIONS,
    BuiltIn,
    GroupMembership,
    Permission,
    PermissionGroup,
)


def ensure_built_in_groups(organization: Organization) -> None:
    """Create the Administrators and Hidden Contacts groups if they are missing."""
    PermissionGroup.objects.get_or_create(
        organization=organization,
        built_in=BuiltIn.ADMINISTRATORS,
        defaults={
            "name": str(BuiltIn.ADMINISTRATORS.label),
            "description": "Every permission on the staff side.",
            "permissions": DEFINING_PERMISSIONS[BuiltIn.ADMINISTRATORS],
        },
    )
    PermissionGroup.objects.get_or_create(
        organization=organization,
        built_in=BuiltIn.HIDDEN_CONTACTS,
        defaults={
            "name": str(BuiltIn.HIDDEN_CONTACTS.label),
            "description": "Members never appear to clients in the portal.",
            "permissions": DEFINING_PERMISSIONS[BuiltIn.HIDDEN_CONTACTS],
        },
    )


def built_in_group(organization: Organization, built_in: BuiltIn) -> PermissionGroup:
    """One of the organization's built-in groups, made now if a path that skips
    model signals (bulk_create, raw SQL) created the organization."""
    try:
        return PermissionGroup.objects.get(organization=organization, built_in=built_in)
    except PermissionGroup.DoesNotExist:
        ensure_built_in_groups(organization)
        return PermissionGroup.objects.get(organization=organization, built_in=built_in)


@transaction.atomic
def add_member(group: PermissionGroup, staff: StaffMember) -> GroupMembership:
    if staff.organization_id != group.organization_id:
        raise ValueError("A group only takes staff of its own organization.")
    membership, _ = GroupMembership.objects.get_or_create(
        organization_id=group.organization_id, group=group, staff=staff
    )
    return membership


def remove_member(group: PermissionGroup, staff: StaffMember) -> None:
    GroupMembership.objects.filter(group=group, staff=staff).delete()


def staff_permissions(staff: StaffMember) -> set[str]:
    groups = PermissionGroup.objects.filter(
        organization_id=staff.organization_id, memberships__staff=staff
    )
    granted: set[str] = set()
    for permissions in groups.values_list("permissions", flat=True):
        granted.update(permissions)
    return granted


def staff_member_for(user: User) -> StaffMember | None:
    """The active staff record of a login, or None for clients and strangers."""
    if not user.is_authenticated:
        return None
    try:
        staff = user.staff_member
    except StaffMember.DoesNotExist:
        return None
    return staff if staff.is_active else None


def hidden_staff(organization_id: int) -> QuerySet[StaffMember]:
    """Staff in any group of the organization that hides its members from clients."""
    return StaffMember.objects.filter(
        organization_id=organization_id,
        group_memberships__group__permissions__contains=[Permission.HIDE_FROM_PORTAL],
    ).distinct()


def require_permission(user: User, organization_id: int, permission: str) -> None:
    """Refuse with PermissionDenied unless the user may do this in the organization.

    Platform superusers pass: the Django admin is theirs, and the database
    triggers still hold every invariant for them.
    """
    if user.is_superuser:
        return
    staff = staff_member_for(user)
    if staff is None or staff.organization_id != organization_id:
        raise PermissionDenied
    if permission not in staff_permissions(staff):
        raise PermissionDenied
