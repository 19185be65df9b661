"""Reads of the outbox: scoped lists, counts for the dashboard and the call desk."""

from django.db.models import Count, QuerySet

from accounts.scoping import for_user

from .choices import MessageState
from .models import Message


def messages_for(user) -> QuerySet:
    """The messages ``user`` may see: those of its units' subjects (admins: all)."""
    return for_user(Message.objects.select_related("unit"), user)


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
