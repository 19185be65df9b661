"""A donor's answer to a request, by the signed link in the message, without signing in.
The link expires (THAL_CONFIRM_LINK_HOURS) and works once: an assignment already answered
(or moved on) takes no second answer from it. The answer itself is written by
``booking.assignment_respond``; this module makes and reads the link."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from notifications.rendering import portal_url

from .choices import AssignmentStatus
from .models import Assignment

RESPOND_SALT = "thalassemia.assignment-respond"
ANSWERABLE = (AssignmentStatus.PROPOSED, AssignmentStatus.ASKED)
ANSWERS = {"confirm": AssignmentStatus.CONFIRMED, "decline": AssignmentStatus.DECLINED}


def respond_token(assignment: Assignment) -> str:
    """A token naming the assignment, signed and timestamped (expires: see below)."""
    return signing.TimestampSigner(salt=RESPOND_SALT).sign_object({"a": assignment.pk})


def assignment_for_token(token: str) -> tuple[Assignment | None, str]:
    """The assignment a link names and "ok", or None and why not ("expired", "invalid")."""
    max_age = timedelta(hours=settings.THAL_CONFIRM_LINK_HOURS)
    try:
        data = signing.TimestampSigner(salt=RESPOND_SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        return None, "expired"
    except signing.BadSignature:
        return None, "invalid"
    pk = data.get("a") if isinstance(data, dict) else None
    assignment = (
        Assignment.objects.select_related(
            "transfusion__patient__hospital", "transfusion__hospital", "donor"
        )
        .filter(pk=pk)
        .first()
        if isinstance(pk, int)
        else None
    )
    return (assignment, "ok") if assignment else (None, "invalid")


def respond_url(assignment: Assignment) -> str:
    """The full link put in the donor's request (``/r/<token>/`` on PORTAL_BASE_URL)."""
    return portal_url(reverse("thalassemia:respond", args=[respond_token(assignment)]))


def link_state(token: str):
    """(assignment or None, state) with state one of ask, used, expired, invalid."""
    assignment, why = assignment_for_token(token)
    if assignment is None:
        return None, why
    if assignment.status not in ANSWERABLE:
        return assignment, "used"
    return assignment, "ask"
