"""A donor's answer to a request, by the link in the message, without signing in.

The link is short (``/r/<8 characters>``, ``notifications.shortlinks``: an HMAC code the
server looks up, stored hashed), expires (THAL_CONFIRM_LINK_HOURS) and works once: its first
answer spends it, and an assignment already answered (or moved on) takes no second answer.
Links sent before short links existed (``/r/<signed token>/``) keep working until they
expire. The answer itself is written by ``booking.assignment_respond``; this module makes
and reads the link."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from notifications import shortlinks
from notifications.rendering import link_url

from .choices import AssignmentStatus
from .models import Assignment

RESPOND_SALT = "thalassemia.assignment-respond"
LINK_PURPOSE = "respond"
ANSWERABLE = (AssignmentStatus.PROPOSED, AssignmentStatus.ASKED)
ANSWERS = {"confirm": AssignmentStatus.CONFIRMED, "decline": AssignmentStatus.DECLINED}


def respond_token(assignment: Assignment) -> str:
    """A token naming the assignment, signed and timestamped (expires: see below)."""
    return signing.TimestampSigner(salt=RESPOND_SALT).sign_object({"a": assignment.pk})


def _signed_assignment_pk(token: str) -> tuple[int | None, str]:
    """The pk a long signed token names (the links of before), or None and why not."""
    max_age = timedelta(hours=settings.THAL_CONFIRM_LINK_HOURS)
    try:
        data = signing.TimestampSigner(salt=RESPOND_SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        return None, "expired"
    except signing.BadSignature:
        return None, "invalid"
    pk = data.get("a") if isinstance(data, dict) else None
    return (pk, "ok") if isinstance(pk, int) else (None, "invalid")


def _short_assignment_pk(code: str) -> tuple[int | None, str]:
    subject, state = shortlinks.short_link_open(purpose=LINK_PURPOSE, code=code)
    kind, _, pk = (subject or "").partition(":")
    if kind != "assignment" or not pk.isdigit():
        return None, "invalid"
    return int(pk), state


def assignment_for_token(token: str) -> tuple[Assignment | None, str]:
    """The assignment a link names and "ok" (or "used": a short link already answered), or
    None and why not ("expired", "invalid")."""
    if shortlinks.is_code(token):
        pk, why = _short_assignment_pk(token)
    else:
        pk, why = _signed_assignment_pk(token)
    if pk is None or why in ("expired", "invalid"):
        return None, why
    assignment = (
        Assignment.objects.select_related(
            "transfusion__patient__hospital", "transfusion__hospital", "donor"
        )
        .filter(pk=pk)
        .first()
    )
    return (assignment, why) if assignment else (None, "invalid")


def respond_code(assignment: Assignment) -> str:
    """The short code of the link to ``assignment`` (the same while it is fresh)."""
    return shortlinks.short_link_code(
        purpose=LINK_PURPOSE,
        subject_key=f"assignment:{assignment.pk}",
        valid_for=timedelta(hours=settings.THAL_CONFIRM_LINK_HOURS),
    )


def respond_url(assignment: Assignment) -> str:
    """The link put in the donor's request: ``/r/<code>`` on NOTIFY_LINK_BASE_URL or SITE_URL."""
    return link_url(reverse("thalassemia:respond-short", args=[respond_code(assignment)]))


def spend_links(assignment: Assignment) -> int:
    """The assignment was answered: its short links take no other answer."""
    return shortlinks.short_links_spend_for(
        purpose=LINK_PURPOSE, subject_key=f"assignment:{assignment.pk}"
    )


def link_state(token: str):
    """(assignment or None, state) with state one of ask, used, expired, invalid."""
    assignment, why = assignment_for_token(token)
    if assignment is None:
        return None, why
    if why == "used" or assignment.status not in ANSWERABLE:
        return assignment, "used"
    return assignment, "ask"
