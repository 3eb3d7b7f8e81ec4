"""Which stored links may be offered as links."""

from urllib.parse import urlsplit


def web_link(url: str) -> str:
    """The address, trimmed, if it opens a web page; otherwise nothing.

    Rows can arrive by import without form validation, and a ``javascript:``
    or ``ftp:`` address must never become something a family clicks.
    """
    url = url.strip()
    return url if urlsplit(url).scheme.lower() in {"http", "https"} else ""
