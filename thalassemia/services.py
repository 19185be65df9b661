"""Writes of the thalassaemia app: the pages and the API call these, never the models directly.

Every change to a child's transfusions or plan ends in ``patient_recompute_next_due``, the
one function that stores the next due date (STYLE habit 1)."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, ranges
from accounts.choices import AuditAction
from donors import phenotype
from donors.phones import normalise_phone

from . import schedule
from .booking import release_assignments
from .choices import (
    LIVE_ASSIGNMENT,
    OPEN_TRANSFUSION,
    AssignmentStatus,
    PatientStatus,
    TransfusionStatus,
)
from .models import Guardian, Patient, Transfusion, TransfusionPlan

# --- plans and the calendar --------------------------------------------------------------


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


# --- children and guardians ------------------------------------------------------------


def normalise_alloantibodies(text: str) -> str:
    """Accepts "E, K", "E K" or "anti-E, anti-K" (case matters: c is not C) and answers the
    canonical "E, K", in the usual antigen order."""
    found = []
    for token in (text or "").replace(";", ",").replace(",", " ").split():
        name = token.removeprefix("anti-").removeprefix("Anti-").strip()
        if name not in phenotype.ANTIGENS:
            raise ValidationError(
                _("“%(token)s” is not one of %(antigens)s."),
                params={"token": token, "antigens": ", ".join(phenotype.ANTIGENS)},
            )
        found.append(name)
    return ", ".join(a for a in phenotype.ANTIGENS if a in found)


def antibodies_of(patient) -> set[str]:
    return {a.strip() for a in (patient.alloantibodies or "").split(",") if a.strip()}


def _clean_patient_fields(fields: dict) -> dict:
    errors = {}
    if "phenotype" in fields:
        try:
            fields["phenotype"] = phenotype.normalise(fields["phenotype"])
        except ValidationError as error:
            errors["phenotype"] = error.messages
    if "alloantibodies" in fields:
        try:
            fields["alloantibodies"] = normalise_alloantibodies(fields["alloantibodies"])
        except ValidationError as error:
            errors["alloantibodies"] = error.messages
    if fields.get("date_of_birth") and fields["date_of_birth"] > timezone.localdate():
        errors["date_of_birth"] = [_("The date of birth cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def patient_create(
    *,
    actor=None,
    request=None,
    units_per_transfusion: int,
    interval_days: int,
    plan_valid_from: date | None = None,
    last_transfused_on: date | None = None,
    guardians: list[dict] = (),
    **fields,
) -> Patient:
    """Register a child with a plan, guardians, and (when known) the last transfusion given
    before registration, from which the calendar counts. Audited, as are its guardians."""
    validate_plan(units_per_transfusion, interval_days)
    today = timezone.localdate()
    _check_last_transfused(last_transfused_on)
    fields = _clean_patient_fields(fields)
    patient = Patient(created_by=actor, **fields)
    patient.full_clean()
    patient.save()
    TransfusionPlan.objects.create(
        patient=patient,
        units_per_transfusion=units_per_transfusion,
        interval_days=interval_days,
        valid_from=plan_valid_from or min(filter(None, [last_transfused_on, today])),
        created_by=actor,
    )
    audit.record(action=AuditAction.CREATE, request=request, actor=actor, obj=patient)
    for guardian in guardians:
        guardian_add(patient=patient, actor=actor, request=request, **guardian)
    if last_transfused_on:
        Transfusion.objects.create(
            patient=patient,
            due_on=last_transfused_on,
            done_on=last_transfused_on,
            status=TransfusionStatus.DONE,
            units_needed=units_per_transfusion,
            units_given=units_per_transfusion,
            notes=_("Given before registration."),
            recorded_by=actor,
        )
    return patient_recompute_next_due(patient)


@transaction.atomic
def patient_update(*, patient: Patient, actor=None, request=None, **fields) -> Patient:
    """Change a child's record; the fields changed (not their values) go to the audit log."""
    fields = _clean_patient_fields(fields)
    changed = [name for name, value in fields.items() if getattr(patient, name) != value]
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.full_clean()
    patient.save()
    if "status" in changed:
        patient_recompute_next_due(patient)
    if changed:
        audit.record(
            action=AuditAction.UPDATE, request=request, actor=actor, obj=patient, fields=changed
        )
    return patient


