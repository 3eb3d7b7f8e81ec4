from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class PortalAccountAdapter(DefaultAccountAdapter):
    """Logins are created by staff or the demo-data command, never by sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
