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
    F,
    FloatField,
    Q,
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
from thalassemia.models import Assignment, Patient, Transfusion
from thalassemia.selectors import with_plans

from .models import TransfusedDay, TransfusionDay, TransfusionMonth
from .selectors import DashboardQuery, _in_days, _next_month

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


def _months_and_days(start: date, end: date) -> tuple[tuple[date, date] | None, list]:
    """[start, end] as whole months (the first days of the first and last; None: none) and
    the ragged ends (day ranges). Unlike the collection figures' ``selectors._parts``, the
    last month is whole only when the range covers it to its last day: transfusions are
    scheduled ahead, so days after a range ending today are not empty."""
    if start > end:
        return None, []
    first = start if start.day == 1 else _next_month(start)
    after = _next_month(end) if end + timedelta(days=1) == _next_month(end) else end.replace(day=1)
    if first >= after:
        return None, [(start, end)]
    ragged = []
    if start < first:
        ragged.append((start, first - timedelta(days=1)))
    if after <= end:
        ragged.append((after, end))
    return (first, (after - timedelta(days=1)).replace(day=1)), ragged


def _days_in(windows) -> Q:
    when = Q()
    for first, last in windows:
        when |= Q(day__gte=first, day__lte=last)
    return when


def _transfusion_months(query: DashboardQuery):
    """``TransfusionMonth``'s rows of the query's subtree (and group)."""
    subtree = query.subtree()
    if subtree is None:
        return TransfusionMonth.objects.none()
    rows = TransfusionMonth.objects.filter(unit_id=subtree)
    if query.blood_group:
        rows = rows.filter(blood_group=query.blood_group)
    return rows.order_by()


def children_summary(query: DashboardQuery, today: date | None = None) -> dict[str, int]:
    """Active children now, and the range's transfusions: those that fell due (cancelled
    ones left out), how many of them were given, missed or are still open (overdue: due
    before today), and the units transfused on days in the range.

    Whole months from ``TransfusionMonth`` (the subtree's, a few hundred rows for a state's
    five years), the ragged ends from ``TransfusionDay`` (by due day and status) and
    ``TransfusedDay`` (by day given); the overdue count's range ends yesterday, so its own
    months and ends. At most four queries: the months, the two day tables' ends (only when
    there are any), the count of the active children."""
    today = today or timezone.localdate()
    months, ragged = _months_and_days(query.start, query.end)
    late_months, late_ragged = _months_and_days(
        query.start, min(query.end, today - timedelta(days=1))
    )
    got = dict.fromkeys(("due", "done", "missed", "overdue", "units"), 0)

    def add(rows, sums):
        if sums:
            found = rows.aggregate(**{key: Coalesce(value, 0) for key, value in sums.items()})
            for key, value in found.items():
                got[key] += value

    sums = {}
    if months:
        whole = Q(month__gte=months[0], month__lte=months[1])
        for key in ("due", "done", "missed", "units"):
            sums[key] = Sum(key, filter=whole)
    if late_months:
        sums["overdue"] = Sum(
            "open", filter=Q(month__gte=late_months[0], month__lte=late_months[1])
        )
    add(_transfusion_months(query), sums)
    sums = {}
    if ragged:
        ends = _days_in(ragged)
        sums["due"] = Sum("transfusions", filter=ends & ~Q(status=TransfusionStatus.CANCELLED))
        sums["done"] = Sum("transfusions", filter=ends & Q(status=TransfusionStatus.DONE))
        sums["missed"] = Sum("transfusions", filter=ends & Q(status=TransfusionStatus.MISSED))
    if late_ragged:
        sums["overdue"] = Sum(
            "transfusions", filter=_days_in(late_ragged) & Q(status__in=OPEN_TRANSFUSION)
        )
    add(_in_days(TransfusionDay, query, ragged + late_ragged), sums)
    if ragged:
        add(_in_days(TransfusedDay, query, ragged), {"units": Sum("units")})
    return {
        "transfusions_due": got["due"],
        "transfusions_done": got["done"],
        "transfusions_missed": got["missed"],
        "transfusions_overdue": got["overdue"],
        "units_transfused": got["units"],
        "children_active": _patients(query).filter(status=PatientStatus.ACTIVE).count(),
    }


# --- need --------------------------------------------------------------------------------


def annual_need_by_group(query: DashboardQuery, today: date | None = None) -> dict[str, float]:
    """Units a year the active children need on the plan in force today (units × 365 /
    interval, DOMAIN.md §3), by blood group.

    The plan in force is the latest one valid from today or earlier, or the first plan when
    none has started yet (``thalassemia.schedule.plan_on``). For a child whose latest plan
    has started (``Patient.plan_from``, stored with the calendar: nearly every child) that
    is the latest plan, stored on the child too, so one scan of the children sums them; the
    few with a plan still to come are read with their plans (two more queries, only when
    there are any)."""
    today = today or timezone.localdate()
    children = _patients(query).filter(status=PatientStatus.ACTIVE)
    settled = Q(plan_from__lte=today)
    rows = (
        children.order_by()
        .values("blood_group")
        .annotate(
            annual=Sum(
                Cast(F("plan_units"), FloatField())
                * 365.0
                / Cast(F("plan_interval_days"), FloatField()),
                filter=settled,
            ),
            later=Count("pk", filter=Q(plan_from__gt=today)),
        )
    )
    found: dict[str, float] = {}
    walk = False
    for row in rows:
        if row["annual"] is not None:
            found[row["blood_group"]] = row["annual"]
        walk = walk or row["later"] > 0
    if walk:
        for child in with_plans(children.filter(plan_from__gt=today)).only("id", "blood_group"):
            plan = schedule.plan_on(plans_of(child), today)
            if plan is not None:
                annual = schedule.annual_units(plan.units, plan.interval_days)
                found[child.blood_group] = found.get(child.blood_group, 0.0) + annual
    return found


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


