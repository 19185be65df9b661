"""Badges of the children pages, coloured from one place (choices.py)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..choices import ASSIGNMENT_BADGES, PATIENT_STATUS_BADGES, TRANSFUSION_BADGES

register = template.Library()


@register.simple_tag
def status_badge(obj):
    """A badge for a child's, a transfusion's or an assignment's status."""
    from ..models import Assignment, Patient, Transfusion

    colours = {
        Patient: PATIENT_STATUS_BADGES,
        Transfusion: TRANSFUSION_BADGES,
        Assignment: ASSIGNMENT_BADGES,
    }[type(obj)]
    colour = colours.get(obj.status, "secondary")
    return format_html(
        '<span class="badge text-bg-{} border">{}</span>', colour, obj.get_status_display()
    )


@register.simple_tag
def due_badge(due_on, today):
    """ "Overdue 3 days" / "Due today" / "In 5 days", coloured by urgency."""
    if due_on is None:
        return format_html('<span class="badge text-bg-light border">{}</span>', _("No date"))
    days = (due_on - today).days
    if days < 0:
        text = ngettext("Overdue %(n)s day", "Overdue %(n)s days", -days) % {"n": -days}
        colour = "danger"
    elif days == 0:
        text, colour = _("Due today"), "danger"
    else:
        text = ngettext("In %(n)s day", "In %(n)s days", days) % {"n": days}
        colour = "warning" if days <= 7 else "info" if days <= 14 else "light"
    return format_html(
        '<span class="badge text-bg-{} border" data-testid="due-badge">{}</span>', colour, text
    )
