from urllib.parse import urlsplit

from django import template
from django.utils import timezone

from portal.policy import AppointmentView
from scheduling.models import Status

register = template.Library()


@register.filter
def web_link(url: str) -> str:
    """The address if it opens a web page, else nothing.

    A telehealth link may arrive by import without form validation; a
    ``javascript:`` address must never become a clickable link.
    """
    if urlsplit(url.strip()).scheme.lower() in {"http", "https"}:
        return url.strip()
    return ""


@register.filter
def joinable(appointment: AppointmentView) -> bool:
    """Whether a video link is worth offering: the session is on and not over."""
    return (
        appointment.status == Status.SCHEDULED and appointment.ends_at >= timezone.now()
    )
