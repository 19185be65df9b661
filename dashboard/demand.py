"""The dashboard's reads about the children: transfusions, need, forecast and supply risk.

Counts and sums are done by the database, one query per figure group, limited to the
caller's jurisdiction and the filter's unit subtree and blood group (the child's group).
The forecast of units due sums each child's calendar in SQL — the arithmetic of
``thalassemia.schedule``, which every child's schedule page and the thalassaemia app's
``units_needed_by_group`` use, for the children whose plans have all started — and walks
with ``schedule`` itself the calendars of the few with a plan still to come, so the
dashboard never disagrees with a child's own calendar (tests/dashboard/
test_forecast_counts.py holds the sum equal to the walk).

Donors "eligible by then" are counted per **identical ABO/RhD group** (``donors.selectors.
eligible_on`` at the horizon date, grouped by the donor's group), from the eligible pool's
steps (``donors.pool``) when they can answer, from the donor rows otherwise. Thalassaemia
practice asks for identical blood first (DOMAIN.md §2), and counting every compatible
donor would count an O− donor once for each of the eight groups, so the columns would not
add up to the donors there are.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, connections, router
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from camps.selectors import GROUP_ORDER
from donors import pool
from donors.choices import BloodGroup
from donors.models import Donor, EligiblePoolStep
from donors.selectors import whole_blood_eligible
from thalassemia import schedule
from thalassemia.calendar import plans_of
from thalassemia.choices import (
    OPEN_TRANSFUSION,
    AssignmentStatus,
    PatientStatus,
    TransfusionStatus,
)
from thalassemia.models import Patient, Transfusion, TransfusionPlan
from thalassemia.selectors import with_plans

from .models import TransfusedDay, TransfusionDay
from .selectors import DashboardQuery, rollup

# Known groups in report order, then "unknown" (children not yet typed).
KNOWN_GROUPS = [group for group in GROUP_ORDER if group]
COVERED = (AssignmentStatus.CONFIRMED, AssignmentStatus.DONATED)
WEEKS_A_YEAR = 365 / 7


def group_key(group: str) -> str:
    """A blood group as the API's maps key it: "" (not yet typed) is "unknown"."""
    return group or "unknown"


def group_label(group: str) -> str:
    return str(BloodGroup(group).label) if group else _("Unknown")


def _patients(query: DashboardQuery):
    patients = query.narrow(Patient.objects.all())
    if query.blood_group:
        patients = patients.filter(blood_group=query.blood_group)
    return patients


def _donors(query: DashboardQuery):
    donors = query.narrow(Donor.objects.all())
    if query.blood_group:
        donors = donors.filter(blood_group=query.blood_group)
    return donors


# --- transfusions in the range -------------------------------------------------------------


def children_summary(query: DashboardQuery, today: date | None = None) -> dict[str, int]:
    """Active children now, and the range's transfusions: those that fell due (cancelled
    ones left out), how many of them were given, missed or are still open, and the units
    transfused on days in the range. Three queries: two over the roll-ups
    (``TransfusionDay`` by due day and status, ``TransfusedDay`` by day given), one count of
    the active children."""
    today = today or timezone.localdate()
    counted = ~Q(status=TransfusionStatus.CANCELLED)
    figures = rollup(TransfusionDay, query).aggregate(
        transfusions_due=Coalesce(Sum("transfusions", filter=counted), 0),
        transfusions_done=Coalesce(Sum("transfusions", filter=Q(status=TransfusionStatus.DONE)), 0),
        transfusions_missed=Coalesce(
            Sum("transfusions", filter=Q(status=TransfusionStatus.MISSED)), 0
        ),
        transfusions_overdue=Coalesce(
            Sum("transfusions", filter=Q(status__in=OPEN_TRANSFUSION, day__lt=today)), 0
        ),
    )
    figures["units_transfused"] = rollup(TransfusedDay, query).aggregate(
        n=Coalesce(Sum("units"), 0)
    )["n"]
    figures["children_active"] = _patients(query).filter(status=PatientStatus.ACTIVE).count()
    return figures


