from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from permissions.models import Permission
from permissions.services import staff_member_for, staff_permissions

# Where a staff member lands after signing in: the first page they may use.
STAFF_START_PAGES = [
    (Permission.MANAGE_SCHEDULING, "scheduling:appointment_list"),
    (Permission.CHANGE_SCHEDULING_SETTINGS, "scheduling:settings_additional"),
    (Permission.MANAGE_PERMISSION_GROUPS, "permissions:group_list"),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send staff to their side and everyone else to the portal."""
    staff = staff_member_for(request.user)  # type: ignore[arg-type]
    if staff is None:
        return redirect("portal:home")

    granted = staff_permissions(staff)
    for permission, url_name in STAFF_START_PAGES:
        if permission in granted:
            return redirect(url_name)
    return render(request, "staff/no_access.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale form, usually after signing in again in another tab.

    htmx swaps nothing on a 403, so its requests are told to reload the page,
    which brings a fresh token; others get a page that says what to do.
    """
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=403)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "csrf_failure.html", status=403)
