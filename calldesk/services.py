"""Writes of the call desk: one call's outcome, and what it changes."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction
from thalassemia.booking import assignment_create, assignment_set_status
from thalassemia.choices import AssignmentStatus

from .choices import CallOutcome
from .models import CallLog
from .selectors import CallRow

# What a donor's answer on the phone does to the assignment. "Will try" changes nothing:
# it is recorded, and never counts as confirmed.
ASSIGNMENT_MOVES = {
    CallOutcome.CONFIRMED: AssignmentStatus.CONFIRMED,
    CallOutcome.DECLINED: AssignmentStatus.DECLINED,
}


def _move_assignment(assignment, outcome: str, *, actor, request) -> None:
    """The donor's answer on the phone, through the booking service. A donor who had
    declined and now says yes is booked again (a new assignment, with every booking check);
    saying no again changes nothing."""
    if assignment.status == AssignmentStatus.DECLINED:
        if outcome == CallOutcome.CONFIRMED:
            again = assignment_create(
                transfusion=assignment.transfusion,
                donor=assignment.donor,
                on=assignment.on,
                actor=actor,
                request=request,
            )
            assignment_set_status(
                assignment=again, status=AssignmentStatus.CONFIRMED, actor=actor, request=request
            )
        return
    if outcome in ASSIGNMENT_MOVES:
        assignment_set_status(
            assignment=assignment, status=ASSIGNMENT_MOVES[outcome], actor=actor, request=request
        )


@transaction.atomic
def call_log_record(
    *, row: CallRow, outcome: str, follow_up_on=None, notes: str = "", actor=None, request=None
) -> CallLog:
    """Log the call of ``row`` (a row of the caller's call list). A donor's confirmed or
    declined updates the assignment through the booking service; a wrong number is kept and
    flags that phone on every list until the contact is corrected. A follow-up day brings
    the row back on the list that day (``selectors._place``)."""
    if outcome not in CallOutcome.values:
        raise ValidationError({"outcome": _("Choose what happened on the call.")})
    if follow_up_on is not None and follow_up_on < timezone.localdate():
        raise ValidationError({"follow_up_on": _("Choose today or a later day.")})
    if follow_up_on is not None and follow_up_on > timezone.localdate() + timedelta(
        days=settings.CALLDESK_FOLLOW_UP_MAX_DAYS
    ):
        raise ValidationError(
            {
                "follow_up_on": _("Choose a day within %(days)s days.")
                % {"days": settings.CALLDESK_FOLLOW_UP_MAX_DAYS}
            }
        )
    if row.assignment is not None:
        _move_assignment(row.assignment, outcome, actor=actor, request=request)
    call = CallLog.objects.create(
        unit=row.unit,
        kind=row.kind,
        row_key=row.key,
        name=row.name[:120],
        phone=row.phone,
        outcome=outcome,
        follow_up_on=follow_up_on,
        notes=notes[:200],
        assignment=row.assignment,
        called_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        action=AuditAction.CREATE,
        request=request,
        actor=actor,
        obj=call,
        unit=row.unit,
        outcome=outcome,
    )
    return call
