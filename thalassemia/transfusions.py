"""A child's transfusions: given, missed, cancelled or given a date by the hospital. Each
one audited, and each ends in ``calendar.patient_recompute_next_due``."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, ranges
from accounts.choices import AuditAction

from .booking import release_assignments
from .calendar import CALENDAR_TERMS, patient_recompute_next_due
from .choices import LIVE_ASSIGNMENT, OPEN_TRANSFUSION, AssignmentStatus, TransfusionStatus
from .models import Patient, Transfusion


def check_last_transfused(on) -> None:
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
    check_last_transfused(on)
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
    patient.refresh_from_db(fields=["next_due_on", *CALENDAR_TERMS])
    return patient


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


def _mark(transfusion: Transfusion, status: str, *, notes: str, actor, request) -> Transfusion:
    """An open transfusion missed or cancelled, with the staff's note: saved and audited."""
    transfusion = _open(transfusion)
    transfusion.status = status
    transfusion.notes = notes or transfusion.notes
    transfusion.recorded_by = actor
    transfusion.save()
    _audit_transfusion(transfusion, actor=actor, request=request)
    return transfusion


@transaction.atomic
def transfusion_record_missed(
    *, transfusion: Transfusion, notes: str = "", actor=None, request=None
):
    """The child did not come: the transfusion stays open and overdue; nothing rolls on."""
    transfusion = _mark(
        transfusion, TransfusionStatus.MISSED, notes=notes, actor=actor, request=request
    )
    patient_recompute_next_due(transfusion.patient)
    return transfusion


@transaction.atomic
def transfusion_cancel(*, transfusion: Transfusion, notes: str = "", actor=None, request=None):
    """This date will not happen: the calendar counts on from it; its donors are freed."""
    transfusion = _mark(
        transfusion, TransfusionStatus.CANCELLED, notes=notes, actor=actor, request=request
    )
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
