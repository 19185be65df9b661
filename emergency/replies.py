"""What an SMS reply or a missed call means for an emergency call (registered with the
outbox in ``EmergencyConfig.ready``, after the donors' handler, which has taken STOP,
unclear texts and unknown numbers already).

- yes (a "1", "haan", a missed call) or no (a "2"): the number's one call still asked, on a
  request still calling, is answered through ``services.call_answer``, by the rules of the
  ``/e/<code>/`` link: a confirmation that fills the request stops the waves, and the donor
  is sent the hospital's address and emergency contact;
- the number has several open requests (two calls, or a call and a child's request): the
  registry weighs ``open_for`` of every room first, and the call desk rings back — unless
  the reply carries one call's reply code ("1 K7QM": a family sharing the phone);
- none: "no open request" (a yes for a call already confirmed is recorded as confirmed: the
  donor said it twice)."""

from django.utils import timezone

from donors.replies import answering_donors
from notifications.choices import InboundOutcome, Intent
from notifications.registry import InboundResult, coded

from .choices import CallStatus, RequestStatus
from .models import EmergencyCall
from .services import call_answer

ANSWER_OF = {Intent.CONFIRM: "confirm", Intent.DECLINE: "decline"}
OUTCOME_OF = {Intent.CONFIRM: InboundOutcome.CONFIRMED, Intent.DECLINE: InboundOutcome.DECLINED}


def _calls(donors, status: str) -> list[EmergencyCall]:
    """The donors' calls in ``status`` on requests still calling, oldest first."""
    return list(
        EmergencyCall.objects.filter(
            donor__in=donors,
            status=status,
            request__status=RequestStatus.OPEN,
            request__needed_by__gt=timezone.now(),
        )
        .select_related("donor", "request__unit")
        .order_by("asked_at", "id")
    )


def _result(outcome: str, call: EmergencyCall) -> InboundResult:
    return InboundResult(
        outcome=outcome,
        subject_key=f"emergency_call:{call.pk}",
        unit=call.request.unit,
        name=call.donor.name,
    )


def open_for(row) -> list[InboundResult]:
    """The calls a yes / no from ``row``'s number could answer: asked, request open."""
    donors = answering_donors(row)
    return [_result(InboundOutcome.RING_BACK, c) for c in _calls(donors, CallStatus.ASKED)]


def handle(row) -> InboundResult | None:
    donors = answering_donors(row)
    if not donors:
        return None
    # A family's shared phone: "1 K7QM" is the call whose reply code it carries.
    calls = coded(row, _calls(donors, CallStatus.ASKED), lambda c: f"emergency_call:{c.pk}")
    if len(calls) > 1:  # the registry rings back before; kept for a handler asked alone
        return _result(InboundOutcome.RING_BACK, calls[0])
    if not calls:
        if row.intent == Intent.CONFIRM:
            already = EmergencyCall.objects.filter(
                donor__in=donors,
                status=CallStatus.CONFIRMED,
                request__needed_by__gt=timezone.now(),
            ).select_related("donor", "request__unit")
            if len(already) == 1:
                return _result(InboundOutcome.CONFIRMED, already[0])
        return None
    call, state = call_answer(code=calls[0].code, answer=ANSWER_OF[row.intent], via=row.kind)
    if state != "done":  # answered or closed a moment ago (the link, the last unit filled)
        return _result(InboundOutcome.NO_REQUEST, calls[0])
    return _result(OUTCOME_OF[row.intent], call)
