"""The public impact page, ``/impact/``: no login, this year's figures for the whole
state, a force (district or commissionerate) or a circle, read from the dashboard's
roll-ups through the same selectors as the dashboard (``DashboardQuery`` over the year's
range, the chosen unit as its subtree), so a state's million rows cost the same few
queries as ten.

Nobody is named: only counts are shown, and every count from 1 to 4 is shown as "<5"
(``small``), the monthly curve included (such a month is left out of the chart and
shown as "<5" in its table). The page is cached per unit and language for
``DASHBOARD_FIGURES_REFRESH_MINUTES``: the roll-ups are not fresher than that anyway.

Anyone may call it, as often as they like, so a visit never writes: the roll-ups are read
as the beat last left them (never the dashboard's inline refresh, ``figures_ready``) and
the page says as of when. A cached page is free; counting the figures afresh (a miss, or an
id that names no unit) counts against the visitor's address (``IMPACT_RATE_LIMIT``), so
walking every unit id ends in a 429, not in a loaded database."""

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django_ratelimit.core import get_usage

from accounts.choices import FORCE_KINDS, Role, UnitKind
from accounts.models import PoliceUnit
from donors.views.pledge import _client_key

from . import demand
from .rollups import figures_as_of
from .selectors import DashboardQuery, camp_summary, collection_by, donors_registered

# Counts below this are shown as "<5" (and 0 as 0): a small cell could point at a person.
SMALL_CELL = 5
# The units a visitor may choose: the forces, and the circles inside one.
SHOWN_KINDS = (*FORCE_KINDS, UnitKind.CIRCLE)
RATE_LIMIT_GROUP = "dashboard:impact-misses"
# A unit id as a visitor may write it: ASCII digits that fit the primary key (BigAutoField).
# Anything else in ``?force=`` is ignored (the state's page); a longer number names no unit.
UNIT_ID = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class _Public:
    """The viewer the public figures are counted for: everything (the chosen unit's
    subtree narrows it). Never a signed-in user: only counts leave this module."""

    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = True
    role: str = Role.ADMIN
    unit = None
    unit_id = None


PUBLIC = _Public()


def small(count: int) -> str:
    """A count as the public sees it: "<5" for 1 to 4, the number otherwise."""
    if 0 < count < SMALL_CELL:
        return "<5"
    return number_format(count, force_grouping=True)


def figures(unit: PoliceUnit | None, today: date | None = None) -> dict:
    """This year's figures for ``unit``'s subtree (None: every unit), raw counts."""
    today = today or timezone.localdate()
    query = DashboardQuery(user=PUBLIC, start=today.replace(month=1, day=1), end=today, unit=unit)
    months = collection_by(query, "month", deferred=False)
    children = demand.children_summary(query, today)
    return {
        "units": sum(row.units for row in months),
        "camps": camp_summary(query)["camps_held"],
        "donors": donors_registered(query),
        "children": children["children_active"],
        "transfusions": children["transfusions_done"],
        "months": [(row.label, row.units) for row in months],
        "year": today.year,
    }


def _data(unit: PoliceUnit | None) -> dict:
    """What the page shows for ``unit``: plain values (labels already in the request's
    language), so that they can be cached and the page rendered for each visitor (the
    header differs for a signed-in one, the CSRF token for everyone)."""
    as_of = figures_as_of()
    got = figures(unit)
    cards = [
        ("units", _("Units of blood given"), got["units"]),
        ("camps", _("Blood donation camps held"), got["camps"]),
        ("donors", _("Donors registered"), got["donors"]),
        ("children", _("Children with thalassaemia supported"), got["children"]),
        ("transfusions", _("Transfusions covered"), got["transfusions"]),
    ]
    if unit is None:
        choices = PoliceUnit.objects.filter(kind__in=FORCE_KINDS)
    else:
        choices = PoliceUnit.objects.filter(
            path__startswith=unit.path, depth=unit.depth + 1, kind__in=SHOWN_KINDS
        )
    up = None
    if unit is not None and unit.kind == UnitKind.CIRCLE:
        parent = PoliceUnit.objects.get_parent(unit)
        up = {"pk": parent.pk, "name": parent.name} if parent is not None else None
    return {
        "unit": None if unit is None else {"pk": unit.pk, "name": unit.name},
        "up": up,
        "year": got["year"],
        "cards": [{"key": k, "label": label, "value": small(n)} for k, label, n in cards],
        "months": [{"label": label, "units": small(n)} for label, n in got["months"]],
        "choices": list(choices.order_by("name").values("pk", "name")),
        "as_of": as_of,
        "chart_data": {
            "labels": [label for label, _n in got["months"]],
            # A month of 1 to 4 units is left out (a gap), as the note under the chart says.
            "units": [n if n == 0 or n >= SMALL_CELL else None for _label, n in got["months"]],
            "text": {"units": _("Units of blood given")},
        },
    }


def _unit_id(request, unit_id: int | None) -> int | None:
    """The unit asked for: the path's id, else a well-formed ``?force=``; None: the state."""
    if unit_id is None:
        force = request.GET.get("force", "")
        if UNIT_ID.fullmatch(force):
            unit_id = int(force)
    return unit_id


def _over_the_limit(request) -> int | None:
    """Charge one fresh count of the figures to the visitor's address; once the address is
    past ``IMPACT_RATE_LIMIT``, the seconds left in its window (None: go ahead)."""
    usage = get_usage(
        request,
        group=RATE_LIMIT_GROUP,
        key=_client_key,
        rate=lambda group, request: settings.IMPACT_RATE_LIMIT,
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, usage["time_left"])


class ImpactView(View):
    """``/impact/``, ``/impact/?force=<id>`` and ``/impact/<id>/``: anyone may look. The
    figures are cached per unit and language; the page is rendered for each visitor."""

    def get(self, request, unit_id: int | None = None):
        unit_id = _unit_id(request, unit_id)
        if unit_id is not None and not UNIT_ID.fullmatch(str(unit_id)):
            raise Http404  # more digits than any primary key: no query, no count
        key = f"impact:{'all' if unit_id is None else unit_id}:{get_language()}"
        data = cache.get(key)
        if data is None:
            wait = _over_the_limit(request)
            if wait is not None:
                response = render(request, "impact/limited.html", status=429)
                response["Retry-After"] = str(wait)
                return response
            unit = None
            if unit_id is not None:
                unit = PoliceUnit.objects.filter(pk=unit_id, kind__in=SHOWN_KINDS).first()
                if unit is None:
                    raise Http404
            data = _data(unit)
            cache.set(key, data, settings.DASHBOARD_FIGURES_REFRESH_MINUTES * 60)
        return render(request, "impact/impact.html", data)
