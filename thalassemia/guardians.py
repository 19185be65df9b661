"""A child's guardians: added, corrected, removed (a child keeps one), and their choice of
messages. Each change is audited against the child's unit."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction
from donors.phones import normalise_phone

from .models import Guardian, Patient
from .privacy import erased_error


def _phone(phone: str) -> str:
    """The guardian's phone in E.164, or the phone field's error."""
    try:
        return normalise_phone(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None


def _audit(guardian: Guardian, action: str, *, actor, request, **details) -> None:
    """A guardian added, corrected or removed: audited against the child's unit."""
    audit.record(
        action=action,
        request=request,
        actor=actor,
        obj=guardian,
        unit=guardian.patient.unit,
        **details,
    )


def guardian_add(*, patient: Patient, phone: str, actor=None, request=None, **fields) -> Guardian:
    """Add a guardian to the child (the phone in E.164); audited. An erased child's record
    is closed."""
    if patient.erased_at is not None:
        raise erased_error()
    phone = _phone(phone)
    guardian = Guardian(patient=patient, phone=phone, **fields)
    guardian.full_clean()
    guardian.save()
    _audit(guardian, AuditAction.CREATE, actor=actor, request=request)
    return guardian


def guardian_update(*, guardian: Guardian, **fields) -> Guardian:
    if "phone" in fields:
        fields["phone"] = _phone(fields["phone"])
    for name, value in fields.items():
        setattr(guardian, name, value)
    guardian.full_clean()
    guardian.save()
    return guardian


def guardian_edit(*, guardian: Guardian, actor=None, request=None, **fields) -> Guardian:
    """Correct a guardian (a wrong phone, relation or language): ``guardian_update``, and the
    names of the fields changed (not their values) to the audit log."""
    if "phone" in fields:
        fields["phone"] = _phone(fields["phone"])
    fresh = Guardian.objects.get(pk=guardian.pk)
    if fresh.erased_at is not None:
        raise erased_error()
    changed = [name for name, value in fields.items() if getattr(fresh, name) != value]
    guardian = guardian_update(guardian=fresh, **fields)
    if changed:
        _audit(guardian, AuditAction.UPDATE, actor=actor, request=request, fields=changed)
    return guardian


@transaction.atomic
def guardian_remove(*, guardian: Guardian, actor=None, request=None) -> None:
    """Remove a guardian; a child keeps at least one (someone to ask, and who consented)."""
    patient = Patient.objects.select_for_update().get(pk=guardian.patient_id)
    if not patient.guardians.exclude(pk=guardian.pk).exists():
        raise ValidationError(
            _("A child must keep at least one guardian: add the new guardian first.")
        )
    guardian.patient = patient  # the locked row: the audit reads its unit, no second query
    _audit(guardian, AuditAction.DELETE, actor=actor, request=request)
    guardian.delete()


def guardian_set_opt_out(
    *, guardian: Guardian, opted_out: bool, actor=None, request=None
) -> Guardian:
    """The guardian asks for no more messages (or to have them again); audited. An erased
    guardian has no number: nothing changes."""
    if guardian.erased_at is not None:
        return guardian
    guardian.opted_out_at = timezone.now() if opted_out else None
    guardian.save(update_fields=["opted_out_at"])
    _audit(guardian, AuditAction.UPDATE, actor=actor, request=request, fields=["opted_out_at"])
    return guardian
