"""The dashboard's part of ``load_demo``: bring the roll-ups up to date with the demo rows
just written, so a fresh ``make run`` shows a year of curves at once (on SQLite there are
no triggers and a read does not refresh figures made before; the beat would only catch up
minutes later). Runs last (INSTALLED_APPS order).

Idempotent: when the roll-ups already count every raw row, nothing is written."""

from django.db.models import Sum

from donors.models import Donation, Donor
from thalassemia.models import Transfusion

from .models import CollectionDay, FigureChange, FigureRun, RegistrationDay, TransfusionDay
from .rollups import figures_refresh


def _stale() -> bool:
    """Whether the roll-ups miss rows: never filled, changes noted and not applied, or their
    counts short of the raw tables' (SQLite notes no changes)."""
    if not FigureRun.objects.exists() or FigureChange.objects.exists():
        return True
    counted = (
        (CollectionDay, "donations", Donation),
        (RegistrationDay, "donors", Donor),
        (TransfusionDay, "transfusions", Transfusion),
    )
    return any(
        (rollup.objects.aggregate(n=Sum(field))["n"] or 0) != raw.objects.count()
        for rollup, field, raw in counted
    )


def load(units: dict) -> int:
    """Refresh the figures when they miss demo rows; answer the collection roll-up's rows."""
    if _stale():
        figures_refresh()
    return CollectionDay.objects.count()