def guardian_add(*, patient: Patient, phone: str, actor=None, request=None, **fields) -> Guardian:
    """Add a guardian to the child (the phone in E.164); audited."""
    try:
        phone = normalise_phone(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    guardian = Guardian(patient=patient, phone=phone, **fields)
    guardian.full_clean()
    guardian.save()
    audit.record(
        action=AuditAction.CREATE, request=request, actor=actor, obj=guardian, unit=patient.unit
    )
    return guardian


def guardian_update(*, guardian: Guardian, **fields) -> Guardian:
    if "phone" in fields:
        try:
            fields["phone"] = normalise_phone(fields["phone"])
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from None
    for name, value in fields.items():
        setattr(guardian, name, value)
    guardian.full_clean()
    guardian.save()
    return guardian


def guardian_edit(*, guardian: Guardian, actor=None, request=None, **fields) -> Guardian:
    """Correct a guardian (a wrong phone, relation or language): ``guardian_update``, and the
    names of the fields changed (not their values) to the audit log."""
    if "phone" in fields:
        try:
            fields["phone"] = normalise_phone(fields["phone"])
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from None
    fresh = Guardian.objects.get(pk=guardian.pk)
    changed = [name for name, value in fields.items() if getattr(fresh, name) != value]
    guardian = guardian_update(guardian=fresh, **fields)
    if changed:
        audit.record(
            action=AuditAction.UPDATE,
            request=request,
            actor=actor,
            obj=guardian,
            unit=guardian.patient.unit,
            fields=changed,
        )
    return guardian


@transaction.atomic
def guardian_remove(*, guardian: Guardian, actor=None, request=None) -> None:
    """Remove a guardian; a child keeps at least one (someone to ask, and who consented)."""
    patient = Patient.objects.select_for_update().get(pk=guardian.patient_id)
    if not patient.guardians.exclude(pk=guardian.pk).exists():
        raise ValidationError(
            _("A child must keep at least one guardian: add the new guardian first.")
        )
    audit.record(
        action=AuditAction.DELETE, request=request, actor=actor, obj=guardian, unit=patient.unit
    )
    guardian.delete()


def consent_fields(consent_by: str) -> dict:
    """The consent a guardian gives now, to the notice in force: what the registration form
    and the API both store on the child (``patient_create(**consent_fields(name), ...)``)."""
    return {
        "consent_at": timezone.now(),
        "consent_version": settings.THAL_CONSENT_VERSION,
        "consent_by": consent_by,
    }


def registration_consent(*, given: bool, consent_by: str = "", guardians=()) -> dict:
    """The consent fields of a new child: none when not given (the child is then "consent
    pending"); when given, by ``consent_by`` or else the first guardian registered with it."""
    if not given:
        if consent_by:
            raise ValidationError(
                {"consent_by": _("Send guardian_consent: true with the name of who gave it.")}
            )
        return {}
    consent_by = consent_by or next((g.get("name", "") for g in guardians), "")
    if not consent_by:
        raise ValidationError(
            {"guardian_consent": _("Name the guardian who consents: send guardians or consent_by.")}
        )
    return consent_fields(consent_by)


def patient_record_consent(
    *, patient: Patient, consent_by: str = "", actor=None, request=None
) -> Patient:
    """A guardian's consent, given after registration (a child registered through the API
    without it is "consent pending"). ``consent_by`` defaults to the first guardian; a child
    without a guardian cannot consent. Already recorded: nothing changes."""
    if patient.consent_at:
        return patient
    if not consent_by:
        first = patient.guardians.order_by("id").first()
        if first is None:
            raise ValidationError({"guardians": _("Add the guardian who gives consent first.")})
        consent_by = first.name
    for name, value in consent_fields(consent_by).items():
        setattr(patient, name, value)
    patient.save(update_fields=["consent_at", "consent_version", "consent_by", "updated_at"])
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        obj=patient,
        fields=["consent_at", "consent_version", "consent_by"],
    )
    return patient


def guardian_set_opt_out(
    *, guardian: Guardian, opted_out: bool, actor=None, request=None
) -> Guardian:
    """The guardian asks for no more messages (or to have them again); audited."""
    guardian.opted_out_at = timezone.now() if opted_out else None
    guardian.save(update_fields=["opted_out_at"])
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        obj=guardian,
        unit=guardian.patient.unit,
        fields=["opted_out_at"],
    )
    return guardian


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


def _check_last_transfused(on) -> None:
    """The transfusion given before registration: a past day, as any transfusion given."""
    try:
        ranges.validate_past_date(on)
    except ValidationError as error:
        raise ValidationError({"last_transfused_on": error.messages}) from None


