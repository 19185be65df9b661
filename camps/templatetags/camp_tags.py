from django import template

from accounts.templatetags.portal import badge

from ..choices import CAMP_STATUS_BADGES

register = template.Library()


@register.simple_tag
def camp_status(camp):
    """The camp's status as a badge in its colour."""
    return badge(camp.get_status_display(), CAMP_STATUS_BADGES.get(camp.status, "secondary"))
