"""Beat task of the donors app: the "you can donate again" scan."""

from celery import shared_task

from . import reminders


@shared_task
def scan_reminders() -> int:
    return reminders.scan()
