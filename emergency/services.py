"""Writes of emergency requests: record one, stop its waves, take a donor's answer. Each
checks the rules, writes under the request's row lock and records the audit event; the
page, the API and the donor's link all call these."""

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction
from accounts.scoping import user_can_access_unit
from donors.compatibility import KNOWN_GROUPS

from . import tasks
from .choices import CallStatus, RequestStatus
from .messages import confirmed_enqueue
from .models import EmergencyCall, EmergencyRequest
from .waves import close, confirmed_count

# What a call code may look like (waves.new_code): anything else is no link of ours.
CODE_PATTERN = re.compile(r"[A-Za-z0-9]{1,12}")
ANSWERS = {"confirm": CallStatus.CONFIRMED, "decline": CallStatus.DECLINED}


def _clean(*, actor, unit, hospital, blood_group, units_needed, needed_by, now) -> None:
    errors = {}
    if unit is None or not user_can_access_unit(actor, unit):
        errors["unit"] = [_("Choose a police unit you work in.")]
    if hospital is None:
        errors["hospital"] = [_("Choose the hospital that needs the blood.")]
    if blood_group not in KNOWN_GROUPS:
        errors["blood_group"] = [_("Choose the blood group needed.")]
    if not isinstance(units_needed, int) or not 1 <= units_needed <= settings.EMERGENCY_MAX_UNITS:
        errors["units_needed"] = [
            _("Ask for 1 to %(most)s units.") % {"most": settings.EMERGENCY_MAX_UNITS}
        ]
    latest = now + timedelta(hours=settings.EMERGENCY_MAX_HOURS_AHEAD)
    if needed_by is None or needed_by <= now:
        errors["needed_by"] = [_("Give a time still to come.")]
    elif needed_by > latest:
        errors["needed_by"] = [
            _("An emergency is within %(hours)s hours; plan a camp or a request instead.")
            % {"hours": settings.EMERGENCY_MAX_HOURS_AHEAD}
        ]
    if errors:
        raise ValidationError(errors)


def emergency_create(
    *, actor, unit, hospital, blood_group: str, units_needed: int, needed_by, request=None
) -> EmergencyRequest:
    """Record an urgent need and start calling donors: the first wave goes as soon as the
    row is committed (and within a minute by beat if the broker was down)."""
    now = timezone.now()
    _clean(
        actor=actor,
        unit=unit,
        hospital=hospital,
        blood_group=blood_group,
        units_needed=units_needed,
        needed_by=needed_by,
        now=now,
    )
    with transaction.atomic():
        emergency = EmergencyRequest.objects.create(
            unit=unit,
            hospital=hospital,
            blood_group=blood_group,
            units_needed=units_needed,
            needed_by=needed_by,
            next_wave_at=now,
            created_by=actor,
            created_at=now,
        )
        audit.record(
            action=AuditAction.CREATE,
            request=request,
            actor=actor,
            obj=emergency,
            blood_group=blood_group,
            units=units_needed,
        )
        transaction.on_commit(lambda: tasks.start_waves(emergency.pk))
    return emergency


def _locked(emergency_id: int) -> EmergencyRequest:
    return (
        EmergencyRequest.objects.select_for_update(of=("self",))
        .select_related("hospital", "unit")
        .get(pk=emergency_id)
    )


def emergency_stop(*, emergency: EmergencyRequest, actor, request=None) -> EmergencyRequest:
    """A coordinator stops the waves: no more donors are asked, calls not yet sent are
    cancelled by the outbox. Donors who already confirmed stay on the page."""
    with transaction.atomic():
        locked = _locked(emergency.pk)
        if locked.status != RequestStatus.OPEN:
            raise ValidationError(_("This request is no longer calling donors."))
        close(locked, RequestStatus.STOPPED, actor=actor, http=request)
    return locked


# --- the donor's answer, by the link in the call ----------------------------------------


def link_state(code: str) -> tuple[EmergencyCall | None, str]:
    """(call or None, state): ask, used (answered), closed (request filled, stopped or past
    its time), invalid."""
    well_formed = isinstance(code, str) and CODE_PATTERN.fullmatch(code)
    calls = EmergencyCall.objects.select_related("request__hospital", "donor")
    call = calls.filter(code=code).first() if well_formed else None
    if call is None:
        return None, "invalid"
    if call.status != CallStatus.ASKED:
        return call, "used"
    if call.request.status != RequestStatus.OPEN or timezone.now() >= call.request.needed_by:
        return call, "closed"
    return call, "ask"


def call_answer(
    *, code: str, answer: str, via: str = "link", request=None
) -> tuple[EmergencyCall | None, str]:
    """Record a donor's confirm / decline, by the link, an SMS reply or a missed call
    (``via``, in the audit); answers the call and the link's new state ("done" or why
    not). The confirmation that fills the request closes it: no more waves. A confirmed
    donor is sent the hospital's address and emergency contact."""
    call, state = link_state(code)
    if state != "ask" or answer not in ANSWERS:
        return call, state
    with transaction.atomic():
        emergency = _locked(call.request_id)  # the request first, as the waves lock it
        call = (
            EmergencyCall.objects.select_for_update(of=("self",))
            .select_related("donor")
            .get(pk=call.pk)
        )
        call.request = emergency
        if call.status != CallStatus.ASKED:
            return call, "used"  # answered meanwhile (the other button, another tab)
        if emergency.status != RequestStatus.OPEN or timezone.now() >= emergency.needed_by:
            return call, "closed"
        call.status = ANSWERS[answer]
        call.answered_at = timezone.now()
        call.save(update_fields=["status", "answered_at"])
        audit.record(
            action=AuditAction.UPDATE,
            request=request,
            obj=call,
            unit=emergency.unit,
            note=f"donor answered emergency call by {via}",
            status=call.status,
        )
        if call.status == CallStatus.CONFIRMED:
            confirmed_enqueue(call)
            if confirmed_count(emergency) >= emergency.units_needed:
                close(emergency, RequestStatus.FILLED)
    return call, "done"
