"""Template helpers shared by every app's pages."""

from django import template
from django.utils.html import format_html

from ..choices import ROLE_BADGES

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced: keeps filters across pages."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def badge(label, colour="secondary"):
    """A status badge. Apps keep a {choice: colour} map beside their choices."""
    text = "dark" if colour in {"warning", "info", "light"} else "white"
    return format_html('<span class="badge text-bg-{} text-{}">{}</span>', colour, text, label)


@register.simple_tag
def role_badge(user):
    return badge(user.get_role_display(), ROLE_BADGES.get(user.role, "secondary"))


@register.filter
def indent(depth, base=1):
    """Left padding, in rem, for a tree row ``depth`` levels below the user's scope root."""
    try:
        return max(0, int(depth) - int(base)) * 1.25
    except (TypeError, ValueError):
        return 0


@register.simple_tag(takes_context=True)
def filters_active(context, skip=""):
    """Whether any filter other than ``skip`` (the page's own search box) and the page
    number is set: the filter panel opens only then, so results stay near the top."""
    ignored = {"page", *skip.split(",")}
    return any(value for key, value in context["request"].GET.items() if key not in ignored)
