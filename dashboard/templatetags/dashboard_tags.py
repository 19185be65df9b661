"""Numbers on the dashboard, written as the report writes them (2,607; 2.607 in Vietnamese)."""

from django import template

from portal.l10n import number

register = template.Library()


@register.filter
def num(value, places=0):
    """``2607.1`` → ``"2,607"`` (``"2.607"`` in Vietnamese); ``places`` decimals when asked;
    blank stays blank."""
    if value is None or value == "":
        return ""
    try:
        return number(value, places)
    except (TypeError, ValueError):
        return value
