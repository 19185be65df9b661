"""The outbox page and the messages API: scoped, filtered, bounded, and a failed message
can be sent again."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from notifications import sending, services
from notifications.choices import MessageState
from notifications.models import Message
from tests.helpers import assert_queries_bounded

pytestmark = pytest.mark.django_db
_n = iter(range(1, 1_000_000))


def message(unit, *, state=MessageState.PENDING, name="Meena", channel="sms"):
    i = next(_n)
    row, _ = services.message_enqueue(
        topic="transfusion_due",
        subject_key=f"transfusion:{i}",
        recipient_key=f"guardian:{i}",
        recipient_name=name,
        phone="+919000000101",
        channel=channel,
        template="guardian_transfusion_due",
        due_on=dt.date(2026, 12, 1),
        unit=unit,
        context={"child": {"name": "Riya"}, "on": dt.date(2026, 12, 1)},
    )
    Message.objects.filter(pk=row.pk).update(
        state=state, last_error="HTTP 400: bad number" if state == MessageState.FAILED else ""
    )
    row.refresh_from_db()
    return row


URL = reverse("notifications:outbox")
API = "/api/v1/messages/"


def test_the_outbox_page_needs_a_sign_in(anon):
    response = anon.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_staff_see_their_units_messages_only(client_for, staff_a, units):
    mine = message(units.station_a, name="Mine")
    message(units.station_b, name="Theirs")
    response = client_for(staff_a).get(URL)
    assert response.status_code == 200
    assert b"Mine" in response.content and b"Theirs" not in response.content
    assert AuditEvent.objects.filter(details__what="messages").exists()
    assert mine.phone.encode() in response.content


def test_the_outbox_filters_by_state_channel_and_date(client_for, coordinator, units):
    message(units.station_a, name="Waiting")
    message(units.station_a, name="Broken", state=MessageState.FAILED)
    message(units.station_a, name="Mailed", channel="email")
    client = client_for(coordinator)
    failed = client.get(URL, {"state": "failed"}).content
    assert b"Broken" in failed and b"Waiting" not in failed
    email = client.get(URL, {"channel": "email"}).content
    assert b"Mailed" in email and b"Broken" not in email
    assert b"Waiting" not in client.get(URL, {"created_to": "2020-01-01"}).content


@pytest.mark.parametrize(
    "query", [{"created_from": "notadate"}, {"state": "nonsense"}, {"page": "x"}, {"page": "999"}]
)
def test_bad_filters_never_answer_500(client_for, coordinator, query):
    assert client_for(coordinator).get(URL, query).status_code in (200, 400, 404)


def test_the_outbox_runs_a_bounded_number_of_queries(client_for, coordinator, units):
    client = client_for(coordinator)
    message(units.station_a)

    def grow():
        for _ in range(15):
            message(units.station_b, state=MessageState.FAILED)

    assert_queries_bounded(lambda: client.get(URL), grow, maximum=14)


def resends(row):
    return AuditEvent.objects.filter(
        content_type__model="message", object_id=str(row.pk), details__note="message resend"
    )


def test_a_failed_message_is_sent_again(client_for, staff_a, units):
    failed = message(units.station_a, state=MessageState.FAILED)
    response = client_for(staff_a).post(reverse("notifications:resend", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == MessageState.PENDING and failed.attempts == 0
    assert failed.pk in sending.due_message_ids()
    assert resends(failed).get().actor == staff_a  # audited once, by message_resend


def test_resending_outside_scope_is_404_and_changes_nothing(client_for, staff_b, anon, units):
    failed = message(units.station_a, state=MessageState.FAILED)
    url = reverse("notifications:resend", args=[failed.pk])
    assert client_for(staff_b).post(url).status_code == 404
    assert anon.post(url).status_code == 302
    failed.refresh_from_db()
    assert failed.state == MessageState.FAILED


def test_the_messages_api_is_scoped_paginated_and_bounded(api_client_for, staff_a, units):
    message(units.station_a, name="Mine")
    message(units.station_b, name="Theirs")
    client = api_client_for(staff_a)
    response = client.get(API)
    assert response.status_code == 200
    names = [row["recipient_name"] for row in response.json()["results"]]
    assert names == ["Mine"]
    row = response.json()["results"][0]
    assert row["state"] == "pending" and row["address"] == "+919000000101"

    def grow():
        for _ in range(15):
            message(units.station_a)

    assert_queries_bounded(lambda: client.get(API), grow, maximum=6)


def test_the_messages_api_triad(api_client_for, staff_a, staff_b, units):
    from rest_framework.test import APIClient

    row = message(units.station_a)
    assert APIClient().get(f"{API}{row.pk}/").status_code in (401, 403)
    assert api_client_for(staff_b).get(f"{API}{row.pk}/").status_code == 404
    assert api_client_for(staff_a).get(f"{API}{row.pk}/").status_code == 200
    assert api_client_for(staff_a).get(API, {"created_from": "notadate"}).status_code == 400


def test_the_api_resends_a_failed_message_and_refuses_others(api_client_for, coordinator, units):
    client = api_client_for(coordinator)
    failed = message(units.station_a, state=MessageState.FAILED)
    pending = message(units.station_a)
    answer = client.post(f"{API}{failed.pk}/resend/")
    assert answer.status_code == 200 and answer.json()["state"] == "pending"
    refused = client.post(f"{API}{pending.pk}/resend/")
    assert refused.status_code == 400 and "state" in refused.json()
    assert resends(failed).get().actor == coordinator  # the same service as the page
    assert not resends(pending).exists()
    assert client.put(f"{API}{pending.pk}/", {}).status_code == 405


def test_the_dashboard_counts_failures_in_scope(staff_a, coordinator, units):
    from notifications.selectors import failed_messages_count, outbox_summary

    message(units.station_a, state=MessageState.FAILED)
    message(units.station_b, state=MessageState.FAILED)
    assert failed_messages_count(staff_a) == 1
    assert failed_messages_count(coordinator) == 2
    assert outbox_summary(coordinator)["failed"] == 2
    assert outbox_summary(coordinator)["sent"] == 0
