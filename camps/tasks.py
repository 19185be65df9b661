"""Beat task of the camps app: tell pledged donors of a coming camp near them."""

from celery import shared_task

from . import reminders


@shared_task
def scan_reminders() -> int:
    return reminders.scan()
