"""What an SMS reply or a missed call means for a child's request (registered with the
outbox in ``ThalassemiaConfig.ready``, after the donors' handler, which has taken STOP,
unclear texts and unknown numbers already).

- yes (a "1" or a missed call): the number's one request still waiting for an answer
  (asked, to give today or later, transfusion open) is confirmed;
- no (a "2"): the number's one request asked or confirmed is declined, and the next donor
  is proposed (``booking.assignment_answer``);
- several such requests, here or in another room (an emergency call: the registry weighs
  ``open_for`` of each room first): nothing is guessed, the call desk rings back — unless
  the reply carries one request's reply code ("1 K7QM": a family sharing the phone);
- none: listed as "no open request" (a yes for a request already confirmed is recorded as
  confirmed: the donor said it twice)."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from donors.replies import answering_donors
from notifications.choices import InboundOutcome, Intent
from notifications.registry import InboundResult, coded

from .booking import assignment_answer
from .choices import OPEN_TRANSFUSION, AssignmentStatus
from .models import Assignment

ANSWER_OF = {Intent.CONFIRM: "confirm", Intent.DECLINE: "decline"}
OPEN_FOR = {
    Intent.CONFIRM: (AssignmentStatus.ASKED,),
    Intent.DECLINE: (AssignmentStatus.ASKED, AssignmentStatus.CONFIRMED),
}
OUTCOME_OF = {Intent.CONFIRM: InboundOutcome.CONFIRMED, Intent.DECLINE: InboundOutcome.DECLINED}


def open_requests(donors, statuses) -> list[Assignment]:
    return list(
        Assignment.objects.filter(
            donor__in=donors,
            status__in=statuses,
            on__gte=timezone.localdate(),
            transfusion__status__in=OPEN_TRANSFUSION,
        )
        .select_related("donor", "transfusion__patient__unit")
        .order_by("on", "id")
    )


def _result(outcome, assignment=None, donor=None) -> InboundResult:
    if assignment is not None:
        return InboundResult(
            outcome=outcome,
            subject_key=f"assignment:{assignment.pk}",
            unit=assignment.transfusion.patient.unit,
            name=assignment.donor.name,
        )
    return InboundResult(
        outcome=outcome,
        subject_key=f"donor:{donor.pk}" if donor else "",
        unit=donor.unit if donor else None,
        name=donor.name if donor else "",
    )


def _key(assignment: Assignment) -> str:
    return f"assignment:{assignment.pk}"


def open_for(row) -> list[InboundResult]:
    """The child's requests a yes / no from ``row``'s number could answer (the registry
    weighs them against the other rooms' before any acts)."""
    donors = answering_donors(row)
    return [
        _result(InboundOutcome.RING_BACK, assignment=a)
        for a in open_requests(donors, OPEN_FOR[row.intent])
    ]


def handle(row) -> InboundResult | None:
    donors = answering_donors(row)
    if not donors:
        return None
    # A family's shared phone: "1 K7QM" is the request whose reply code it carries.
    requests = coded(row, open_requests(donors, OPEN_FOR[row.intent]), _key)
    if len(requests) > 1:
        return _result(InboundOutcome.RING_BACK, donor=requests[0].donor)
    if not requests:
        already = row.intent == Intent.CONFIRM and open_requests(
            donors, (AssignmentStatus.CONFIRMED,)
        )
        if already and len(already) == 1:
            return _result(InboundOutcome.CONFIRMED, assignment=already[0])
        return _result(InboundOutcome.NO_REQUEST, donor=donors[0])
    try:
        assignment = assignment_answer(
            assignment=requests[0], answer=ANSWER_OF[row.intent], via=row.kind
        )
    except ValidationError:  # moved on a moment ago (the coordinator, the link)
        return _result(InboundOutcome.NO_REQUEST, assignment=requests[0])
    return _result(OUTCOME_OF[row.intent], assignment=assignment)