# --- need --------------------------------------------------------------------------------


_ANNUAL_SQL = """
WITH kids AS (
    SELECT id, blood_group FROM {patient} WHERE id IN ({children})
), started AS (
    SELECT DISTINCT ON (pl.patient_id) pl.patient_id, pl.units_per_transfusion AS units,
           pl.interval_days AS interval
    FROM {plan} pl JOIN kids ON kids.id = pl.patient_id
    WHERE pl.valid_from <= %s
    ORDER BY pl.patient_id, pl.valid_from DESC, pl.id DESC
), earliest AS (
    SELECT DISTINCT ON (pl.patient_id) pl.patient_id, pl.units_per_transfusion AS units,
           pl.interval_days AS interval
    FROM {plan} pl JOIN kids ON kids.id = pl.patient_id
    ORDER BY pl.patient_id, pl.valid_from, pl.id
)
SELECT kids.blood_group,
       sum(COALESCE(s.units, e.units)::float8 * 365.0 / COALESCE(s.interval, e.interval)::float8)
FROM kids JOIN earliest e ON e.patient_id = kids.id
LEFT JOIN started s ON s.patient_id = kids.id
GROUP BY kids.blood_group
"""


def annual_need_by_group(query: DashboardQuery, today: date | None = None) -> dict[str, float]:
    """Units a year the active children need on the plan in force today (units × 365 /
    interval, DOMAIN.md §3), by blood group, summed by the database in one query.

    The plan in force is the latest one valid from today or earlier, or the first plan when
    none has started yet (``thalassemia.schedule.plan_on``). On PostgreSQL each child's two
    candidate plans come from one sort of the plans each (``DISTINCT ON``), not two
    subqueries a child (whose cost crossed the JIT threshold at a state's 10,000)."""
    today = today or timezone.localdate()
    children = _patients(query).filter(status=PatientStatus.ACTIVE)
    if connection.vendor == "postgresql":
        children_sql, children_params = children.order_by().values("pk").query.sql_with_params()
        sql = _ANNUAL_SQL.format(
            patient=Patient._meta.db_table,
            plan=TransfusionPlan._meta.db_table,
            children=children_sql,
        )
        # The router's database for reads (the replica in the dashboard's scope).
        with connections[router.db_for_read(Patient)].cursor() as cursor:
            cursor.execute(sql, [*children_params, today])
            return {group: annual or 0.0 for group, annual in cursor.fetchall()}
    plans = TransfusionPlan.objects.filter(patient=OuterRef("pk"))
    started = plans.filter(valid_from__lte=today).order_by("-valid_from", "-id")
    first = plans.order_by("valid_from", "id")

    def plan_value(name):
        return Coalesce(Subquery(started.values(name)[:1]), Subquery(first.values(name)[:1]))

    rows = (
        children.alias(plan_units=plan_value("units_per_transfusion"))
        .alias(plan_interval=plan_value("interval_days"))
        .order_by()
        .values("blood_group")
        .annotate(
            annual=Sum(
                Cast(F("plan_units"), FloatField()) * 365.0 / Cast(F("plan_interval"), FloatField())
            )
        )
    )
    return {row["blood_group"]: row["annual"] or 0.0 for row in rows}


