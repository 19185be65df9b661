"""Celery is wired for real: a worker started here, on the configured broker (Redis in CI,
the filesystem transport on the embedded default), runs a task sent the ordinary way."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions
from donation_portal.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


def test_settings_reach_the_celery_app():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.timezone == "Asia/Kolkata"
    assert app.conf.broker_url == settings.CELERY_BROKER_URL


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_session_sweep():
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="x", expire_date=now - timedelta(1))
    Session.objects.create(session_key="current", session_data="x", expire_date=now + timedelta(1))
    app.control.purge()  # nothing left over from an earlier run may run in this worker
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        clear_expired_sessions.delay()
        deadline = time.monotonic() + 30
        while Session.objects.filter(session_key="expired").exists():
            assert time.monotonic() < deadline, "the worker did not run the task in 30 s"
            time.sleep(0.2)
    assert Session.objects.filter(session_key="current").exists()
