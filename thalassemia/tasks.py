"""Beat task of the thalassaemia app: the reminders scan (thin: the rules are in reminders)."""

from celery import shared_task

from . import reminders


@shared_task
def scan_reminders() -> int:
    return reminders.scan()
