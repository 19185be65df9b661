"""A child's record: registration (with its plan, guardians and the last transfusion
given before), corrections, and the guardian's consent. The pages and the API call these,
never the models directly."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction
from donors import phenotype

from .calendar import patient_recompute_next_due, validate_plan
from .choices import TransfusionStatus
from .guardians import guardian_add
from .models import Patient, Transfusion, TransfusionPlan
from .privacy import erased_error
from .transfusions import check_last_transfused


def _clean_patient_fields(fields: dict) -> dict:
    errors = {}
    if "phenotype" in fields:
        try:
            fields["phenotype"] = phenotype.normalise(fields["phenotype"])
        except ValidationError as error:
            errors["phenotype"] = error.messages
    if "alloantibodies" in fields:
        try:
            fields["alloantibodies"] = phenotype.normalise_alloantibodies(fields["alloantibodies"])
        except ValidationError as error:
            errors["alloantibodies"] = error.messages
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
    check_last_transfused(last_transfused_on)
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
    """Change a child's record; the fields changed (not their values) go to the audit log.
    An erased child's record is closed."""
    if patient.erased_at is not None:
        raise erased_error()
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
    if patient.erased_at is not None:
        raise erased_error()
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
