"""Every figure of the dashboard in one object, built from the selectors: the page, the
CSV/XLSX export and the PDF report all read ``dashboard_for``, and the API's totals and
forecast call the same selectors, so the numbers are the same everywhere."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import demand
from .rollups import figures_ready
from .selectors import (
    DashboardQuery,
    Row,
    camps_by_unit,
    camps_most_units,
    collection_by,
    collection_totals,
    units_most_units,
)

# The horizon of the "need a year by the calendars" end of the need band.
YEAR_DAYS = 365


@dataclass
class Dashboard:
    query: DashboardQuery
    today: date
    totals: dict  # collection_totals + children_summary
    by: dict[str, list[Row]]  # month, unit, blood_group, camp, blood_centre
    camps_by_unit: list[Row]
    annual_need: dict[str, float]  # by blood group, on today's plans
    forecasts: list[demand.Forecast]  # the page's horizons (DASHBOARD_FORECAST_DAYS)
    year_forecast: demand.Forecast
    risk: list[demand.GroupRisk]
    at_risk: list = field(default_factory=list)  # the first due (all, unless ``shown``)
    as_of: datetime | None = None  # when the roll-ups were last brought up to date
    at_risk_total: int = 0  # how many children are at risk (``at_risk`` may hold fewer)
    camps_total: int = 0  # camps with donations in the range (``by["camp"]`` may hold fewer)
    units_total: int = 0  # police units with donations (``by["unit"]`` may hold fewer)

    @property
    def annual_need_total(self) -> float:
        return sum(self.annual_need.values())

    @property
    def monthly_need(self) -> float:
        """The children's need per month on today's plans: the line on the month chart."""
        return self.annual_need_total / 12

    def need_in_range(self, group: str) -> float:
        """A group's need over the range's days, at today's plans."""
        return self.annual_need.get(group, 0.0) * self.query.days / 365

    @property
    def need_band(self) -> tuple[int, int]:
        """The children's need for a year, low to high: what their plans ask for a year
        (units × 365 / interval) and what their calendars have falling due in the next
        365 days (overdue transfusions included). The report prints "need X–Y"."""
        a, b = round(self.annual_need_total), self.year_forecast.units_total
        return min(a, b), max(a, b)

    def group_rows(self) -> list[dict]:
        """Units collected by blood group against the need over the range, every group that
        has either."""
        collected = {row.key: row.units for row in self.by["blood_group"]}
        groups = [g for g in demand.GROUP_ORDER if collected.get(g) or self.annual_need.get(g)]
        return [
            {
                "group": g,
                "label": demand.group_label(g),
                "units": collected.get(g, 0),
                "need": round(self.need_in_range(g)),
            }
            for g in groups
        ]

    def chart_data(self) -> dict:
        """What static/js/dashboard.js draws (passed through json_script)."""
        months = self.by["month"]
        groups = self.group_rows()
        return {
            "months": {
                "labels": [row.label for row in months],
                "units": [row.units for row in months],
                "need": [round(self.monthly_need, 1)] * len(months),
            },
            "groups": {
                "labels": [row["label"] for row in groups],
                "units": [row["units"] for row in groups],
                "need": [row["need"] for row in groups],
            },
            "camps": {
                "labels": [row.label for row in self.camps_by_unit],
                "camps": [row.extra["camps"] for row in self.camps_by_unit],
            },
        }


def chart_text() -> dict[str, str]:
    """The charts' legend, the same on the page (static/js/dashboard.js) and in the PDF."""
    return {
        "units": _("Units collected"),
        "need": _("Children’s need"),
        "camps": _("Camps held"),
    }


BREAKDOWNS = ("month", "unit", "blood_group", "camp", "blood_centre")


def dashboard_for(
    query: DashboardQuery,
    today: date | None = None,
    *,
    deferred_for=BREAKDOWNS,
    camps_shown: int | None = None,
    at_risk_shown: int | None = None,
    units_shown: int | None = None,
) -> Dashboard:
    """Every figure for ``query``: a fixed number of queries whatever the data. The
    collection and transfusion figures come from the roll-ups, brought up to date first
    when few changes are pending (``rollups.figures_ready``). ``deferred_for``: the
    breakdowns whose rows count their donors deferred (the page shows them by unit only;
    the exports, every one). ``camps_shown`` and ``at_risk_shown``: the page's two long
    lists hold at most so many rows — the camps with the most units (``by["camp"]``, in
    that order) and the children at risk due first — and ``camps_total`` and
    ``at_risk_total`` say how many there are (a state's five years hold 20,000 camps, its
    week thousands of children due); None: every row (the exports). ``units_shown``: the
    breakdown by unit likewise, when a scope has more units (a state's 1,000 stations: those
    with the most units collected, their donors deferred counted for them only), and
    ``units_total``."""
    today = today or timezone.localdate()
    as_of = figures_ready()
    horizons = sorted(set(settings.DASHBOARD_FORECAST_DAYS))
    annual = demand.annual_need_by_group(query, today)
    days = [*horizons, YEAR_DAYS]
    # The donors eligible today and on each horizon's day: one scan of the donors.
    pool = demand.eligible_by_group_on(query, [today, *(today + timedelta(days=n) for n in days)])
    *horizon_forecasts, year = demand.forecasts(query, days, today, pool=pool)
    shortened = {"camp": camps_shown, "unit": units_shown}
    by = {
        name: collection_by(query, name, deferred=name in deferred_for)
        for name in BREAKDOWNS
        if shortened.get(name) is None
    }
    if units_shown is None:
        units_total = len(by["unit"])
    else:
        by["unit"], units_total = units_most_units(
            query, units_shown, deferred="unit" in deferred_for
        )
    if camps_shown is None:
        camps_total = len(by["camp"])
    else:
        by["camp"], camps_total = camps_most_units(
            query, camps_shown, deferred="camp" in deferred_for
        )
    at_risk = demand.children_at_risk(query, today, limit=at_risk_shown)
    if at_risk_shown is None or len(at_risk) < at_risk_shown:
        at_risk_total = len(at_risk)
    else:
        at_risk_total = demand.children_at_risk_count(query, today)
    return Dashboard(
        query=query,
        today=today,
        totals={**collection_totals(query), **demand.children_summary(query, today)},
        by=by,
        camps_by_unit=camps_by_unit(query),
        annual_need=annual,
        forecasts=horizon_forecasts,
        year_forecast=year,
        risk=demand.supply_risk(query, today, annual=annual, eligible=pool[today]),
        at_risk=at_risk,
        as_of=as_of,
        at_risk_total=at_risk_total,
        camps_total=camps_total,
        units_total=units_total,
    )
