"""Erasure of a child or a guardian on request (DPDP, DOMAIN.md §6), as donors/privacy.py
does for a donor.

What the counts need stays: the child's sex, blood group, unit, year of birth, plans and
transfusions (dates, units, status). Names, phones, notes and registration numbers go, here
and everywhere a copy was made (accounts.erasure: the audit log, the outbox, the call desk;
``notes_erase`` below: notes and consent names in this app that mention the person). An
erased child leaves the programme: no more reminders, its open transfusion is cancelled.
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction
from accounts.erasure import ErasedPerson, person_erase, text_candidates, with_digits

from .calendar import patient_recompute_next_due
from .choices import PatientStatus
from .models import Assignment, Guardian, Patient, Transfusion

ERASED_PHONE_PREFIX = "erased:"

# Patient field → the value it takes on erasure.
_PATIENT_BLANKED = {
    "phenotype": "",
    "alloantibodies": "",
    "weight_kg": None,
    "registration_number": "",
    "consent_by": "",
    "notes": "",
}


def erased_error() -> ValidationError:
    return ValidationError(
        {NON_FIELD_ERRORS: [_("This person's personal data was erased: the record is closed.")]},
        code="erased",
    )


@transaction.atomic
def guardian_erase(*, guardian: Guardian, actor, request=None) -> Guardian:
    """Anonymise ``guardian`` on their request: name and phone go, messages stop. Audited
    against the child's unit, under the anonymous name. Repeating it changes nothing."""
    guardian = (
        Guardian.objects.select_for_update().select_related("patient__unit").get(pk=guardian.pk)
    )
    if guardian.erased_at is not None:
        return guardian
    who = ErasedPerson(
        key=f"guardian:{guardian.pk}",
        key_prefixes=(f"guardian:{guardian.pk}:",),
        replacement=f"Erased guardian #{guardian.pk}",  # data, not a page string
        names=(guardian.name,),
        phones=(guardian.phone,),
    )
    now = timezone.now()
    guardian.name = who.replacement
    guardian.phone = f"{ERASED_PHONE_PREFIX}{guardian.pk}"
    guardian.opted_out_at = guardian.opted_out_at or now
    guardian.erased_at = now
    guardian.save(update_fields=["name", "phone", "opted_out_at", "erased_at"])
    person_erase(who)
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        obj=guardian,
        unit=guardian.patient.unit,
        note="erasure",
        fields=["name", "phone", "opted_out_at"],
    )
    return guardian


@transaction.atomic
def patient_erase(*, patient: Patient, actor, request=None) -> Patient:
    """Anonymise a child on the guardians' request, and erase the guardians with it (their
    names and numbers point at the child). The child stops being active; the transfusions
    given stay for the counts. Repeating it changes nothing."""
    patient = Patient.objects.select_for_update().select_related("unit").get(pk=patient.pk)
    if patient.erased_at is not None:
        return patient
    for guardian in patient.guardians.all():
        guardian_erase(guardian=guardian, actor=actor, request=request)
    who = ErasedPerson(
        key=f"patient:{patient.pk}",
        replacement=f"Erased child #{patient.pk}",  # data, not a page string
        names=(patient.name,),
    )
    patient.name = who.replacement
    patient.date_of_birth = datetime.date(patient.date_of_birth.year, 1, 1)
    for name, value in _PATIENT_BLANKED.items():
        setattr(patient, name, value)
    if patient.status == PatientStatus.ACTIVE:
        patient.status = PatientStatus.INACTIVE
    patient.erased_at = timezone.now()
    patient.save()
    patient.transfusions.exclude(notes="").update(notes="")
    Assignment.objects.filter(transfusion__patient=patient).exclude(notes="").update(notes="")
    patient_recompute_next_due(patient)  # inactive: the open transfusion is cancelled
    person_erase(who)
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        obj=patient,
        note="erasure",
        fields=["name", "date_of_birth", "status", *_PATIENT_BLANKED],
    )
    return patient


def guardians_on_phones(phones: tuple[str, ...]) -> list[tuple[str, str]]:
    """(phone, "guardian:<id>") for the guardians not erased on ``phones`` (E.164): an
    erasure asks it (``accounts.erasure.register_phone_users``), so a number a guardian
    shares with a donor stays for whichever of them is left. One query on the phone index."""
    rows = Guardian.objects.filter(phone__in=phones, erased_at__isnull=True)
    return [(phone, f"guardian:{pk}") for phone, pk in rows.values_list("phone", "pk")]


def notes_erase(sender=None, *, person: ErasedPerson, **kwargs) -> None:
    """This app's copies of a person erased anywhere (accounts.erasure.person_erased): a
    donor's booking notes, and any note or consent name here that mentions them."""
    if person.key.startswith("donor:"):
        donor_id = person.key.partition(":")[2]
        Assignment.objects.filter(donor_id=donor_id).exclude(notes="").update(notes="")
    for model, columns in (
        (Assignment, ("notes",)),
        (Transfusion, ("notes",)),
        (Patient, ("notes", "consent_by")),
    ):
        rows = with_digits(model.objects.all(), *columns).filter(text_candidates(person, *columns))
        for row in rows.iterator():
            update = {c: person.scrub(getattr(row, c)) for c in columns}
            model.objects.filter(pk=row.pk).update(**update)
