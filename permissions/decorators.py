"""The door of every staff page: who may open it, and what they may do inside."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import StaffMember, User
from permissions.services import staff_member_for, staff_permissions

View = Callable[..., HttpResponse]


class StaffPermissions(frozenset[str]):
    """The permissions of one staff member, readable from templates.

    ``{% if request.staff_permissions.unhide_appointments %}`` works because the
    template engine tries ``obj[name]`` first, so nav links and buttons show only
    what the member may use without a context processor.
    """

    def __getitem__(self, permission: str) -> bool:
        return permission in self


class StaffRequest(HttpRequest):
    """A request that passed ``staff_required``; for type hints in views."""

    user: User
    staff: StaffMember
    staff_permissions: StaffPermissions


def staff_required(permission: str | None = None) -> Callable[[View], View]:
    """Let in active staff members, and only those holding ``permission`` if given.

    Anonymous visitors go to the login page; any other login (a portal user, a
    staff member without the permission) gets 403. Pages render in the
    organization's time zone, which is the zone staff book appointments in.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            htmx = bool(getattr(request, "htmx", False))
            if not request.user.is_authenticated:
                if htmx:
                    return _htmx_to_login(request)
                if request.method not in ("GET", "HEAD"):
                    return _post_to_login(request)
                return redirect_to_login(request.get_full_path())
            staff = staff_member_for(request.user)
            granted = StaffPermissions(staff_permissions(staff) if staff else ())
            if staff is None or (permission is not None and permission not in granted):
                if htmx:
                    return _htmx_forbidden(request)
                raise PermissionDenied

            request.staff = staff  # type: ignore[attr-defined]
            request.staff_permissions = granted  # type: ignore[attr-defined]
            with timezone.override(staff.organization.zone):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator


# htmx follows a redirect inside the request and would swap the whole sign-in
# page into a table row, and it swaps nothing for a 403; so htmx requests are
# told to move the whole page instead.


def _htmx_to_login(request: HttpRequest) -> HttpResponse:
    """Send the browser to the sign-in page, then back to the page it is on."""
    # The request's own URL may answer POST only; the page the member looks at
    # (HX-Current-URL, used only when it is on this site) takes GET.
    here = request.htmx.current_url_abs_path  # type: ignore[attr-defined]
    if here:
        return HttpResponseClientRedirect(redirect_to_login(here).url)
    return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))


def _post_to_login(request: HttpRequest) -> HttpResponse:
    """A form sent after the session ended: say so, and come back to its page.

    The form's own URL answers POST only, so after signing in the member
    returns to the page they sent it from (when it is on this site).
    """
    messages.warning(
        request,
        _("You were signed out, so nothing was saved. Sign in and try again."),
    )
    referer = request.headers.get("Referer", "")
    back = urlsplit(referer)
    page = back.path + (f"?{back.query}" if back.query else "")
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        page = resolve_url("home")
    return redirect_to_login(page)


def _htmx_forbidden(request: HttpRequest) -> HttpResponse:
    """A 403 that reloads the page, which then shows why nothing happened."""
    messages.error(request, _("You do not have permission to do that."))
    response = HttpResponse(status=403)
    response["HX-Refresh"] = "true"
    return response