@dataclass
class Forecast:
    """Units the children need over the next ``days`` days against donors eligible by then."""

    days: int
    on: date
    until: date
    units_needed: dict[str, int]  # by blood group ("" not yet typed)
    eligible_donors: dict[str, int]

    @property
    def units_total(self) -> int:
        return sum(self.units_needed.values())

    @property
    def eligible_total(self) -> int:
        return sum(self.eligible_donors.values())

    def groups(self) -> list[str]:
        """Every known group, and "unknown" when children of no group need units."""
        extra = [""] if self.units_needed.get("") or self.eligible_donors.get("") else []
        return KNOWN_GROUPS + extra

    def rows(self) -> list[dict]:
        return [
            {
                "group": group,
                "label": group_label(group),
                "units_needed": self.units_needed.get(group, 0),
                "eligible_donors": self.eligible_donors.get(group, 0),
                "short": max(
                    self.units_needed.get(group, 0) - self.eligible_donors.get(group, 0), 0
                ),
            }
            for group in self.groups()
        ]

    def as_dict(self) -> dict:
        groups = self.groups()
        return {
            "days": self.days,
            "on": self.on.isoformat(),
            "until": self.until.isoformat(),
            "units_needed": {group_key(g): self.units_needed.get(g, 0) for g in groups},
            "eligible_donors": {group_key(g): self.eligible_donors.get(g, 0) for g in groups},
            "units_needed_total": self.units_total,
            "eligible_donors_total": self.eligible_total,
        }


def eligible_by_group(query: DashboardQuery, on: date) -> dict[str, int]:
    """Donors in scope who pass the pre-screen for whole blood on ``on``, per blood group:
    one query (``eligible_on`` decides in the database)."""
    return eligible_by_group_on(query, [on])[on]


def eligible_by_group_on(query: DashboardQuery, dates) -> dict[date, dict[str, int]]:
    """``eligible_by_group`` for every day of ``dates``: from the eligible pool's steps
    (``donors.pool.eligible_counts``, two queries whatever the number of donors) when they
    answer, else in one scan of the donors, a count per day, each filtered by
    ``whole_blood_eligible`` (the same test as ``eligible_on``)."""
    dates = sorted(set(dates))
    steps = query.narrow(EligiblePoolStep.objects.all())
    if query.blood_group:
        steps = steps.filter(blood_group=query.blood_group)
    counted = pool.eligible_counts(_donors(query), steps, dates)
    if counted is not None:
        return counted
    return eligible_by_group_scan(query, dates)


def eligible_by_group_scan(query: DashboardQuery, dates) -> dict[date, dict[str, int]]:
    """``eligible_by_group_on`` from the donor rows, when the pool's steps cannot answer
    (SQLite, other limits in settings, a day in the past): one query."""
    dates = sorted(set(dates))
    if len(dates) == 1:  # a WHERE: the per-group partial indexes can answer
        (on,) = dates
        rows = _donors(query).filter(whole_blood_eligible(on)).order_by().values("blood_group")
        return {on: {row["blood_group"]: row["n"] for row in rows.annotate(n=Count("pk"))}}
    counts = {f"on_{i}": Count("pk", filter=whole_blood_eligible(on)) for i, on in enumerate(dates)}
    rows = list(_donors(query).order_by().values("blood_group").annotate(**counts))
    return {
        on: {row["blood_group"]: row[f"on_{i}"] for row in rows if row[f"on_{i}"]}
        for i, on in enumerate(dates)
    }


def units_due_by_walk(query: DashboardQuery, untils, today: date) -> dict[date, dict[str, int]]:
    """``units_due_by_group`` by walking every child's calendar in Python (SQLite's way;
    bench/forecast.py times it against the sum)."""
    children = _patients(query).filter(status=PatientStatus.ACTIVE, next_due_on__isnull=False)
    return _walk(children, sorted(set(untils)), today)


def _walk(children, untils, today) -> dict[date, dict[str, int]]:
    """Units due by each day of ``untils`` on the calendars of ``children`` (a queryset of
    patients), walked date by date by ``thalassemia.schedule``: two queries."""
    rows = with_plans(children).only("id", "blood_group", "next_due_on", "status")
    found: dict[date, dict[str, int]] = {until: {} for until in untils}
    for child in rows:
        plans = plans_of(child)
        for until in untils:
            units = schedule.units_due_by(child.next_due_on, plans, until, today=today)
            if units:
                needed = found[until]
                needed[child.blood_group] = needed.get(child.blood_group, 0) + units
    return found


