"""Reads of the thalassaemia app: the children list, the due-soon board and the demand."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.scoping import for_user

from . import schedule
from .calendar import plans_of
from .choices import OPEN_TRANSFUSION, AssignmentStatus, PatientStatus
from .models import Assignment, Patient, Transfusion, TransfusionPlan


def patients_for(user) -> QuerySet:
    """The children ``user`` may see."""
    return for_user(Patient.objects.all(), user)


def transfusions_for(user) -> QuerySet:
    return for_user(Transfusion.objects.all(), user)


def assignments_for(user) -> QuerySet:
    return for_user(Assignment.objects.all(), user)


def with_plans(queryset: QuerySet) -> QuerySet:
    """Prefetch plans (one query for a page of children), read by ``plans_of``."""
    return queryset.prefetch_related(
        Prefetch("plans", queryset=TransfusionPlan.objects.order_by("valid_from", "id"))
    )


def with_last_transfused(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        last_transfused_on=Max("transfusions__done_on", filter=Q(transfusions__status="done"))
    )


def with_open_transfusions(queryset: QuerySet) -> QuerySet:
    """Prefetch each child's open transfusions with their assignments and donors."""
    assignments = Assignment.objects.select_related("donor").order_by("created_at", "id")
    return queryset.prefetch_related(
        Prefetch(
            "transfusions",
            queryset=Transfusion.objects.filter(status__in=OPEN_TRANSFUSION)
            .order_by("due_on", "id")
            .prefetch_related(Prefetch("assignments", queryset=assignments)),
            to_attr="open_transfusions",
        )
    )


def current_plan(patient: Patient, on: date | None = None):
    """The plan in force on ``on`` (today) as a model row, from prefetched plans when there."""
    on = on or timezone.localdate()
    current = None
    for plan in sorted(patient.plans.all(), key=lambda p: (p.valid_from, p.id)):
        if current is None or plan.valid_from <= on:
            current = plan
    return current


def patient_annual_units(patient: Patient) -> float | None:
    plan = current_plan(patient)
    return round(plan.annual_units, 1) if plan else None


def patient_schedule(patient: Patient, until: date) -> list[schedule.Due]:
    """The child's coming dues up to ``until`` (what patients/{id}/schedule/ returns)."""
    if patient.status != PatientStatus.ACTIVE:
        return []
    return schedule.schedule(
        patient.next_due_on, plans_of(patient), until, today=timezone.localdate()
    )


@dataclass
class AssignmentState:
    """How far a transfusion's donors have got: units confirmed of units needed."""

    needed: int
    proposed: int
    asked: int
    confirmed: int
    donated: int

    @property
    def covered(self) -> bool:
        return self.confirmed + self.donated >= self.needed


def assignment_state(transfusion: Transfusion) -> AssignmentState:
    counts = defaultdict(int)
    for assignment in transfusion.assignments.all():
        counts[assignment.status] += 1
    return AssignmentState(
        needed=transfusion.units_needed,
        proposed=counts[AssignmentStatus.PROPOSED],
        asked=counts[AssignmentStatus.ASKED],
        confirmed=counts[AssignmentStatus.CONFIRMED],
        donated=counts[AssignmentStatus.DONATED],
    )


@dataclass
class DueRow:
    patient: Patient
    transfusion: Transfusion | None
    state: AssignmentState | None
    days: int  # days from today to the due date; negative when overdue


def due_window(days: int | None, today: date | None = None) -> Q:
    """Children due within ``days`` of today (overdue included); None: any with a date."""
    today = today or timezone.localdate()
    condition = Q(status=PatientStatus.ACTIVE, next_due_on__isnull=False)
    if days is not None:
        condition &= Q(next_due_on__lte=today + timedelta(days=days))
    return condition


def due_soon(user, *, days: int | None = None, today: date | None = None) -> dict[str, list]:
    """The board: active children overdue, or due within each window of THAL_DUE_WINDOWS,
    each with its open transfusion and the state of its assignments. Three queries."""
    today = today or timezone.localdate()
    windows = sorted(settings.THAL_DUE_WINDOWS)
    horizon = days if days is not None else windows[-1]
    children = with_open_transfusions(
        patients_for(user)
        .filter(due_window(horizon, today))
        .select_related("unit")
        .order_by("next_due_on", "name", "id")
    )
    board = {"overdue": []} | {str(w): [] for w in windows}
    for patient in children:
        transfusion = patient.open_transfusions[0] if patient.open_transfusions else None
        row = DueRow(
            patient=patient,
            transfusion=transfusion,
            state=assignment_state(transfusion) if transfusion else None,
            days=(patient.next_due_on - today).days,
        )
        if row.days < 0:
            board["overdue"].append(row)
        else:
            window = next((w for w in windows if row.days <= w), None)
            if window is not None:
                board[str(window)].append(row)
    return board


def units_needed_by_group(days: int, user, *, today: date | None = None) -> dict[str, int]:
    """Units the active children in ``user``'s scope need in the next ``days`` days
    (overdue ones included), by blood group ("" for not yet typed). Two queries: the
    dashboard's forecast reads this."""
    today = today or timezone.localdate()
    until = today + timedelta(days=days)
    totals: dict[str, int] = defaultdict(int)
    children = with_plans(
        patients_for(user).filter(status=PatientStatus.ACTIVE, next_due_on__isnull=False)
    ).only("id", "blood_group", "next_due_on", "status")
    for patient in children:
        totals[patient.blood_group] += schedule.units_due_by(
            patient.next_due_on, plans_of(patient), until, today=today
        )
    return dict(totals)


def annual_units_total(user) -> float:
    """Units a year all active children in scope need on their current plans."""
    children = with_plans(patients_for(user).filter(status=PatientStatus.ACTIVE))
    plans = (current_plan(p) for p in children)
    return sum(plan.annual_units for plan in plans if plan is not None)
