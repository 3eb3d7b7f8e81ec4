from urllib.parse import urlsplit

from django import template

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
