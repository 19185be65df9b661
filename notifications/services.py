"""Writes of the outbox: enqueue (idempotent), cancel, resend, recipients' channels. The
worker's side (claim, send, retry, release) is ``sending.py``.

Every state change is a conditional UPDATE on the row (``… WHERE state = old``): a second
worker, a duplicate beat tick or a task delivered twice finds nothing to do."""

import logging
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts import audit
from accounts.choices import AuditAction

from .choices import Channel, MessageState
from .models import Message, RecipientPreference
from .rendering import render
from .sending import address_of
from .tasks import send_message

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
            "body": render(template, language, context, max_parts=max_parts_for(channel)),
            "unit": unit,
            "valid_until": valid_until,
            "next_attempt_at": send_after or timezone.now(),
        },
    )
    return message, created


def max_parts_for(channel: str) -> int | None:
    """An SMS is cut to NOTIFY_SMS_MAX_PARTS parts (a basic phone shows a long one badly,
    and each part is paid for); other channels have no such limit."""
    return settings.NOTIFY_SMS_MAX_PARTS if channel == Channel.SMS else None


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
                body=render(
                    row["template"],
                    language,
                    row["context"],
                    max_parts=max_parts_for(row["channel"]),
                ),
                unit=row.get("unit"),
                valid_until=row.get("valid_until"),
                next_attempt_at=row.get("send_after") or now,
            )
        )
    Message.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# What ``message_resend`` did: refused (not failed or cancelled), handed to a worker, or
# back in line with the broker unreachable (the next ``dispatch`` after it is back sends it).
RESEND_REFUSED, RESEND_QUEUED, RESEND_WAITING = "", "queued", "waiting"


def message_resend(*, message: Message, actor=None, request=None) -> str:
    """Staff ask for a failed (or cancelled) message to go again: back to pending, now.

    Returns RESEND_REFUSED (falsy) when the message is neither failed nor cancelled,
    RESEND_WAITING when the broker could not be reached (the row is pending all the same:
    nothing is lost, beat's dispatch sends it), RESEND_QUEUED otherwise (also when called
    inside an outer transaction: the hand-over then runs at its commit, unseen here)."""
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
            channel=message.channel, refused_for_good=True, **address_of(message)
        ).update(refused_for_good=False, updated_at=now)
        audit.record(
            action=AuditAction.UPDATE,
            request=request,
            actor=actor,
            obj=message,
            unit=message.unit,
            note="message resend",
        )
        handed = []
        transaction.on_commit(lambda: handed.append(hand_to_worker(message.pk)))
        return RESEND_WAITING if handed == [False] else RESEND_QUEUED
    return RESEND_REFUSED


def resend_note(done: str) -> str:
    """What the page and the API tell staff after ``message_resend``."""
    if done == RESEND_WAITING:
        return _(
            "The message is back in line, but the sending service cannot be reached just now. "
            "It will go out by itself once the service is back: no need to resend it again."
        )
    if done:
        return _("The message will be sent again.")
    return _("Only a failed or cancelled message can be sent again.")


def hand_to_worker(message_id: int) -> bool:
    """Queue the send now. With the broker unreachable the row simply stays pending: the
    next ``dispatch`` after the broker is back sends it, so staff get their answer, not an
    error page."""
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
