"""Staff pages of the Permissions module."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.models import StaffMember
from permissions.decorators import StaffRequest, staff_required
from permissions.models import Permission, PermissionGroup


@staff_required(Permission.MANAGE_PERMISSION_GROUPS)
@require_http_methods(["GET", "HEAD"])
def group_list(request: StaffRequest) -> HttpResponse:
    """The organization's permission groups, what each allows, and who is in it."""
    groups = PermissionGroup.objects.filter(
        organization_id=request.staff.organization_id
    ).prefetch_related(
        Prefetch("members", queryset=StaffMember.objects.order_by("last_name"))
    )
    labels = dict(Permission.choices)
    rows = [
        (group, [labels.get(code, code) for code in group.permissions])
        for group in groups
    ]

    return render(request, "staff/permissions/group_list.html", {"rows": rows})
