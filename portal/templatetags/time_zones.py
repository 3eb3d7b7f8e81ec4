"""Time-zone names for templates on both the staff and the client side."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter(expects_localtime=True)
def zone_abbreviation(value: dt.datetime) -> str:
    """The zone's short name at that moment, such as EDT or EST.

    Django's ``date:"T"`` prints nothing for a wall-clock time that happens
    twice (01:30 on the night clocks go back), exactly when the name is
    needed; the aware datetime itself knows which of the two it is.
    """
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        return ""
    return value.tzname() or ""
