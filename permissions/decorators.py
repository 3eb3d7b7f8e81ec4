"""The door of every staff page: who may open it, and what they may do inside."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

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
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            staff = staff_member_for(request.user)
            if staff is None:
                raise PermissionDenied
            granted = StaffPermissions(staff_permissions(staff))
            if permission is not None and permission not in granted:
                raise PermissionDenied

            request.staff = staff  # type: ignore[attr-defined]
            request.staff_permissions = granted  # type: ignore[attr-defined]
            with timezone.override(staff.organization.zone):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator
