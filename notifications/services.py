"""Writes of the outbox: enqueue (idempotent), claim and send, retry, release, resend.

Every state change is a conditional UPDATE on the row (``… WHERE state = old``): a second
worker, a duplicate beat tick or a task delivered twice finds nothing to do."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts import audit
from accounts.choices import AuditAction

from .backends import AddressRefused, PermanentError, SendError, backend_for
from .choices import Channel, MessageState
from .models import Message, RecipientPreference
from .rendering import render
from .schedule import quiet_until, retry_delay

log = logging.getLogger(__name__)


def message_enqueue(
    *,
    topic: str,
    subject_key: str,
    recipient_key: str,
    channel: str,
    template: str,
    due_on: date,
    context: dict,
    language: str = "en",
    recipient_name: str = "",
    phone: str = "",
    email: str = "",
    unit=None,
    valid_until: date | None = None,
    send_after=None,
) -> tuple[Message, bool]:
    """The message for this natural key, created (and its text rendered) when it is new.
    Safe to call on every scan: the database's unique key makes the second call a read."""
    message, created = Message.objects.get_or_create(
        topic=topic,
        recipient_key=recipient_key,
        subject_key=subject_key,
        due_on=due_on,
        channel=channel,
        defaults={
            "recipient_name": recipient_name[:120],
            "phone": phone,
            "email": email,
            "language": language,
            "template": template,
            "body": render(template, language, context),
            "unit": unit,
            "valid_until": valid_until,
            "next_attempt_at": send_after or timezone.now(),
        },
    )
    return message, created


def _natural_key(row: dict) -> tuple:
    return (row["topic"], row["recipient_key"], row["subject_key"], row["due_on"], row["channel"])


def messages_enqueue(rows) -> int:
    """``message_enqueue`` for a whole scan at once (each row its keyword arguments): one
    read of the natural keys already there and one insert of the new ones, whatever the
    number of recipients. A row written meanwhile by another scan is skipped by the
    database's unique key. Answers how many rows were new."""
    rows = list(rows)
    if not rows:
        return 0
    existing = set(
        Message.objects.filter(
            topic__in={r["topic"] for r in rows},
            recipient_key__in={r["recipient_key"] for r in rows},
            subject_key__in={r["subject_key"] for r in rows},
            due_on__in={r["due_on"] for r in rows},
        ).values_list("topic", "recipient_key", "subject_key", "due_on", "channel")
    )
    now = timezone.now()
    new, seen = [], set()
    for row in rows:
        key = _natural_key(row)
        if key in existing or key in seen:
            continue
        seen.add(key)
        language = row.get("language", "en")
        new.append(
            Message(
                topic=row["topic"],
                recipient_key=row["recipient_key"],
                subject_key=row["subject_key"],
                due_on=row["due_on"],
                channel=row["channel"],
                recipient_name=row.get("recipient_name", "")[:120],
                phone=row.get("phone", ""),
                email=row.get("email", ""),
                language=language,
                template=row["template"],
                body=render(row["template"], language, row["context"]),
                unit=row.get("unit"),
                valid_until=row.get("valid_until"),
                next_attempt_at=row.get("send_after") or now,
            )
        )
    Message.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


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
    for path in settings.NOTIFY_SEND_CHECKS:
        reason = import_string(path)(message)
        if reason:
            return reason
    return None


def _address(message: Message) -> dict:
    return {"email": message.email} if message.channel == "email" else {"phone": message.phone}


def _refused_earlier(message: Message) -> int | None:
    """The id of an earlier message whose address the provider refused for good on this
    channel: sending again would fail again, or reach whoever has the number now."""
    address = _address(message)
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


def message_resend(*, message: Message, actor=None, request=None) -> bool:
    """Staff ask for a failed (or cancelled) message to go again: back to pending, now."""
    now = timezone.now()
    changed = Message.objects.filter(
        pk=message.pk, state__in=(MessageState.FAILED, MessageState.CANCELLED)
    ).update(
        state=MessageState.PENDING,
        next_attempt_at=now,
        attempts=0,
        refused_for_good=False,
        updated_at=now,
    )
    if changed:
        # Staff who send it again vouch for the address (a corrected gateway, a number that
        # works again): its other refusals on this channel stop holding messages back.
        Message.objects.filter(
            channel=message.channel, refused_for_good=True, **_address(message)
        ).update(refused_for_good=False, updated_at=now)
        audit.record(
            action=AuditAction.UPDATE,
            request=request,
            actor=actor,
            obj=message,
            unit=message.unit,
            note="message resend",
        )
        transaction.on_commit(lambda: hand_to_worker(message.pk))
    return bool(changed)


def hand_to_worker(message_id: int) -> bool:
    """Queue the send now. With the broker unreachable the row simply stays pending: the
    next ``dispatch`` after the broker is back sends it, so staff get their answer, not an
    error page."""
    from .tasks import send_message

    try:
        send_message.delay(message_id)
    except (KombuOperationalError, OSError) as exc:
        log.warning("broker unreachable; message %s waits for dispatch: %s", message_id, exc)
        return False
    return True


def preferred_channels(recipient_keys) -> dict[str, str]:
    """The preferred channel of each of these recipients that has one (one query)."""
    return dict(
        RecipientPreference.objects.filter(recipient_key__in=list(recipient_keys)).values_list(
            "recipient_key", "channel"
        )
    )


def channel_for(preferred: str | None, *, has_email: bool = False) -> str:
    """The channel a recipient gets: theirs when it is enabled (email only with an
    address), else NOTIFY_DEFAULT_CHANNEL."""
    if preferred in settings.NOTIFY_BACKENDS and (preferred != Channel.EMAIL or has_email):
        return preferred
    return settings.NOTIFY_DEFAULT_CHANNEL
