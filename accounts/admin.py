"""Django admin for organizations and people; for platform superusers only."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
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


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "organization"]


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


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


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["full_name", "title", "organization", "user", "is_active"]
    list_filter = ["is_active", "organization"]
    list_select_related = ["organization", "user"]
    search_fields = ["first_name", "last_name", "work_email", "user__email"]
    raw_id_fields = ["user"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["full_name", "organization", "date_of_birth", "is_active"]
    list_filter = ["is_active", "organization"]
    list_select_related = ["organization"]
    search_fields = ["first_name", "last_name", "public_id"]
    readonly_fields = ["public_id"]


@admin.register(PortalAccess)
class PortalAccessAdmin(admin.ModelAdmin):
    list_display = ["user", "client", "relationship", "granted_at", "revoked_at"]
    list_filter = ["relationship", "organization"]
    list_select_related = ["user", "client"]
    search_fields = ["user__email", "client__first_name", "client__last_name"]
    raw_id_fields = ["user", "client"]


@admin.register(CareTeamMember)
class CareTeamMemberAdmin(admin.ModelAdmin):
    list_display = ["client", "staff", "role", "organization"]
    list_filter = ["role", "organization"]
    list_select_related = ["client", "staff", "organization"]
    search_fields = ["client__last_name", "staff__last_name"]
    raw_id_fields = ["client", "staff"]
