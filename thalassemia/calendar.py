"""A child's calendar: the plans, and the one function that stores the next due date.

Every change to a child's transfusions or plan ends in ``patient_recompute_next_due``, the
one function that stores the next due date (STYLE habit 1)."""

from dataclasses import asdict, fields
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
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
        return _store_next_due(patient, None, plans_of(patient, fresh=True))
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
    return _store_next_due(patient, open_rows[0].due_on if open_rows else None, plans)


# The fields ``_store_next_due`` writes beside ``next_due_on`` (``schedule.Terms``).
CALENDAR_TERMS = tuple(field.name for field in fields(schedule.Terms))


def _store_next_due(patient, next_due_on, plans):
    """Store the next due date and the calendar's terms from ``plans`` (``schedule.terms``)
    on the child: the one place they are written (``store_all_terms`` fills them in bulk
    by the same rule)."""
    values = {"next_due_on": next_due_on, **asdict(schedule.terms(plans, next_due_on))}
    # Always written: the caller's instance may be older than the row.
    for name, value in values.items():
        setattr(patient, name, value)
    Patient.objects.filter(pk=patient.pk).update(**values)
    return patient


# ``schedule.terms`` of every child from its plan rows, in one statement (plain SQL that
# SQLite runs too): the migration that added the columns and bench/seed.py, which loads
# children and plans by COPY. The latest plan is the one with the latest ``valid_from``
# (then the highest id); the units due next are those of the plan in force on
# ``next_due_on`` (the latest valid by then, else the first), as ``schedule.plan_on``.
_TERMS_SQL = """
UPDATE thalassemia_patient SET
    plan_units = (SELECT pl.units_per_transfusion FROM thalassemia_transfusionplan pl
        WHERE pl.patient_id = thalassemia_patient.id
        ORDER BY pl.valid_from DESC, pl.id DESC LIMIT 1),
    plan_interval_days = (SELECT pl.interval_days FROM thalassemia_transfusionplan pl
        WHERE pl.patient_id = thalassemia_patient.id
        ORDER BY pl.valid_from DESC, pl.id DESC LIMIT 1),
    plan_from = (SELECT pl.valid_from FROM thalassemia_transfusionplan pl
        WHERE pl.patient_id = thalassemia_patient.id
        ORDER BY pl.valid_from DESC, pl.id DESC LIMIT 1),
    next_due_units = CASE WHEN next_due_on IS NULL THEN NULL ELSE COALESCE(
        (SELECT pl.units_per_transfusion FROM thalassemia_transfusionplan pl
         WHERE pl.patient_id = thalassemia_patient.id AND pl.valid_from <= next_due_on
         ORDER BY pl.valid_from DESC, pl.id DESC LIMIT 1),
        (SELECT pl.units_per_transfusion FROM thalassemia_transfusionplan pl
         WHERE pl.patient_id = thalassemia_patient.id
         ORDER BY pl.valid_from, pl.id LIMIT 1)) END
"""


def store_all_terms(using=None) -> int:
    """Store every child's calendar terms from its plans (after a bulk load that wrote
    plans or next due dates around ``patient_recompute_next_due``); returns the children."""
    conn = connection if using is None else using
    with conn.cursor() as cursor:
        cursor.execute(_TERMS_SQL)
        return cursor.rowcount


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
