"""Django admin for permission groups; built-in groups can be edited, never deleted."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin import TenantAdminForm, TenantAdminMixin
from permissions import services
from permissions.models import (
    DEFINING_PERMISSIONS,
    BuiltIn,
    GroupMembership,
    Permission,
    PermissionGroup,
)


class PermissionGroupAdminForm(TenantAdminForm):
    permissions = forms.TypedMultipleChoiceField(
        choices=Permission.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PermissionGroup
        fields = ["organization", "name", "description", "permissions"]

    def clean_permissions(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["permissions"]
        built_in = self.instance.built_in
        if built_in is None:
            return chosen

        missing = [p for p in DEFINING_PERMISSIONS[built_in] if p not in chosen]
        if missing:
            raise ValidationError(
                _("The %(group)s group always keeps: %(permissions)s."),
                params={
                    "group": BuiltIn(built_in).label,
                    "permissions": ", ".join(str(Permission(p).label) for p in missing),
                },
            )
        return chosen


class MembershipForm(TenantAdminForm):
    class Meta:
        model = GroupMembership
        fields = ["staff"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A member is added or removed, never swapped for someone else: both
        # go through the permissions services.
        if self.instance.pk is not None:
            self.fields["staff"].disabled = True

    def row_organization_id(self) -> int | None:
        # The group being edited, or the one about to be added with its members.
        group = self.cleaned_data.get("group")
        return group.organization_id if group is not None else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        group = cleaned.get("group")
        staff = cleaned.get("staff")
        if group is None or staff is None or self.instance.pk is not None:
            return cleaned

        if group.pk is not None and group.memberships.filter(staff=staff).exists():
            self.add_error(
                "staff",
                ValidationError(
                    _("%(staff)s is already in this group."), params={"staff": staff}
                ),
            )
        self.instance.organization_id = group.organization_id
        return cleaned


class MembershipFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            staff = data.get("staff")
            if staff is None or data.get("DELETE"):
                continue
            if staff.pk in seen:
                raise ValidationError(
                    _("%(staff)s is listed twice."), params={"staff": staff}
                )
            seen.add(staff.pk)


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    form = MembershipForm
    formset = MembershipFormSet
    extra = 1
    raw_id_fields = ["staff"]


@admin.register(PermissionGroup)
class PermissionGroupAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = PermissionGroupAdminForm
    inlines = [MembershipInline]
    list_display = ["name", "organization", "built_in"]
    list_filter = ["built_in", "organization"]
    list_select_related = ["organization"]
    search_fields = ["name"]

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: Any
    ) -> None:
        if formset.model is not GroupMembership:
            super().save_formset(request, form, formset, change)
            return

        group = form.instance
        unsaved = formset.save(commit=False)
        for membership in formset.deleted_objects:
            services.remove_member(group, membership.staff)
        # The admin's history reads the new rows from here.
        formset.new_objects = [
            services.add_member(group, membership.staff)
            for membership in unsaved
            if membership.pk is None
        ]

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
