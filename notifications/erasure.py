"""The outbox's part of an erasure (accounts.erasure.person_erased): the person's messages,
and any other message that names them (a coordinator's note of a released booking), keep
their row, state and dates, so counts stay right, but lose address, name and text. A
message still waiting is cancelled: there is nobody left to send it to."""

from django.db.models import Q
from django.utils import timezone

from accounts.erasure import ErasedPerson, text_candidates, with_digits

from .choices import MessageState
from .models import Message

TEXT_COLUMNS = ("recipient_name", "body", "phone", "email", "recipient_key", "last_error")
WAITING = (MessageState.PENDING, MessageState.SENDING)


def messages_erase(sender=None, *, person: ErasedPerson, **kwargs) -> int:
    """Blank every message to or about ``person``; answers how many rows changed."""
    own = Q(recipient_key=person.key)
    for prefix in person.key_prefixes:
        own |= Q(recipient_key__startswith=prefix)
    rows = with_digits(Message.objects.all(), *TEXT_COLUMNS).filter(
        own | text_candidates(person, *TEXT_COLUMNS)
    )
    changed = 0
    for message in rows.iterator():
        theirs = message.recipient_key == person.key or any(
            message.recipient_key.startswith(p) for p in person.key_prefixes
        )
        update = _blanked(message, person, theirs=theirs)
        if update:
            Message.objects.filter(pk=message.pk).update(**update, updated_at=timezone.now())
            changed += 1
    return changed


def _blanked(message: Message, person: ErasedPerson, *, theirs: bool) -> dict:
    """The fields of ``message`` to rewrite: all of a message to the person (address, name,
    text); the traces only in a message about them to someone else."""
    to_them = theirs or any(
        person.has_trace(getattr(message, f)) for f in ("phone", "email", "recipient_key")
    )
    if to_them:
        update = {
            "recipient_name": person.replacement[:120],
            "phone": "",
            "email": "",
            "body": "",
            "last_error": person.scrub(message.last_error)[:300],
        }
        if person.has_trace(message.recipient_key):
            # A code sent to a number ("phone:+91…"): the key itself held it. Unique by id.
            update["recipient_key"] = f"erased:{message.pk}"
        if message.state in WAITING:
            update["state"] = MessageState.CANCELLED
        return update
    update = {
        name: person.scrub(getattr(message, name))
        for name in ("recipient_name", "body", "last_error")
        if person.has_trace(getattr(message, name))
    }
    return update
