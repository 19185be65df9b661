"""Reads of the outbox: scoped lists, counts for the dashboard and the call desk."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.masking import mask_phone, phone_shown_for_unit
from accounts.scoping import for_user

from .choices import NEEDS_A_PERSON, Channel, MessageState
from .models import InboundMessage, Message


def messages_for(user) -> QuerySet:
    """The messages ``user`` may see: those of its units' subjects (admins: all)."""
    return for_user(Message.objects.select_related("unit"), user)


def listed_address(user, message: Message) -> str:
    """A message's address as the outbox lists it to ``user``: an e-mail as it is; a phone
    (a donor's, a guardian's, a colleague's) by the donor lists' rule, whole for admins,
    force admins, coordinators and staff of the message's own unit, masked (``98••••3210``)
    for staff of the units above it; an erased address stays blank. No query."""
    address = message.address
    if not address or message.channel == Channel.EMAIL:
        return address
    return address if phone_shown_for_unit(user, message.unit_id) else mask_phone(address)


def failed_messages_count(user) -> int:
    """Failures in scope, for the dashboard's "needs attention" figure."""
    return messages_for(user).filter(state=MessageState.FAILED).count()


def outbox_summary(user) -> dict[str, int]:
    """How many messages in scope are in each state (every state present, 0 when none)."""
    counts = dict(
        messages_for(user)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return {state.value: counts.get(state.value, 0) for state in MessageState}


def inbound_needing_a_person(user, *, days: int | None = None) -> QuerySet:
    """SMS replies and missed calls of the last ``days`` days (CALLDESK_INBOUND_DAYS) that
    no rule could act on (an unclear text, several open requests, no request, an unknown
    number), newest first, in ``user``'s scope: the call desk rings them back. Bounded."""
    days = settings.CALLDESK_INBOUND_DAYS if days is None else days
    since = timezone.now() - timedelta(days=days)
    rows = for_user(InboundMessage.objects.select_related("unit"), user)
    return rows.filter(outcome__in=NEEDS_A_PERSON, received_at__gte=since).order_by(
        "-received_at", "-id"
    )[: settings.PAGE_SIZE]
