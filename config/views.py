from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from permissions.services import staff_member_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send staff to their side and everyone else to the portal."""
    if staff_member_for(request.user) is not None:  # type: ignore[arg-type]
        return redirect("scheduling:appointment_list")
    return redirect("portal:home")
