"""A donor's answer to a request, by the signed link in the message, without signing in.
The link expires (THAL_CONFIRM_LINK_HOURS) and works once: an assignment already answered
(or moved on) takes no second answer from it."""

from django.core.exceptions import ValidationError

from accounts import audit
from accounts.choices import AuditAction
from thalassemia.booking import assignment_set_status
from thalassemia.choices import AssignmentStatus
from thalassemia.reminders import assignment_for_token

ANSWERABLE = (AssignmentStatus.PROPOSED, AssignmentStatus.ASKED)
ANSWERS = {"confirm": AssignmentStatus.CONFIRMED, "decline": AssignmentStatus.DECLINED}


def link_state(token: str):
    """(assignment or None, state) with state one of ask, used, expired, invalid."""
    assignment, why = assignment_for_token(token)
    if assignment is None:
        return None, why
    if assignment.status not in ANSWERABLE:
        return assignment, "used"
    return assignment, "ask"


def assignment_respond(*, token: str, answer: str, request=None):
    """Record the donor's confirm / decline through the booking service; answers the new
    state of the link (done, used, expired, invalid)."""
    assignment, state = link_state(token)
    if state != "ask" or answer not in ANSWERS:
        return assignment, state
    try:
        assignment = assignment_set_status(assignment=assignment, status=ANSWERS[answer])
    except ValidationError:
        return assignment, "used"  # answered meanwhile (the other button, another tab)
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        obj=assignment,
        unit=assignment.transfusion.patient.unit,
        note="donor answered by link",
        status=assignment.status,
    )
    return assignment, "done"
