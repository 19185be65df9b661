"""A child's calendar: the plans, and the one function that stores the next due date.

Every change to a child's transfusions or plan ends in ``patient_recompute_next_due``, the
one function that stores the next due date (STYLE habit 1)."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction

from . import schedule
from .booking import release_assignments
from .choices import LIVE_ASSIGNMENT, OPEN_TRANSFUSION, PatientStatus, TransfusionStatus
from .models import Patient, Transfusion, TransfusionPlan


def plans_of(patient: Patient, *, fresh: bool = False) -> list[schedule.Plan]:
    """The child's plans as the schedule module reads them (prefetched ``plans`` when there,
    unless ``fresh``)."""
    rows = TransfusionPlan.objects.filter(patient=patient) if fresh else patient.plans.all()
    return [schedule.Plan(p.units_per_transfusion, p.interval_days, p.valid_from) for p in rows]


def validate_plan(units_per_transfusion, interval_days) -> None:
    errors = {}
    low, high = settings.THAL_INTERVAL_MIN_DAYS, settings.THAL_INTERVAL_MAX_DAYS
    if interval_days is None or not low <= interval_days <= high:
        errors["interval_days"] = _("The interval must be %(low)s to %(high)s days.") % {
            "low": low,
            "high": high,
        }
    most = settings.THAL_MAX_UNITS_PER_TRANSFUSION
    if units_per_transfusion is None or not 1 <= units_per_transfusion <= most:
        errors["units_per_transfusion"] = _("Units per transfusion must be 1 to %(most)s.") % {
            "most": most
        }
    if errors:
        raise ValidationError(errors)


def patient_recompute_next_due(patient: Patient) -> Patient:
    """Store ``patient.next_due_on`` from the transfusions and plans, and keep exactly one
    open transfusion to assign donors to while the child is active.

    The calendar counts on from the last transfusion done, or the last one cancelled (a
    cancelled date is skipped, not repeated). A missed transfusion stays open and first: no
    new date is made until it is done or cancelled. An open one still only "due" follows a
    plan change; a "scheduled" one keeps the date agreed with the hospital."""
    transfusions = patient.transfusions
    if patient.status != PatientStatus.ACTIVE:
        open_ids = list(
            transfusions.filter(status__in=OPEN_TRANSFUSION).values_list("pk", flat=True)
        )
        transfusions.filter(pk__in=open_ids).update(
            status=TransfusionStatus.CANCELLED, updated_at=timezone.now()
        )
        release_assignments(open_ids, LIVE_ASSIGNMENT)
        return _store_next_due(patient, None)
    # Read afresh: a caller's prefetched plans may predate the change being recomputed.
    plans = plans_of(patient, fresh=True)
    marks = transfusions.aggregate(
        done=Max("done_on", filter=Q(status=TransfusionStatus.DONE)),
        cancelled=Max("due_on", filter=Q(status=TransfusionStatus.CANCELLED)),
    )
    anchor = max((d for d in marks.values() if d), default=None)
    computed = schedule.next_due(anchor, plans)
    open_rows = list(transfusions.filter(status__in=OPEN_TRANSFUSION).order_by("due_on", "id"))
    if computed is not None:
        plan = schedule.plan_on(plans, computed)
        waiting = [t for t in open_rows if t.status == TransfusionStatus.DUE]
        if not open_rows:
            open_rows.append(
                Transfusion.objects.create(
                    patient=patient, due_on=computed, units_needed=plan.units
                )
            )
        elif waiting and len(open_rows) == len(waiting):
            row = waiting[0]
            if (row.due_on, row.units_needed) != (computed, plan.units):
                row.due_on, row.units_needed = computed, plan.units
                row.save(update_fields=["due_on", "units_needed", "updated_at"])
    return _store_next_due(patient, open_rows[0].due_on if open_rows else None)


def _store_next_due(patient, next_due_on):
    # Always written: the caller's instance may be older than the row.
    patient.next_due_on = next_due_on
    Patient.objects.filter(pk=patient.pk).update(next_due_on=next_due_on)
    return patient


@transaction.atomic
def plan_change(
    *,
    patient: Patient,
    units_per_transfusion: int,
    interval_days: int,
    valid_from: date | None = None,
    actor=None,
    request=None,
) -> TransfusionPlan:
    """Start a new plan from ``valid_from`` (today by default); earlier plans stay as history.
    Audited as a change of the child's plan."""
    validate_plan(units_per_transfusion, interval_days)
    plan = TransfusionPlan.objects.create(
        patient=patient,
        units_per_transfusion=units_per_transfusion,
        interval_days=interval_days,
        valid_from=valid_from or timezone.localdate(),
        created_by=actor,
    )
    audit.record(
        action=AuditAction.CREATE, request=request, actor=actor, obj=plan, unit=patient.unit
    )
    patient_recompute_next_due(patient)
    return plan
