"""Permission groups: what staff may do, and who is hidden from clients."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, StaffMember


class Permission(models.TextChoices):
    MANAGE_SCHEDULING = "manage_scheduling", _("Manage scheduling")
    CHANGE_SCHEDULING_SETTINGS = (
        "change_scheduling_settings",
        _("Change scheduling settings"),
    )
    UNHIDE_APPOINTMENTS = "unhide_appointments", _("Unhide appointments")
    VOID_APPOINTMENTS = "void_appointments", _("Void appointments")
    MANAGE_PERMISSION_GROUPS = "manage_permission_groups", _("Manage permission groups")
    MANAGE_CLIENTS = "manage_clients", _("Manage clients and portal access")
    READ_AUDIT_LOG = "read_audit_log", _("Read the audit log")
    HIDE_FROM_PORTAL = "hide_from_portal", _("Hide Employee from Client Portal")


class BuiltIn(models.TextChoices):
    ADMINISTRATORS = "administrators", _("Administrators")
    HIDDEN_CONTACTS = "hidden_contacts", _("Hidden Contacts")


# Administrators hold every permission except the one that hides a person.
ADMINISTRATOR_PERMISSIONS = [
    p for p in Permission.values if p != Permission.HIDE_FROM_PORTAL
]

# What each built-in group is made with and can never lose; the check
# constraints below, group creation and the admin all read this.
DEFINING_PERMISSIONS: dict[str, list[str]] = {
    BuiltIn.ADMINISTRATORS: ADMINISTRATOR_PERMISSIONS,
    BuiltIn.HIDDEN_CONTACTS: [Permission.HIDE_FROM_PORTAL],
}


class PermissionGroup(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="permission_groups"
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    permissions = ArrayField(
        models.CharField(max_length=40, choices=Permission.choices),
        default=list,
        blank=True,
    )
    # NULL, not "", for custom groups: the unique constraint below then allows
    # any number of custom groups and at most one of each built-in kind.
    built_in = models.CharField(  # noqa: DJ001
        max_length=20, choices=BuiltIn.choices, null=True, blank=True, editable=False
    )
    members: "models.ManyToManyField[StaffMember, GroupMembership]" = (
        models.ManyToManyField(
            StaffMember, through="GroupMembership", related_name="permission_groups"
        )
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                "name",
                name="group_name_unique",
                violation_error_message=_(
                    "This practice already has a group with this name."
                ),
            ),
            models.UniqueConstraint(
                "organization", "built_in", name="group_one_of_each_built_in"
            ),
            models.UniqueConstraint("organization", "id", name="group_org_id_unique"),
            # The built-in groups can never lose the permission that defines them.
            models.CheckConstraint(
                condition=~models.Q(built_in=BuiltIn.HIDDEN_CONTACTS)
                | models.Q(
                    permissions__contains=DEFINING_PERMISSIONS[BuiltIn.HIDDEN_CONTACTS]
                ),
                name="hidden_contacts_keeps_hide_permission",
                violation_error_message=_(
                    "Hidden Contacts always keeps Hide Employee from Client Portal."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(built_in=BuiltIn.ADMINISTRATORS)
                | models.Q(
                    permissions__contains=DEFINING_PERMISSIONS[BuiltIn.ADMINISTRATORS]
                ),
                name="administrators_keep_every_permission",
                violation_error_message=_(
                    "Administrators always keep every permission."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def hides_members(self) -> bool:
        return Permission.HIDE_FROM_PORTAL in self.permissions


class GroupMembership(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        PermissionGroup, on_delete=models.CASCADE, related_name="memberships"
    )
    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="group_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organization",
                "group",
                "staff",
                name="membership_unique",
                violation_error_message=_("This staff member is already in the group."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} in {self.group}"
