"""A real worker process, killed with SIGKILL while the gateway holds its request: the row
stays "sending"; the sweeper releases it and a live worker delivers it exactly once, with
the same idempotency reference."""

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications.choices import MessageState
from notifications.models import Message
from notifications.tasks import dispatch, send_message, sweep
from thalassemia.reminders import scan

from .conftest import needs_redis, wait_for
from .test_worker import _drained, child_due_in

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]


def start_worker_process(gateway):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "NOTIFY_SMS_BACKEND": "notifications.backends.sms.Backend",
        "NOTIFY_SMS_URL": gateway.url,
        "NOTIFY_HTTP_TIMEOUT": "60",
        "NOTIFY_QUIET_CHANNELS": "",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "donation_portal",
        "worker",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
        "-n",
        f"doomed-{os.getpid()}@%h",
    ]
    return subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_worker_killed_with_sigkill_mid_send_delivers_once_after_the_sweep(
    units, gateway, settings, request
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process reaches the test database on PostgreSQL only")
    from celery.contrib.testing.worker import start_worker

    from donation_portal.celery import app

    gateway.script = ["hang", 200]
    child_due_in(3, units.station_a)
    scan()
    message = Message.objects.get()
    app.control.purge()
    doomed = start_worker_process(gateway)
    request.addfinalizer(lambda: doomed.poll() is None and os.killpg(doomed.pid, signal.SIGKILL))
    send_message.delay(message.pk)
    wait_for(lambda: len(gateway.requests) == 1, seconds=90, what="the doomed worker's send")
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=30)
    message.refresh_from_db()
    assert message.state == MessageState.SENDING and message.attempts == 1
    assert gateway.delivered == []

    settings.NOTIFY_STUCK_MINUTES = 10
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        dispatch.delay()  # "sending" is not due: nothing goes before the sweeper
        sweep.delay()  # ten minutes too early: the row is left alone
        wait_for(_drained, what="the queue to drain")
        assert Message.objects.get().state == MessageState.SENDING
        # Ten minutes later (the claim is backdated rather than the clock moved).
        Message.objects.filter(pk=message.pk).update(
            claimed_at=timezone.now() - timedelta(minutes=11)
        )
        sweep.delay()

        def sent():
            dispatch.delay()
            return Message.objects.get().state == MessageState.SENT

        wait_for(sent, seconds=60, what="the delivery after the sweep")
    assert len(gateway.delivered) == 1
    assert len(gateway.requests) == 2
    keys = {r["headers"]["Idempotency-Key"] for r in gateway.requests}
    assert keys == {f"bloodbond-{message.pk}"}
    assert Message.objects.get().attempts == 2


def test_a_worker_killed_after_the_gateway_took_the_sms_sends_it_once_by_its_reference(
    units, gateway, settings, request
):
    """The window the first test can't see: the gateway accepted the SMS, and the worker died
    before the answer came back. The row is still "sending"; after the sweep the message is
    posted again with the same reference, which a gateway honouring it (as ours does, and
    as README's delivery guarantee requires of a production gateway) does not deliver twice.
    """
    if connection.vendor != "postgresql":
        pytest.skip("the worker process reaches the test database on PostgreSQL only")
    from celery.contrib.testing.worker import start_worker

    from donation_portal.celery import app

    gateway.script = ["accept-then-hang", 200]
    child_due_in(3, units.station_a)
    scan()
    message = Message.objects.get()
    app.control.purge()
    doomed = start_worker_process(gateway)
    request.addfinalizer(lambda: doomed.poll() is None and os.killpg(doomed.pid, signal.SIGKILL))
    send_message.delay(message.pk)
    wait_for(lambda: len(gateway.requests) == 1, seconds=90, what="the doomed worker's send")
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=30)
    assert len(gateway.delivered) == 1  # the phone has it; we don't know
    assert Message.objects.get().state == MessageState.SENDING

    Message.objects.filter(pk=message.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        sweep.delay()

        def sent():
            dispatch.delay()
            return Message.objects.get().state == MessageState.SENT

        wait_for(sent, seconds=60, what="the second post after the sweep")
    assert len(gateway.requests) == 2
    references = {r["json"]["reference"] for r in gateway.requests}
    keys = {r["headers"]["Idempotency-Key"] for r in gateway.requests}
    assert references == {str(message.pk)} and keys == {f"bloodbond-{message.pk}"}
    assert len(gateway.delivered) == 1  # one SMS on the phone
