"""Transfusion schedule arithmetic, as pure functions: the one place that adds intervals.

DOMAIN.md §3: next due = date of the last transfusion done + the interval of the plan in force
that day; annual units = units × 365 / interval; a missed transfusion stays due (overdue)
until done or cancelled, it never silently rolls on. Services, the pages, the API's
``patients/{id}/schedule/`` and the demand forecast all call these.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Plan:
    units: int
    interval_days: int
    valid_from: date


@dataclass(frozen=True)
class Due:
    due_on: date
    units: int


def plan_on(plans: Iterable[Plan], day: date) -> Plan | None:
    """The plan in force on ``day``: the latest one valid from that day or earlier. Before
    the first plan starts, the first plan (a child registered with a plan from today whose
    last transfusion was last week still has that plan's interval)."""
    ordered = sorted(plans, key=lambda p: p.valid_from)
    if not ordered:
        return None
    current = ordered[0]
    for plan in ordered:
        if plan.valid_from <= day:
            current = plan
    return current


def next_due(last_on: date | None, plans: Iterable[Plan]) -> date | None:
    """The next transfusion's due date after one given (or cancelled) on ``last_on``: that
    day plus the interval of the plan in force on it. A plan the doctor starts after
    ``last_on`` and by that date takes over: the next date is then ``last_on`` plus the new
    interval, and not before the new plan starts (a change mid-way applies from the next
    transfusion, not from the one after it)."""
    ordered = sorted(plans, key=lambda p: p.valid_from)
    plan = plan_on(ordered, last_on) if last_on else None
    if plan is None:
        return None
    due = last_on + timedelta(days=plan.interval_days)
    for later in ordered:
        if last_on < later.valid_from <= due:
            due = max(last_on + timedelta(days=later.interval_days), later.valid_from)
    return due


def schedule(
    first_due: date | None, plans: Iterable[Plan], until: date, *, today: date | None = None
) -> list[Due]:
    """Every coming due date up to ``until`` (inclusive) with the units the plan in force on
    that date asks for, in date order. ``first_due`` is the child's next due date; when it
    is already past (overdue) it stays first, and the dates after it count from ``today``,
    the earliest the overdue transfusion can now be given."""
    plans = list(plans)
    if first_due is None or not plans:
        return []
    result = []
    due = first_due
    while due <= until:
        result.append(Due(due_on=due, units=plan_on(plans, due).units))
        due = next_due(max(due, today) if today else due, plans)
    return result


@dataclass(frozen=True)
class Terms:
    """What a child's calendar needs beyond its next due date, stored on the child
    (``calendar.patient_recompute_next_due``): the latest plan's units and interval and the
    day it starts (from then on the calendar is arithmetic: every ``plan_interval_days``
    days, ``plan_units`` each), and the units of the plan in force on the next due date."""

    plan_units: int | None = None
    plan_interval_days: int | None = None
    plan_from: date | None = None
    next_due_units: int | None = None


def terms(plans: Iterable[Plan], next_due_on: date | None) -> Terms:
    """The ``Terms`` of a calendar with ``plans`` whose next transfusion is due on
    ``next_due_on`` (None: none due); all None without plans."""
    plans = list(plans)
    if not plans:
        return Terms()
    latest = plan_on(plans, date.max)
    first = plan_on(plans, next_due_on) if next_due_on else None
    return Terms(
        plan_units=latest.units,
        plan_interval_days=latest.interval_days,
        plan_from=latest.valid_from,
        next_due_units=first.units if first else None,
    )


def annual_units(units: int, interval_days: int) -> float:
    """Units a year on a plan: 1/21 → 17.4, 2/15 → 48.7."""
    return units * 365 / interval_days


def units_due_by(first_due: date | None, plans, end: date, *, today: date | None = None) -> int:
    """Units a child needs up to ``end`` inclusive, overdue ones included."""
    return sum(d.units for d in schedule(first_due, plans, end, today=today))


def review_plan(haemoglobins, low, high) -> bool:
    """Whether the last two pre-transfusion Hb values (newest first) both fall outside the
    target band: the coordinator then asks the treating doctor to review the plan."""
    recent = [hb for hb in haemoglobins if hb is not None][:2]
    return len(recent) == 2 and all(not low <= hb <= high for hb in recent)
