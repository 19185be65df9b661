"""Resending a message with the broker (Redis) really down (issue 13: it answered 500).
The page and the API answer, say in words that the message waits, keep it pending, and
beat's next dispatch sends it once the broker is back: exactly once."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from notifications import sending
from notifications.choices import MessageState
from notifications.models import Message
from notifications.tasks import dispatch
from tests.broker import broker_down
from thalassemia.tasks import scan_reminders

from .conftest import needs_redis, wait_for
from .test_outbox_pages import API, message
from .test_worker import child_due_in

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]

WAITING = "the sending service cannot be reached just now"


def failed_reminder(units):
    """A real reminder (a child due in 3 days, the guardian consented) that failed."""
    child_due_in(3, units.station_a)
    scan_reminders()
    row = Message.objects.get(topic="transfusion_due")
    Message.objects.filter(pk=row.pk).update(state=MessageState.FAILED, last_error="HTTP 500")
    row.refresh_from_db()
    return row


def sent_by_dispatch(row, gateway, request):
    """Start a real worker now the broker is back, tick beat's dispatch until the message
    is sent, and return how many times the gateway delivered it."""
    request.getfixturevalue("worker")

    def sent():
        dispatch.delay()
        row.refresh_from_db()
        return row.state == MessageState.SENT

    wait_for(sent, seconds=60, what="the message to be sent")
    return [body["reference"] for body in gateway.delivered].count(str(row.pk))


def test_the_page_resends_with_the_broker_down_and_dispatch_sends_it_once_it_is_back(
    client_for, staff_a, units, gateway, request
):
    failed = failed_reminder(units)
    url = reverse("notifications:resend", args=[failed.pk])
    with broker_down():  # autocommit: the hand-over to the worker runs inside the request
        response = client_for(staff_a).post(url, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert WAITING in page and "no need to resend it again" in page
    assert "The message will be sent again." not in page
    failed.refresh_from_db()
    assert failed.state == MessageState.PENDING and failed.pk in sending.due_message_ids()
    assert (
        AuditEvent.objects.filter(object_id=str(failed.pk), details__note="message resend").count()
        == 1
    )
    assert sent_by_dispatch(failed, gateway, request) == 1


def test_the_api_resends_with_the_broker_down_and_says_so_in_its_answer(
    api_client_for, coordinator, units, gateway, request
):
    failed = failed_reminder(units)
    client = api_client_for(coordinator)
    with broker_down():
        answer = client.post(f"{API}{failed.pk}/resend/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == failed.pk and body["state"] == "pending"  # the contract holds
    assert body["queued"] is False and WAITING in body["detail"]
    assert sent_by_dispatch(failed, gateway, request) == 1


def test_the_api_says_queued_when_the_broker_takes_the_send(api_client_for, coordinator, units):
    failed = message(units.station_a, state=MessageState.FAILED)
    answer = api_client_for(coordinator).post(f"{API}{failed.pk}/resend/")
    assert answer.status_code == 200
    assert answer.json()["queued"] is True
    assert answer.json()["detail"] == "The message will be sent again."
    from donation_portal.celery import app

    app.control.purge()  # no worker here: leave no task for the next test's


def test_a_click_gives_up_on_a_dead_broker_in_seconds_not_minutes():
    """redis-py waits for ever on a host that drops packets, and Celery retried 3 times:
    a page that queues a task must learn the broker is down quickly (no stopwatch here:
    bench figures live in bench/README.md)."""
    from donation_portal.celery import app

    assert app.conf.task_publish_retry_policy["max_retries"] <= 1
    assert app.conf.broker_transport_options["socket_connect_timeout"] <= 5
    assert app.conf.broker_connection_timeout <= 5
    assert Message.objects.count() == 0