def patient_record_last_transfusion(
    *, patient: Patient, on: date, actor=None, request=None
) -> Patient:
    """The API's ``last_transfused_on`` on an existing child: a transfusion given on ``on``
    closes the open one (with the units it needed). An earlier date is history: correct it
    through the transfusions instead."""
    _check_last_transfused(on)
    last = patient.transfusions.filter(status=TransfusionStatus.DONE).aggregate(m=Max("done_on"))
    if last["m"] and on <= last["m"]:
        if on == last["m"]:
            return patient
        raise ValidationError({"last_transfused_on": _("A later transfusion is already recorded.")})
    open_row = patient.transfusions.filter(status__in=OPEN_TRANSFUSION).order_by("due_on").first()
    if open_row is None:
        raise ValidationError({"last_transfused_on": _("The child has no transfusion due.")})
    transfusion_record_done(
        transfusion=open_row,
        done_on=on,
        units_given=open_row.units_needed,
        actor=actor,
        request=request,
    )
    patient.refresh_from_db(fields=["next_due_on"])
    return patient


# --- transfusions ----------------------------------------------------------------------


def _audit_transfusion(transfusion: Transfusion, *, actor, request, **details) -> None:
    """A transfusion recorded, moved or cancelled: the audit row every path writes."""
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        obj=transfusion,
        unit=transfusion.patient.unit,
        status=transfusion.status,
        **details,
    )


def _open(transfusion: Transfusion) -> Transfusion:
    locked = Transfusion.objects.select_for_update().get(pk=transfusion.pk)
    if locked.status not in OPEN_TRANSFUSION:
        raise ValidationError(
            _("This transfusion is already %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def transfusion_record_done(
    *,
    transfusion: Transfusion,
    done_on: date,
    units_given: int,
    pre_haemoglobin_g_dl=None,
    hospital=None,
    notes: str = "",
    actor=None,
    request=None,
) -> Transfusion:
    """The child was transfused: the calendar moves on from ``done_on``."""
    transfusion = _open(transfusion)
    transfusion.status = TransfusionStatus.DONE
    transfusion.done_on = done_on
    transfusion.units_given = units_given
    transfusion.pre_haemoglobin_g_dl = pre_haemoglobin_g_dl
    transfusion.hospital = hospital or transfusion.hospital or transfusion.patient.hospital
    transfusion.notes = notes or transfusion.notes
    transfusion.recorded_by = actor
    errors = {}
    try:
        transfusion.full_clean()  # the day given and the haemoglobin: the model's ranges
    except ValidationError as error:
        errors = error.message_dict
    if not units_given or units_given < 1 or units_given > settings.THAL_MAX_UNITS_PER_TRANSFUSION:
        errors["units_given"] = [
            _("Units given must be 1 to %(most)s.")
            % {"most": settings.THAL_MAX_UNITS_PER_TRANSFUSION}
        ]
    if errors:
        raise ValidationError(errors)
    transfusion.save()
    _audit_transfusion(transfusion, actor=actor, request=request)
    # Donors proposed or asked but not confirmed were not needed: free them.
    release_assignments([transfusion.pk], (AssignmentStatus.PROPOSED, AssignmentStatus.ASKED))
    patient_recompute_next_due(transfusion.patient)
    return transfusion


@transaction.atomic
def transfusion_record_missed(
    *, transfusion: Transfusion, notes: str = "", actor=None, request=None
):
    """The child did not come: the transfusion stays open and overdue; nothing rolls on."""
    transfusion = _open(transfusion)
    transfusion.status = TransfusionStatus.MISSED
    transfusion.notes = notes or transfusion.notes
    transfusion.recorded_by = actor
    transfusion.save()
    _audit_transfusion(transfusion, actor=actor, request=request)
    patient_recompute_next_due(transfusion.patient)
    return transfusion


@transaction.atomic
def transfusion_cancel(*, transfusion: Transfusion, notes: str = "", actor=None, request=None):
    """This date will not happen: the calendar counts on from it; its donors are freed."""
    transfusion = _open(transfusion)
    transfusion.status = TransfusionStatus.CANCELLED
    transfusion.notes = notes or transfusion.notes
    transfusion.recorded_by = actor
    transfusion.save()
    _audit_transfusion(transfusion, actor=actor, request=request)
    release_assignments([transfusion.pk], LIVE_ASSIGNMENT)
    patient_recompute_next_due(transfusion.patient)
    return transfusion


@transaction.atomic
def transfusion_schedule(
    *, transfusion: Transfusion, due_on: date, actor=None, request=None
) -> Transfusion:
    """The hospital has given a date: the transfusion keeps it through plan changes. Its
    assignments keep their own dates (the day each donor gives)."""
    transfusion = _open(transfusion)
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("Choose today or a later day.")})
    moved_from = transfusion.due_on
    transfusion.due_on = due_on
    transfusion.status = TransfusionStatus.SCHEDULED
    transfusion.recorded_by = actor
    transfusion.save()
    _audit_transfusion(
        transfusion,
        actor=actor,
        request=request,
        due_on_from=moved_from.isoformat(),
        due_on_to=due_on.isoformat(),
    )
    patient_recompute_next_due(transfusion.patient)
    return transfusion
