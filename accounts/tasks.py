from celery import shared_task
from django.core.management import call_command


@shared_task(name="accounts.tasks.clear_expired_sessions")
def clear_expired_sessions():
    """Delete expired sessions (Django leaves them in the table for ever otherwise)."""
    call_command("clearsessions")
