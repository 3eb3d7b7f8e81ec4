"""Organizations and the people in them: staff, clients and portal logins."""

import uuid
import zoneinfo
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(zone)s is not a known time zone."), params={"zone": value}
        )


class Module(models.TextChoices):
    MESSAGES = "messages", _("Messages")
    BILLING = "billing", _("Billing")
    CLINICAL = "clinical", _("Clinical")


class Organization(models.Model):
    """One practice. Every other tenant row points here."""

    display_name = models.CharField(_("display name"), max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    modules = ArrayField(
        models.CharField(max_length=20, choices=Module.choices),
        default=list,
        blank=True,
        help_text=_("Modules the practice subscribes to."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> "User":
        if not email:
            raise ValueError("Every login needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **fields: object
    ) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(
        self, email: str, password: str | None = None, **fields: object
    ) -> "User":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A login. Signs in by e-mail; there is no username.

    ``is_staff`` keeps Django's meaning (may open the Django admin); working
    for a practice is a StaffMember row, and viewing a client is PortalAccess.
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"))
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Empty only for platform superusers."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                violation_error_message=_(
                    "A login with this e-mail address already exists."
                ),
            ),
            # Target of composite foreign keys that keep tenants apart.
            models.UniqueConstraint("organization", "id", name="user_org_id_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class StaffMember(models.Model):
    """An employee contact of one practice."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="staff"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_member",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    title = models.CharField(max_length=100, blank=True)
    work_email = models.EmailField(blank=True)
    work_phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            # Target of composite foreign keys that keep tenants apart.
            models.UniqueConstraint("organization", "id", name="staff_org_id_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        if self.user and self.user.organization_id != self.organization_id:
            raise ValidationError(_("The login belongs to another organization."))


class Client(models.Model):
    """The person who receives services. A client record is not a login."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="clients"
    )
    # Unique within the organization, like every other key, so the table can
    # be distributed by organization; a UUID does not repeat in practice.
    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            # Target of composite foreign keys that keep tenants apart.
            models.UniqueConstraint("organization", "id", name="client_org_id_unique"),
            models.UniqueConstraint(
                "organization", "public_id", name="client_public_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class PortalAccessQuerySet(models.QuerySet["PortalAccess"]):
    def active(self) -> "PortalAccessQuerySet":
        return self.filter(revoked_at__isnull=True)


class PortalAccess(models.Model):
    """Lets one login view one client: the client themself or a guardian."""

    class Relationship(models.TextChoices):
        SELF = "self", _("Self")
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Guardian")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="portal_access"
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="portal_access"
    )
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PortalAccessQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "portal access"
        constraints = [
            models.UniqueConstraint(
                "organization",
                "user",
                "client",
                condition=models.Q(revoked_at__isnull=True),
                name="portal_access_one_active_grant",
                violation_error_message=_("This login can already see this client."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.client}"

    def clean(self) -> None:
        # A missing client or login is reported by its own field.
        if self.client_id is None or self.user_id is None:
            return
        if self.client.organization_id != self.organization_id:
            raise ValidationError(_("The client belongs to another organization."))
        if self.user.organization_id != self.organization_id:
            raise ValidationError(_("The login belongs to another organization."))


class CareTeamMember(models.Model):
    """A staff member connected to a client, with their role on that team."""

    class Role(models.TextChoices):
        BCBA = "bcba", _("BCBA")
        BEHAVIOR_TECHNICIAN = "rbt", _("Behavior technician")
        SPEECH_THERAPIST = "slp", _("Speech-language pathologist")
        OCCUPATIONAL_THERAPIST = "ot", _("Occupational therapist")
        SCHEDULER = "scheduler", _("Scheduler")
        BILLING_COORDINATOR = "billing", _("Billing coordinator")
        CASE_MANAGER = "case_manager", _("Case manager")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+"
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="care_team"
    )
    staff = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="care_teams"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["role", "staff__last_name"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                "client",
                "staff",
                "role",
                name="care_team_unique_role",
                violation_error_message=_(
                    "This staff member already has this role on the care team."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} ({self.get_role_display()}) for {self.client}"
