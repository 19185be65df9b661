"""Celery tasks of the outbox: thin, take ids, safe to run twice (the claim decides)."""

from celery import shared_task

from . import sending


@shared_task
def dispatch() -> int:
    """Every minute by default (beat; NOTIFY_DISPATCH_SECONDS): hand each due pending message
    to a send task. A row stays pending until a worker claims it, so a lost task costs one
    dispatch interval, not a message."""
    ids = sending.due_message_ids()
    for message_id in ids:
        send_message.delay(message_id)
    return len(ids)


@shared_task
def send_message(message_id: int) -> str:
    return sending.message_send(message_id)


@shared_task
def sweep() -> int:
    """Release rows stuck in "sending" (a worker killed mid-send) back to pending."""
    return sending.messages_release_stuck()
