"""Django admin for permission groups; built-in groups can be edited, never deleted."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from permissions.models import GroupMembership, Permission, PermissionGroup


class PermissionGroupAdminForm(forms.ModelForm):
    permissions = forms.TypedMultipleChoiceField(
        choices=Permission.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PermissionGroup
        fields = ["organization", "name", "description", "permissions"]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = GroupMembership
        fields = ["staff"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        group = self.instance.group
        staff = cleaned.get("staff")
        if staff is not None and staff.organization_id != group.organization_id:
            raise ValidationError(
                _("%(staff)s works for another organization."),
                params={"staff": staff},
            )
        # The membership row carries its tenant like every other row.
        self.instance.organization_id = group.organization_id
        return cleaned


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    form = MembershipForm
    extra = 1
    raw_id_fields = ["staff"]


@admin.register(PermissionGroup)
class PermissionGroupAdmin(admin.ModelAdmin):
    form = PermissionGroupAdminForm
    inlines = [MembershipInline]
    list_display = ["name", "organization", "built_in"]
    list_filter = ["built_in", "organization"]
    list_select_related = ["organization"]
    search_fields = ["name"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: PermissionGroup | None = None
    ) -> list[str]:
        return ["organization"] if obj is not None else []

    def has_delete_permission(
        self, request: HttpRequest, obj: PermissionGroup | None = None
    ) -> bool:
        if obj is not None and obj.built_in:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # The bulk delete action cannot tell built-in groups apart; one at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