# A child whose plans all started by ``today`` has one plan in force from today on (P, the
# latest), so its calendar after the first due date f is arithmetic: f (with the units of
# the plan in force on f, an overdue date's older plan perhaps), then every P.interval days
# from max(f, today) (``schedule.schedule``). Summed per group and day by the database.
_DUE_SQL = """
WITH kids AS (
    SELECT id, blood_group, next_due_on AS f FROM {patient} WHERE id IN ({children})
), latest AS (
    SELECT DISTINCT ON (pl.patient_id) pl.patient_id, pl.units_per_transfusion AS units,
           pl.interval_days AS interval
    FROM {plan} pl JOIN kids ON kids.id = pl.patient_id
    ORDER BY pl.patient_id, pl.valid_from DESC, pl.id DESC
), on_first_due AS (
    SELECT DISTINCT ON (pl.patient_id) pl.patient_id, pl.units_per_transfusion AS units
    FROM {plan} pl JOIN kids ON kids.id = pl.patient_id AND pl.valid_from <= kids.f
    ORDER BY pl.patient_id, pl.valid_from DESC, pl.id DESC
), earliest AS (
    SELECT DISTINCT ON (pl.patient_id) pl.patient_id, pl.units_per_transfusion AS units
    FROM {plan} pl JOIN kids ON kids.id = pl.patient_id
    ORDER BY pl.patient_id, pl.valid_from, pl.id
), c AS (
    SELECT kids.blood_group, kids.f, COALESCE(o.units, e.units) AS first_units,
           l.units, l.interval
    FROM kids JOIN latest l ON l.patient_id = kids.id
    LEFT JOIN on_first_due o ON o.patient_id = kids.id
    LEFT JOIN earliest e ON e.patient_id = kids.id
)
SELECT blood_group, {sums} FROM c GROUP BY blood_group
"""
_DUE_BY = """sum(CASE WHEN f <= %s::date THEN first_units
    + GREATEST(%s::date - GREATEST(f, %s::date), 0) / interval * units ELSE 0 END)"""


def units_due_by_group(query: DashboardQuery, untils, today: date) -> dict[date, dict[str, int]]:
    """Units the active children in scope need up to each day of ``untils`` inclusive,
    overdue ones included, by blood group: ``schedule.units_due_by`` on every child's
    calendar, exactly (tests/dashboard/test_forecast_counts.py holds the two equal).

    On PostgreSQL one query sums the calendars of the children whose plans have all started
    by ``today`` (nearly all), and the few with a plan still to come are walked date by
    date (two more queries when there are any); elsewhere every calendar is walked."""
    untils = sorted(set(untils))
    children = _patients(query).filter(status=PatientStatus.ACTIVE, next_due_on__isnull=False)
    if connection.vendor != "postgresql" or not untils:
        return _walk(children, untils, today)
    later_plan = TransfusionPlan.objects.filter(patient=OuterRef("pk"), valid_from__gt=today)
    settled = children.filter(~Exists(later_plan)).order_by().values("pk")
    children_sql, children_params = settled.query.sql_with_params()
    sql = _DUE_SQL.format(
        patient=Patient._meta.db_table,
        plan=TransfusionPlan._meta.db_table,
        children=children_sql,
        sums=", ".join(_DUE_BY for _ in untils),
    )
    params = [*children_params]
    for until in untils:
        params += [until, until, today]
    found: dict[date, dict[str, int]] = {until: {} for until in untils}
    with connections[router.db_for_read(Patient)].cursor() as cursor:
        cursor.execute(sql, params)
        for group, *units in cursor.fetchall():
            for until, n in zip(untils, units, strict=True):
                if n:
                    found[until][group] = int(n)
    if children.filter(Exists(later_plan)).exists():
        walked = _walk(children.filter(Exists(later_plan)), untils, today)
        for until, needed in walked.items():
            for group, n in needed.items():
                found[until][group] = found[until].get(group, 0) + n
    return found


