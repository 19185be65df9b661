"""The camp's totals as a short message a constable shares on WhatsApp from the camp table:
units by blood group, donors, first-time donors, deferrals. Written on the server in the
page's language (WhatsApp's *bold*), so every phone shares the same words."""

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Camp
from .selectors import CampTotals


def share_text(camp: Camp, totals: CampTotals) -> str:
    by_group = " · ".join(f"{group or '?'} {units}" for group, units in totals.by_group.items())
    lines = [
        f"*{camp.name}*",
        f"{date_format(camp.held_on, 'DATE_FORMAT')}, {camp.venue}",
        "",
        _("Units collected: %(n)s") % {"n": totals.collected},
    ]
    if by_group:
        lines.append(_("By blood group: %(groups)s") % {"groups": by_group})
    lines += [
        _("Donors: %(n)s (first-time: %(first)s)")
        % {"n": totals.registered, "first": totals.first_time},
        _("Deferred at screening: %(n)s") % {"n": totals.deferred},
    ]
    if totals.reactions:
        lines.append(_("Adverse reactions: %(n)s") % {"n": totals.reactions})
    lines += ["", _("Thank you to every donor! — %(force)s") % {"force": settings.FORCE_NAME}]
    return "\n".join(lines)
