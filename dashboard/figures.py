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
    collection_by,
    collection_totals,
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
    at_risk: list = field(default_factory=list)
    as_of: datetime | None = None  # when the roll-ups were last brought up to date

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
    query: DashboardQuery, today: date | None = None, *, deferred_for=BREAKDOWNS
) -> Dashboard:
    """Every figure for ``query``: a fixed number of queries whatever the data. The
    collection and transfusion figures come from the roll-ups, brought up to date first
    when few changes are pending (``rollups.figures_ready``). ``deferred_for``: the
    breakdowns whose rows count their donors deferred (the page shows them by unit only;
    the exports, every one)."""
    today = today or timezone.localdate()
    as_of = figures_ready()
    horizons = sorted(set(settings.DASHBOARD_FORECAST_DAYS))
    annual = demand.annual_need_by_group(query, today)
    days = [*horizons, YEAR_DAYS]
    # The donors eligible today and on each horizon's day: one scan of the donors.
    pool = demand.eligible_by_group_on(query, [today, *(today + timedelta(days=n) for n in days)])
    *shown, year = demand.forecasts(query, days, today, pool=pool)
    return Dashboard(
        query=query,
        today=today,
        totals={**collection_totals(query), **demand.children_summary(query, today)},
        by={by: collection_by(query, by, deferred=by in deferred_for) for by in BREAKDOWNS},
        camps_by_unit=camps_by_unit(query),
        annual_need=annual,
        forecasts=shown,
        year_forecast=year,
        risk=demand.supply_risk(query, today, annual=annual, eligible=pool[today]),
        at_risk=list(demand.children_at_risk(query, today)),
        as_of=as_of,
    )
