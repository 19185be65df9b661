"""Staff send a failed or cancelled message again, and it goes to a worker at once.

Apart from ``services.py`` because it enqueues a send task, and the tasks call the
services: kept together they would import each other."""

import logging

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts import audit
from accounts.choices import AuditAction

from .choices import MessageState
from .models import Message
from .services import recipient_address
from .tasks import send_message

log = logging.getLogger(__name__)


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
            channel=message.channel, refused_for_good=True, **recipient_address(message)
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
    try:
        send_message.delay(message_id)
    except (KombuOperationalError, OSError) as exc:
        log.warning("broker unreachable; message %s waits for dispatch: %s", message_id, exc)
        return False
    return True
