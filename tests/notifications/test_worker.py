"""Against the real broker (Redis) and a real Celery worker started here (not eager): the
scan, dispatch, send and sweep tasks as beat would run them."""

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.choices import MessageState
from notifications.models import Message
from notifications.tasks import dispatch, sweep
from tests.factories import make_patient
from thalassemia.tasks import scan_reminders

from .conftest import needs_redis, wait_for

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]


def child_due_in(days, unit):
    today = timezone.localdate()
    return make_patient(
        unit,
        name="Riya",
        interval=21,
        last_transfused_on=today - timedelta(days=21 - days),
        guardians=[{"name": "Meena", "phone": "+919000000101", "relation": "mother"}],
    )


def test_the_scan_run_twice_by_the_worker_creates_each_message_once(units, worker):
    child_due_in(3, units.station_a)
    scan_reminders.delay()
    wait_for(lambda: Message.objects.exists(), what="the first scan")
    scan_reminders.delay()
    scan_reminders.delay()
    # The worker is solo: once a marker task queued after both scans has run, they have too.
    wait_for(lambda: _drained(), what="the queue to drain")
    assert Message.objects.filter(topic="transfusion_due").count() == 1


def _drained():
    from donation_portal.celery import app

    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen("celery") == 0


def test_a_failing_gateway_is_retried_by_dispatch_and_sends_exactly_once(
    units, gateway, settings, worker
):
    settings.NOTIFY_RETRY_BASE_SECONDS = 1
    gateway.script = [500, "timeout", 200]
    child_due_in(3, units.station_a)
    scan_reminders.delay()
    wait_for(lambda: Message.objects.exists(), what="the scan")
    message = Message.objects.get()

    def sent():
        dispatch.delay()  # what beat does every minute
        message.refresh_from_db()
        return message.state == MessageState.SENT

    wait_for(sent, seconds=90, what="the message to be sent")
    assert message.attempts == 3
    assert len(gateway.requests) == 3
    assert {r["json"]["reference"] for r in gateway.requests} == {str(message.pk)}
    # More beat ticks change nothing: exactly one delivery.
    dispatch.delay()
    dispatch.delay()
    wait_for(_drained, what="the queue to drain")
    assert len(gateway.requests) == 3
    assert Message.objects.get().state == MessageState.SENT


def test_a_worker_killed_mid_send_leads_after_the_sweeper_to_one_delivery(
    units, gateway, settings, worker
):
    settings.NOTIFY_STUCK_MINUTES = 10
    child_due_in(3, units.station_a)
    from thalassemia.reminders import scan

    scan()
    message = Message.objects.get()
    # What a worker killed between its claim and the gateway's answer leaves behind.
    Message.objects.filter(pk=message.pk).update(
        state=MessageState.SENDING,
        attempts=1,
        claimed_at=timezone.now() - timedelta(minutes=15),
    )
    dispatch.delay()  # a row in "sending" is not due: nothing goes
    wait_for(_drained, what="the queue to drain")
    assert gateway.requests == []
    sweep.delay()
    wait_for(lambda: Message.objects.get().state != MessageState.SENDING, what="the sweep")

    def sent():
        dispatch.delay()
        return Message.objects.get().state == MessageState.SENT

    wait_for(sent, what="the message to be sent")
    wait_for(_drained, what="the queue to drain")
    assert len(gateway.requests) == 1
    assert Message.objects.get().attempts == 2


def test_dispatch_sends_a_guardian_reminder_to_the_file_backend(units, settings, tmp_path, worker):
    settings.NOTIFY_FILE_DIR = tmp_path
    settings.NOTIFY_QUIET_CHANNELS = []
    child_due_in(3, units.station_a)
    scan_reminders.delay()
    wait_for(lambda: Message.objects.exists(), what="the scan")
    dispatch.delay()
    wait_for(lambda: Message.objects.get().state == MessageState.SENT, what="the send")
    text = "".join(p.read_text() for p in tmp_path.iterdir())
    due = timezone.localdate() + dt.timedelta(days=3)
    assert "Meena" in text and due.strftime("%d-%m-%Y") in text  # Hindi by default
