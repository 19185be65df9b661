"""The outbox's part of an erasure (accounts.erasure.person_erased): the person's messages,
and any other message that names them (a coordinator's note of a released booking), keep
their row, state and dates, so counts stay right, but lose address, name and text. A
message still waiting is cancelled: there is nobody left to send it to.

The answers that came in (SMS replies, missed calls) go the same way when they were the
person's: from a number only they used, or applied by the portal to their own request (a
yes, a no). A family's shared number is the others' too (``ErasedPerson.shared_phones``):
their messages, and the answers the number sent for the family or for another person on it
(STOP, an unclear text, a yes to a sibling's request), stay for them without the person's
name. Erasing the last person on the number blanks the rest."""

from django.db.models import Q
from django.utils import timezone

from accounts.erasure import ERASED_MARK, ErasedPerson, text_candidates, with_digits

from .choices import InboundOutcome, MessageState
from .models import InboundMessage, Message

TEXT_COLUMNS = ("recipient_name", "body", "phone", "email", "recipient_key", "last_error")
INBOUND_COLUMNS = ("text", "recipient_name")
WAITING = (MessageState.PENDING, MessageState.SENDING)
# An answer the portal applied to one request: the name it lists is the request's donor.
ANSWERED = (InboundOutcome.CONFIRMED, InboundOutcome.DECLINED)


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
    text); the traces only in a message about them to someone else (on a number the family
    still shares, without a label pointing at the erased record)."""
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
    mark = ERASED_MARK if person.is_shared(message.phone) else None
    return {
        name: person.scrub(getattr(message, name), mark)
        for name in ("recipient_name", "body", "last_error")
        if person.has_trace(getattr(message, name))
    }


def inbound_erase(sender=None, *, person: ErasedPerson, **kwargs) -> int:
    """Blank the answers that were ``person``'s, and their name in the others; answers how
    many rows changed. The rows stay, with kind, intent and outcome, as counts."""
    from_numbers = Q(pk__in=[])
    for tail in person.number_digits:
        # Providers write a number their own way (+91…, 91…, 0…, "098765 43210").
        from_numbers |= Q(phone_digits__endswith=tail)
    rows = with_digits(InboundMessage.objects.all(), "phone", *INBOUND_COLUMNS).filter(
        from_numbers | text_candidates(person, *INBOUND_COLUMNS)
    )
    changed = 0
    for row in rows.iterator():
        update = _inbound_blanked(row, person)
        if update:
            InboundMessage.objects.filter(pk=row.pk).update(**update)
            changed += 1
    return changed


def _inbound_blanked(row: InboundMessage, person: ErasedPerson) -> dict:
    """All of an answer that was the person's alone: from a number nobody else uses now, or
    a yes / no the portal took as the person's answer to their own request. Otherwise (STOP,
    an unclear text, a ring-back: the number's, whoever on it sent them) only their name
    goes, from the list of names and from the text."""
    names = [n.strip() for n in row.recipient_name.split(",") if n.strip()]
    left = [n for n in names if not person.is_name(n)]
    shared = person.is_shared(row.phone)
    their_answer = row.outcome in ANSWERED and names and not left
    if person.has_trace(row.phone) or (shared and their_answer):
        return {"phone": "", "text": "", "recipient_name": ""}
    update = {}
    if len(left) < len(names):
        update["recipient_name"] = ", ".join(left)
    text = person.scrub(row.text, ERASED_MARK if shared else None)
    if text != row.text:
        update["text"] = text[:320]
    return update
