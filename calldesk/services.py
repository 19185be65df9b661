"""Writes of the call desk: one call's outcome, and what it changes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction
from thalassemia.booking import assignment_set_status
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


@transaction.atomic
def call_log_record(
    *, row: CallRow, outcome: str, follow_up_on=None, notes: str = "", actor=None, request=None
) -> CallLog:
    """Log the call of ``row`` (a row of the caller's call list). A donor's confirmed or
    declined updates the assignment through the booking service; a wrong number is kept and
    flags that phone on every list until the contact is corrected."""
    if outcome not in CallOutcome.values:
        raise ValidationError({"outcome": _("Choose what happened on the call.")})
    if follow_up_on is not None and follow_up_on < timezone.localdate():
        raise ValidationError({"follow_up_on": _("Choose today or a later day.")})
    if row.assignment is not None and outcome in ASSIGNMENT_MOVES:
        assignment_set_status(
            assignment=row.assignment,
            status=ASSIGNMENT_MOVES[outcome],
            actor=actor,
            request=request,
        )
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
