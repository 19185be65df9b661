"""What an emergency says to donors, through the outbox: the call (with the answer link) and,
to a donor who confirmed, where to go and whom to ring. Rows first, messages second: each
is an outbox row with a unique natural key (topic, donor, request, day, channel), so a wave
or an answer handled twice writes it once, and ``send_check`` cancels a call whose request
was filled or stopped before it went.

Both texts fit two SMS parts in Hindi (67 Unicode characters a part): names and the address
are shortened in the text; the answer page shows them in full."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from donors.reminders import donor_message_row
from donors.replies import reply_code_for, shared_phones
from notifications.choices import MessageState
from notifications.models import Message
from notifications.rendering import link_url
from notifications.schedule import quiet_until
from notifications.services import hand_to_worker, message_enqueue, messages_enqueue

CALL_TOPIC = "emergency_call"
CONFIRMED_TOPIC = "emergency_confirmed"


def answer_url(call) -> str:
    """The short link in a call: ``/e/<code>/`` on the short domain for links in SMS
    (NOTIFY_LINK_BASE_URL) when the force has one, else on SITE_URL."""
    return link_url(reverse("emergency:answer", args=[call.code]))


def _row(call, *, topic: str, template: str, preferred: dict | None, **context) -> dict:
    request = call.request
    needed_by = timezone.localtime(request.needed_by)
    return donor_message_row(
        call.donor,
        topic=topic,
        subject_key=f"emergency:{request.pk}",
        template=template,
        due_on=needed_by.date(),
        valid_until=needed_by.date(),
        unit=request.unit,
        preferred=preferred,
        context={"request": request, "hospital": request.hospital, "by": needed_by, **context},
    )


def calls_enqueue(calls, *, preferred: dict) -> int:
    """The call message of each new call of a wave (one insert); handed to the worker at
    once after commit (dispatch would take them within a minute anyway)."""
    # A family's shared phone: "Reply 1 K7QM" says whose call it is.
    shared = shared_phones(c.donor.phone for c in calls)
    rows = [
        _row(
            c,
            topic=CALL_TOPIC,
            template="emergency_call",
            preferred=preferred,
            url=answer_url(c),
            reply_code=reply_code_for(c.donor, f"emergency_call:{c.pk}", shared),
        )
        for c in calls
    ]
    created = messages_enqueue(rows)
    if created:
        subject = rows[0]["subject_key"]
        transaction.on_commit(lambda: _hand_pending(subject))
    return created


def confirmed_enqueue(call) -> None:
    """Tell a donor who confirmed where to go and whom to ring."""
    contact = call.request.hospital.contacts.order_by("name", "pk").first()
    message, created = message_enqueue(
        **_row(
            call,
            topic=CONFIRMED_TOPIC,
            template="emergency_confirmed",
            preferred=None,
            contact=contact,
        )
    )
    if created:
        transaction.on_commit(lambda: hand_to_worker(message.pk))


def _hand_pending(subject_key: str) -> None:
    pending = Message.objects.filter(
        topic=CALL_TOPIC,
        subject_key=subject_key,
        state=MessageState.PENDING,
        attempts=0,
        next_attempt_at__lte=timezone.now(),
    )
    for pk in pending.values_list("pk", flat=True):
        hand_to_worker(pk)


def quiet_now(now=None):
    """The end of the quiet hours that hold emergency calls now, or None. DESIGN.md keeps
    quiet hours for every message; an operator who wants the living blood bank called at
    night lists ``emergency_call`` in NOTIFY_QUIET_EXEMPT_TOPICS. Waves wait with the
    messages, so a night's waves do not all ring at 08:00."""
    if CALL_TOPIC in settings.NOTIFY_QUIET_EXEMPT_TOPICS:
        return None
    return quiet_until(settings.NOTIFY_DEFAULT_CHANNEL, now)
