"""Django admin for organizations and people; for platform superusers only.

``TenantAdminMixin`` and ``TenantAdminForm`` are shared by every admin page of a
row that belongs to one organization, in this app and the others.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F
from django.db.models.expressions import BaseExpression
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    CareTeamMember,
    Client,
    Module,
    Organization,
    PortalAccess,
    StaffMember,
    User,
)


def _belongs_to_a_tenant(model: Any) -> bool:
    if not isinstance(model, type) or not issubclass(model, models.Model):
        return False
    try:
        model._meta.get_field("organization")
    except FieldDoesNotExist:
        return False
    return True


def _named_fields(constraint: models.UniqueConstraint) -> list[str]:
    """The fields a unique constraint names, given as field names or as F()."""
    names = list(constraint.fields)
    for expression in constraint.expressions:
        nodes: list[Any] = [expression]
        if isinstance(expression, BaseExpression):
            nodes = list(expression.flatten())
        names += [node.name for node in nodes if isinstance(node, F)]
    return names


class TenantAdminForm(forms.ModelForm):
    """The admin form of a row that belongs to one organization.

    Every related row it points to must be of that same organization: the
    database refuses a mix with an error the admin cannot show.
    """

    def row_organization_id(self) -> int | None:
        """The organization the row is in, or None while that is still unknown."""
        if "organization" in self.fields:
            organization = self.cleaned_data.get("organization")
            return organization.pk if organization is not None else None
        return getattr(self.instance, "organization_id", None)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        organization_id = self.row_organization_id()
        if organization_id is None:
            return cleaned

        for field in self.instance._meta.fields:
            value = cleaned.get(field.name)
            if value is None or not _belongs_to_a_tenant(field.related_model):
                continue
            if value.organization_id != organization_id:
                self.add_error(
                    field.name,
                    ValidationError(
                        _("%(value)s belongs to another organization."),
                        params={"value": value},
                    ),
                )
        return cleaned

    def validate_unique(self) -> None:
        super().validate_unique()
        if "organization" in self.fields:
            return

        # Django leaves out every unique rule naming a field the form does not
        # edit. The organization is fixed once a row exists, yet "one name per
        # organization" still holds, and the database would refuse the save.
        model = type(self.instance)
        exclude = {
            field.name
            for field in model._meta.fields
            if field.name != "organization"
            and (field.name not in self.fields or field.name in self.errors)
        }
        for constraint in model._meta.constraints:
            if not isinstance(constraint, models.UniqueConstraint):
                continue
            names = _named_fields(constraint)
            if "organization" not in names:
                continue
            try:
                # A documented method the type stubs leave out.
                constraint.validate(  # type: ignore[attr-defined]
                    model, self.instance, exclude=exclude
                )
            except ValidationError as error:
                edited = [name for name in names if name in self.fields]
                self.add_error(edited[0] if len(edited) == 1 else None, error)


class TenantAdminMixin(BaseModelAdmin):
    """A tenant row's organization is chosen when it is added, and then fixed.

    Moving one row to another practice would leave the rows around it behind;
    the database refuses that, so the admin does not offer it.
    """

    form = TenantAdminForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and "organization" not in fields:
            fields.append("organization")
        return fields


class OrganizationAdminForm(forms.ModelForm):
    modules = forms.TypedMultipleChoiceField(
        choices=Module.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Modules the practice subscribes to."),
    )

    class Meta:
        model = Organization
        fields = ["display_name", "slug", "time_zone", "modules"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationAdminForm
    list_display = ["display_name", "slug", "time_zone", "created_at"]
    search_fields = ["display_name", "slug"]
    prepopulated_fields = {"slug": ["display_name"]}

    def has_delete_permission(
        self, request: HttpRequest, obj: Organization | None = None
    ) -> bool:
        # Every tenant row points here with PROTECT; a practice is never erased.
        return False


def unique_login_email(email: str, user: User) -> str:
    """The address as logins store it, refused if another login already has it."""
    email = email.strip().lower()
    others = User.objects.filter(email__iexact=email).exclude(pk=user.pk)
    if others.exists():
        raise ValidationError(
            _("A login with this e-mail address already exists."), code="unique"
        )
    return email


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "organization"]

    def clean_email(self) -> str:
        return unique_login_email(self.cleaned_data["email"], self.instance)


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return unique_login_email(self.cleaned_data["email"], self.instance)


def login_is_linked(user: User) -> bool:
    """Whether a staff record or a portal grant, even a revoked one, uses the login."""
    return (
        StaffMember.objects.filter(user=user).exists()
        or PortalAccess.objects.filter(user=user).exists()
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, signing in by e-mail: the model has no username."""

    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = (
        (None, {"fields": ("email", "password", "organization")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "organization",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ["email", "first_name", "last_name", "organization", "is_staff"]
    list_filter = ["is_staff", "is_superuser", "is_active", "organization"]
    list_select_related = ["organization"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["email"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A staff record or portal grant is tied to the login's organization by
        # the database; the login cannot move away from it.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and login_is_linked(obj):
            fields.append("organization")
        return fields

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not login_is_linked(obj):
            return fieldsets
        (name, options), *rest = fieldsets
        note = _(
            "The organization is fixed: a staff record or portal access uses "
            "this login."
        )
        return [(name, {**options, "description": note}), *rest]


@admin.register(StaffMember)
class StaffMemberAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["full_name", "title", "organization", "user", "is_active"]
    list_filter = ["is_active", "organization"]
    list_select_related = ["organization", "user"]
    search_fields = ["first_name", "last_name", "work_email", "user__email"]
    raw_id_fields = ["user"]


@admin.register(Client)
class ClientAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["full_name", "organization", "date_of_birth", "is_active"]
    list_filter = ["is_active", "organization"]
    list_select_related = ["organization"]
    search_fields = ["first_name", "last_name", "public_id"]
    readonly_fields = ["public_id"]


@admin.register(PortalAccess)
class PortalAccessAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["user", "client", "relationship", "granted_at", "revoked_at"]
    list_filter = ["relationship", "organization"]
    list_select_related = ["user", "client"]
    search_fields = ["user__email", "client__first_name", "client__last_name"]
    raw_id_fields = ["user", "client"]


@admin.register(CareTeamMember)
class CareTeamMemberAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["client", "staff", "role", "organization"]
    list_filter = ["role", "organization"]
    list_select_related = ["client", "staff", "organization"]
    search_fields = ["client__last_name", "staff__last_name"]
    raw_id_fields = ["client", "staff"]
