"""Writes of inbound answers: an SMS reply or a missed call a provider posted, recorded once
and handed to the domain rooms (``registry.register_inbound_handler``), audited.

The provider's message id is unique per provider in the database: a provider that retries
its post (it did not hear our 200) finds the row there, and nothing happens twice."""

from dataclasses import dataclass

from django.db import transaction

from accounts import audit
from accounts.choices import AuditAction

from .choices import InboundKind, InboundOutcome, Intent
from .models import InboundMessage
from .registry import InboundResult, inbound_result
from .replies import parse_reply


@dataclass(frozen=True)
class InboundEvent:
    """One answer as a provider's webhook gave it (``providers``), not yet recorded."""

    provider: str
    message_id: str
    kind: str
    phone: str
    text: str = ""


def intent_of(event: InboundEvent) -> str:
    """A missed call means yes; an SMS means what its text says."""
    return Intent.CONFIRM if event.kind == InboundKind.MISSED_CALL else parse_reply(event.text)


def _fallback(row: InboundMessage) -> InboundResult:
    """No room took the answer: an unclear text, or nothing it could be about."""
    if row.intent == Intent.UNCLEAR:
        return InboundResult(outcome=InboundOutcome.UNCLEAR)
    return InboundResult(outcome=InboundOutcome.NO_REQUEST)


@transaction.atomic
def inbound_receive(*, event: InboundEvent, request=None) -> tuple[InboundMessage, bool]:
    """Record ``event`` once and let the domain act on it; (row, True) when it was new,
    (the row recorded before, False) for a provider's retry."""
    row, created = InboundMessage.objects.get_or_create(
        provider=event.provider,
        provider_message_id=event.message_id[:120],
        defaults={
            "kind": event.kind,
            "phone": event.phone[:20],
            "text": event.text[:320],
            "intent": intent_of(event),
        },
    )
    if not created:
        return row, False
    result = inbound_result(row) or _fallback(row)
    row.outcome = result.outcome
    row.subject_key = result.subject_key[:80]
    row.unit = result.unit
    row.recipient_name = (result.name or "")[:120]
    row.save(update_fields=["outcome", "subject_key", "unit", "recipient_name"])
    audit.record(
        action=AuditAction.CREATE,
        request=request,
        obj=row,
        unit=row.unit,
        note=f"{row.get_kind_display()} received",
        outcome=row.outcome,
        subject=row.subject_key,
    )
    return row, True
