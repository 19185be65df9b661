"""Numbers on the dashboard, written as the report writes them (2,607)."""

from django import template

register = template.Library()


@register.filter
def num(value, places=0):
    """``2607.1`` → ``"2,607"``; ``places`` decimals when asked; blank stays blank."""
    if value is None or value == "":
        return ""
    try:
        return f"{float(value):,.{int(places)}f}"
    except (TypeError, ValueError):
        return value