def forecasts(
    query: DashboardQuery, horizons, today: date | None = None, *, pool: dict | None = None
) -> list[Forecast]:
    """A forecast for each number of days in ``horizons``: the units due by then
    (``units_due_by_group``), and the donors eligible on that day
    (``eligible_by_group_on``; ``pool``, when given, has those counts already).

    Units needed up to ``today + days`` inclusive count every transfusion falling due by
    then on each child's calendar, overdue ones included (``schedule.units_due_by``)."""
    today = today or timezone.localdate()
    untils = [today + timedelta(days=days) for days in horizons]
    if pool is None:
        pool = eligible_by_group_on(query, untils)
    needed = units_due_by_group(query, untils, today)
    return [
        Forecast(
            days=days,
            on=today,
            until=until,
            units_needed=needed[until],
            eligible_donors=pool[until],
        )
        for days, until in zip(horizons, untils, strict=True)
    ]


# --- supply risk ---------------------------------------------------------------------------


@dataclass
class GroupRisk:
    """A blood group's cover: donors who may give today against the children's weekly need."""

    group: str
    annual_need: float
    eligible_now: int

    @property
    def label(self) -> str:
        return group_label(self.group)

    @property
    def weekly_need(self) -> float:
        return self.annual_need / WEEKS_A_YEAR

    @property
    def weeks_covered(self) -> float | None:
        """Weeks of need the eligible donors would cover, one unit each; None: no need."""
        if self.weekly_need <= 0:
            return None
        return self.eligible_now / self.weekly_need

    @property
    def at_risk(self) -> bool:
        weeks = self.weeks_covered
        return weeks is not None and weeks < settings.DASHBOARD_RISK_WEEKS

    def as_dict(self) -> dict:
        weeks = self.weeks_covered
        return {
            "blood_group": group_key(self.group),
            "annual_need": round(self.annual_need, 1),
            "weekly_need": round(self.weekly_need, 1),
            "eligible_now": self.eligible_now,
            "weeks_covered": None if weeks is None else round(weeks, 1),
            "at_risk": self.at_risk,
        }


def supply_risk(
    query: DashboardQuery,
    today: date | None = None,
    *,
    annual: dict | None = None,
    eligible: dict | None = None,
) -> list[GroupRisk]:
    """For each blood group with children or donors: weeks of the children's need covered
    by the donors eligible today (identical group, one unit each). Two queries, none for
    what is passed in (the annual need, today's eligible donors by group)."""
    today = today or timezone.localdate()
    annual = annual_need_by_group(query, today) if annual is None else annual
    eligible = eligible_by_group(query, today) if eligible is None else eligible
    groups = [g for g in GROUP_ORDER if annual.get(g) or eligible.get(g)]
    return [GroupRisk(g, annual.get(g, 0.0), eligible.get(g, 0)) for g in groups]


def children_at_risk(query: DashboardQuery, today: date | None = None):
    """Active children with a transfusion open and due within DASHBOARD_AT_RISK_DAYS
    (overdue included) whose confirmed donors do not cover the units needed — none
    confirmed, or fewer than the transfusion needs. One query; each row is the open
    transfusion with ``covered`` (units confirmed or donated) and its child."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.DASHBOARD_AT_RISK_DAYS)
    transfusions = query.narrow(Transfusion.objects.all(), via="patient__unit").filter(
        status__in=OPEN_TRANSFUSION,
        patient__status=PatientStatus.ACTIVE,
        due_on__lte=horizon,
    )
    if query.blood_group:
        transfusions = transfusions.filter(patient__blood_group=query.blood_group)
    return (
        transfusions.annotate(
            covered=Count("assignments", filter=Q(assignments__status__in=COVERED))
        )
        .filter(covered__lt=F("units_needed"))
        .select_related("patient__unit")
        .order_by("due_on", "patient__name", "id")
    )
