"""The worker's side of the outbox: pick what is due, claim one row, send it through its
channel's backend, record the answer, retry or fail, release rows a dead worker left.

Every state change is a conditional UPDATE on the row (``… WHERE state = old``): a second
worker, a duplicate beat tick or a task delivered twice finds nothing to do."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .backends import AddressRefused, PermanentError, SendError, backend_for
from .choices import MessageState
from .models import Message
from .registry import send_refusal
from .schedule import quiet_until, retry_delay

log = logging.getLogger(__name__)


def due_message_ids(*, now=None, limit: int | None = None) -> list[int]:
    """Pending messages whose next attempt is due, oldest first (what dispatch sends)."""
    now = now or timezone.now()
    rows = Message.objects.filter(state=MessageState.PENDING, next_attempt_at__lte=now)
    rows = rows.order_by("next_attempt_at", "id").values_list("id", flat=True)
    return list(rows[: limit or settings.NOTIFY_DISPATCH_BATCH])


def _hold_reason(message: Message) -> str | None:
    """Why this message must not go at all any more: stale, or the recipient said stop."""
    if message.valid_until and timezone.localdate() > message.valid_until:
        return "stale: its date has passed"
    refused = _refused_earlier(message)
    if refused is not None:
        return f"the provider refused this address for good (message #{refused})"
    return send_refusal(message)


def address_of(message: Message) -> dict:
    return {"email": message.email} if message.channel == "email" else {"phone": message.phone}


def _refused_earlier(message: Message) -> int | None:
    """The id of an earlier message whose address the provider refused for good on this
    channel: sending again would fail again, or reach whoever has the number now."""
    address = address_of(message)
    if not next(iter(address.values())):
        return None
    return (
        Message.objects.filter(channel=message.channel, refused_for_good=True, **address)
        .exclude(pk=message.pk)
        .values_list("pk", flat=True)
        .first()
    )


def _finish(message_id: int, **fields) -> bool:
    """Record the outcome of a claim, only while the row is still ours (state sending)."""
    fields["updated_at"] = timezone.now()
    return bool(Message.objects.filter(id=message_id, state=MessageState.SENDING).update(**fields))


def message_send(message_id: int) -> str:
    """Claim, send and record one message; answers what happened ("sent", "skipped", …).
    Safe to run twice: only the caller whose conditional UPDATE changed the row sends."""
    now = timezone.now()
    due = Message.objects.filter(
        id=message_id, state=MessageState.PENDING, next_attempt_at__lte=now
    )
    message = due.first()
    if message is None:
        return "skipped"
    held_until = (
        None
        if message.topic in settings.NOTIFY_QUIET_EXEMPT_TOPICS
        else quiet_until(message.channel, now)
    )
    if held_until is not None:
        due.update(next_attempt_at=held_until, updated_at=now)
        return "quiet"
    reason = _hold_reason(message)
    if reason:
        due.update(state=MessageState.CANCELLED, last_error=reason[:300], updated_at=now)
        return "cancelled"
    claimed = due.update(
        state=MessageState.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
    )
    if claimed != 1:
        return "skipped"  # another worker claimed it between our read and our update
    message.refresh_from_db()
    try:
        reference = backend_for(message.channel).send(message)
    except PermanentError as exc:
        log.warning("message %s failed for good: %s", message_id, exc)
        _finish(
            message_id,
            state=MessageState.FAILED,
            last_error=str(exc)[:300],
            refused_for_good=isinstance(exc, AddressRefused),
        )
        return "failed"
    except SendError as exc:
        return _retry_or_fail(message, str(exc))
    except Exception as exc:  # one bad row never stops the loop: keep it visible
        log.exception("message %s: unexpected error from the backend", message_id)
        return _retry_or_fail(message, f"{type(exc).__name__}: {exc}")
    _finish(
        message_id,
        state=MessageState.SENT,
        sent_at=timezone.now(),
        provider_ref=(reference or "")[:120],
        last_error="",
    )
    return "sent"


def _retry_or_fail(message: Message, error: str) -> str:
    if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        _finish(message.pk, state=MessageState.FAILED, last_error=error[:300])
        return "failed"
    _finish(
        message.pk,
        state=MessageState.PENDING,
        next_attempt_at=timezone.now() + retry_delay(message.attempts),
        last_error=error[:300],
    )
    return "retry"


def messages_release_stuck(*, older_than: timedelta | None = None) -> int:
    """Rows left in "sending" by a worker that died mid-send go back to pending. Sending
    may then happen twice at worst; the provider reference (the row id) lets the gateway
    drop the duplicate."""
    older_than = older_than or timedelta(minutes=settings.NOTIFY_STUCK_MINUTES)
    now = timezone.now()
    return Message.objects.filter(
        state=MessageState.SENDING, claimed_at__lt=now - older_than
    ).update(state=MessageState.PENDING, next_attempt_at=now, updated_at=now)