# A child whose latest plan started by ``today`` (``plan_from``) has that plan in force from
# today on, so its calendar after its next due date f is arithmetic: f with the units of the
# plan in force on f (``next_due_units``: an overdue date's older plan perhaps), then every
# ``plan_interval_days`` days from max(f, today), ``plan_units`` each
# (``schedule.schedule``). The terms are stored on the child with f (``schedule.terms``), so
# the database sums them per group and day in one scan of the children, no plan read.
_DUE_BY = """sum(CASE WHEN next_due_on <= %s::date THEN next_due_units
    + GREATEST(%s::date - GREATEST(next_due_on, %s::date), 0) / plan_interval_days
      * plan_units ELSE 0 END) FILTER (WHERE plan_from <= %s::date)"""
_DUE_SQL = """
SELECT blood_group, count(*) FILTER (WHERE NOT plan_from <= %s::date), {sums}
FROM ({children}) kids GROUP BY blood_group
"""


def units_due_by_group(query: DashboardQuery, untils, today: date) -> dict[date, dict[str, int]]:
    """Units the active children in scope need up to each day of ``untils`` inclusive,
    overdue ones included, by blood group: ``schedule.units_due_by`` on every child's
    calendar, exactly (tests/dashboard/test_forecast_counts.py holds the two equal).

    On PostgreSQL one query sums the stored calendar terms of the children whose latest
    plan has started by ``today`` (nearly all), and the few with a plan still to come are
    walked date by date (two more queries when there are any); elsewhere every calendar is
    walked."""
    untils = sorted(set(untils))
    children = _patients(query).filter(status=PatientStatus.ACTIVE, next_due_on__isnull=False)
    if connection.vendor != "postgresql" or not untils:
        return _walk(children, untils, today)
    columns = (
        "blood_group",
        "next_due_on",
        "next_due_units",
        "plan_units",
        "plan_interval_days",
        "plan_from",
    )
    children_sql, children_params = children.order_by().values(*columns).query.sql_with_params()
    sql = _DUE_SQL.format(children=children_sql, sums=", ".join(_DUE_BY for _ in untils))
    params = [today]
    for until in untils:
        params += [until, until, today, today]
    params += children_params
    found: dict[date, dict[str, int]] = {until: {} for until in untils}
    walk = False
    # The router's database for reads (the replica in the dashboard's scope).
    with connections[router.db_for_read(Patient)].cursor() as cursor:
        cursor.execute(sql, params)
        for group, later, *units in cursor.fetchall():
            walk = walk or later > 0
            for until, n in zip(untils, units, strict=True):
                if n:
                    found[until][group] = int(n)
    if walk:
        unsettled = children.filter(plan_from__gt=today)
        for until, needed in _walk(unsettled, untils, today).items():
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


def _open_due_soon(query: DashboardQuery, today: date):
    """Open transfusions of active children in scope due within DASHBOARD_AT_RISK_DAYS
    (overdue included)."""
    horizon = today + timedelta(days=settings.DASHBOARD_AT_RISK_DAYS)
    transfusions = query.narrow(Transfusion.objects.all(), via="patient__unit").filter(
        status__in=OPEN_TRANSFUSION,
        patient__status=PatientStatus.ACTIVE,
        due_on__lte=horizon,
    )
    if query.blood_group:
        transfusions = transfusions.filter(patient__blood_group=query.blood_group)
    return transfusions


def _at_risk(query: DashboardQuery, today: date):
    """The open transfusions due soon not covered, and each covered one's units confirmed
    or donated (transfusion id → units; the others have none): one query of the few
    covering assignments, not a count joined onto every open transfusion."""
    transfusions = _open_due_soon(query, today)
    rows = (
        Assignment.objects.filter(status__in=COVERED, transfusion__in=transfusions.values("pk"))
        .order_by()
        .values_list("transfusion_id", "transfusion__units_needed")
        .annotate(n=Count("pk"))
    )
    covered, full = {}, []
    for pk, needed, n in rows:
        covered[pk] = n
        if n >= needed:
            full.append(pk)
    return transfusions.exclude(pk__in=full), covered


_AT_RISK_COLUMNS = (
    "id",
    "due_on",
    "status",
    "units_needed",
    "patient__id",
    "patient__name",
    "patient__blood_group",
    "patient__unit__id",
    "patient__unit__name",
)


def children_at_risk(query: DashboardQuery, today: date | None = None, *, limit=None):
    """Active children with a transfusion open and due within DASHBOARD_AT_RISK_DAYS
    (overdue included) whose confirmed donors do not cover the units needed — none
    confirmed, or fewer than the transfusion needs; the first ``limit`` of them (all when
    None), soonest due first. Two queries; each row is the open transfusion with
    ``covered`` (units confirmed or donated) and its child and the child's unit."""
    today = today or timezone.localdate()
    transfusions, covered = _at_risk(query, today)
    # The columns the page, the PDF and the exports show (at a state thousands of rows:
    # whole patient and unit rows cost twice the time to build).
    rows = (
        transfusions.select_related("patient__unit")
        .only(*_AT_RISK_COLUMNS)
        .order_by("due_on", "patient__name", "id")
    )
    rows = list(rows if limit is None else rows[:limit])
    for row in rows:
        row.covered = covered.get(row.pk, 0)
    return rows


def children_at_risk_count(query: DashboardQuery, today: date | None = None) -> int:
    """How many rows ``children_at_risk`` answers, counted by the database (two queries):
    for a page that lists only the first few."""
    today = today or timezone.localdate()
    transfusions, _covered = _at_risk(query, today)
    return transfusions.count()
