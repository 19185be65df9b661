"""The outbox itself: a message is a row first, created once per natural key, claimed by
one sender, retried with backoff on temporary errors, failed for good on permanent ones,
held by quiet hours, never sent stale or to someone who said stop."""

import datetime as dt
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from notifications import sending, services
from notifications.choices import MessageState
from notifications.models import Message
from notifications.schedule import quiet_until, retry_delay
from tests.factories import DonorFactory

IST = ZoneInfo("Asia/Kolkata")
pytestmark = pytest.mark.django_db


def enqueue(**overrides):
    fields = {
        "topic": "test",
        "subject_key": "thing:1",
        "recipient_key": "person:1",
        "recipient_name": "Meena",
        "phone": "+919000000101",
        "channel": "sms",
        "template": "guardian_transfusion_due",
        "due_on": dt.date(2026, 11, 26),
        "context": {"child": {"name": "Riya"}, "on": dt.date(2026, 11, 26)},
    }
    fields.update(overrides)
    return services.message_enqueue(**fields)


def test_the_same_message_is_created_once_however_often_it_is_enqueued():
    first, created = enqueue()
    again, created_again = enqueue(recipient_name="Meena S.")
    assert created and not created_again
    assert again.pk == first.pk
    assert Message.objects.count() == 1
    # Another channel or another due date is another message.
    enqueue(channel="whatsapp")
    enqueue(due_on=dt.date(2026, 12, 17))
    assert Message.objects.count() == 3


def test_text_is_rendered_in_the_recipients_language_and_english_sms_stays_gsm():
    english, _ = enqueue(
        context={"child": {"name": "Riya\u00a0Sharma"}, "on": dt.date(2026, 11, 26)}
    )
    hindi, _ = enqueue(language="hi", recipient_key="person:2")
    assert "Riya Sharma's transfusion is due on 26 Nov 2026" in english.body
    assert "\u00a0" not in english.body
    assert "ट्रांसफ्यूज़न" in hindi.body
    assert "&#x27;" not in english.body  # plain text, not HTML-escaped


def test_a_sent_message_is_recorded_with_the_file_backend_output(settings, tmp_path):
    settings.NOTIFY_FILE_DIR = tmp_path
    settings.NOTIFY_QUIET_CHANNELS = []
    message, _ = enqueue()
    assert sending.message_send(message.pk) == "sent"
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.attempts == 1 and message.sent_at is not None
    assert message.provider_ref == f"file-{message.pk}"
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "Riya's transfusion is due on 26 Nov 2026" in written
    # A second run (a duplicate task) finds nothing to send.
    assert sending.message_send(message.pk) == "skipped"
    assert written.count(f"#{message.pk} ") == 1


def test_two_senders_of_one_row_send_it_once(settings, gateway):
    message, _ = enqueue()
    outcomes = [sending.message_send(message.pk), sending.message_send(message.pk)]
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(gateway.requests) == 1


def test_the_gateway_gets_the_dlt_ids_and_the_row_id_as_idempotency_reference(gateway):
    message, _ = enqueue()
    sending.message_send(message.pk)
    request = gateway.requests[0]
    assert request["json"]["reference"] == str(message.pk)
    assert request["json"]["dlt_entity_id"] == "1101000000000000001"
    assert request["json"]["dlt_template_id"] == "1107000000000000042"
    assert request["json"]["unicode"] is False
    assert request["headers"]["Idempotency-Key"] == f"bloodbond-{message.pk}"
    assert request["headers"]["Authorization"] == "Bearer test-key"
    message.refresh_from_db()
    assert message.provider_ref == f"gw-{message.pk}"


def test_a_temporary_error_retries_later_with_growing_delays(gateway, settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    settings.NOTIFY_MAX_ATTEMPTS = 3
    gateway.script = [503]
    message, _ = enqueue()
    start = timezone.now()
    assert sending.message_send(message.pk) == "retry"
    message.refresh_from_db()
    assert message.state == MessageState.PENDING
    assert "HTTP 503" in message.last_error
    assert message.next_attempt_at >= start + timedelta(seconds=60)
    # Not due yet: dispatch leaves it alone.
    assert message.pk not in sending.due_message_ids()
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        assert sending.message_send(message.pk) == "retry"
    message.refresh_from_db()
    second_wait = message.next_attempt_at - message.updated_at
    assert second_wait >= timedelta(seconds=119)
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        assert sending.message_send(message.pk) == "failed"
    message.refresh_from_db()
    assert message.state == MessageState.FAILED and message.attempts == 3
    assert len(gateway.requests) == 3


def test_backoff_never_waits_longer_than_the_broker_keeps_a_task(settings):
    assert retry_delay(1) == timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS)
    assert retry_delay(2) == 2 * retry_delay(1)
    longest = retry_delay(50)
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    assert longest < timedelta(seconds=visibility)


def test_a_permanent_error_fails_at_once_and_stays_visible(gateway):
    gateway.script = [400]
    message, _ = enqueue(phone="+910000")
    assert sending.message_send(message.pk) == "failed"
    message.refresh_from_db()
    assert message.state == MessageState.FAILED and message.attempts == 1
    assert "HTTP 400" in message.last_error
    assert len(gateway.requests) == 1


def test_an_unconfigured_gateway_is_a_visible_failure_not_a_crash(settings):
    settings.NOTIFY_BACKENDS = {
        **settings.NOTIFY_BACKENDS,
        "sms": "notifications.backends.sms.Backend",
    }
    settings.NOTIFY_SMS_URL = ""
    settings.NOTIFY_QUIET_CHANNELS = []
    message, _ = enqueue()
    assert sending.message_send(message.pk) == "failed"
    message.refresh_from_db()
    assert "not configured" in message.last_error


@pytest.mark.parametrize(
    ("local", "held_until"),
    [
        (dt.datetime(2026, 11, 23, 21, 30), dt.datetime(2026, 11, 24, 8, 0)),
        (dt.datetime(2026, 11, 24, 2, 0), dt.datetime(2026, 11, 24, 8, 0)),
        (dt.datetime(2026, 11, 24, 7, 59), dt.datetime(2026, 11, 24, 8, 0)),
        (dt.datetime(2026, 11, 24, 8, 0), None),
        (dt.datetime(2026, 11, 24, 20, 59), None),
    ],
)
def test_quiet_hours_hold_sms_until_8_in_the_morning_kolkata_time(local, held_until):
    now = local.replace(tzinfo=IST)
    expected = held_until.replace(tzinfo=IST) if held_until else None
    assert quiet_until("sms", now) == expected
    assert quiet_until("email", now) is None


def test_a_message_due_at_night_waits_for_morning_and_then_goes(settings, tmp_path):
    settings.NOTIFY_FILE_DIR = tmp_path
    with time_machine.travel(dt.datetime(2026, 11, 23, 22, 0, tzinfo=IST)):
        message, _ = enqueue()
        assert sending.message_send(message.pk) == "quiet"
        message.refresh_from_db()
        assert message.state == MessageState.PENDING
        assert message.next_attempt_at == dt.datetime(2026, 11, 24, 8, 0, tzinfo=IST)
        assert message.pk not in sending.due_message_ids()
        email, _ = enqueue(
            channel="email", email="c@example.org", template="donor_reminder_day", context={}
        )
        assert sending.message_send(email.pk) == "sent"  # email may go at night
    with time_machine.travel(dt.datetime(2026, 11, 24, 8, 1, tzinfo=IST)):
        assert sending.due_message_ids() == [message.pk]
        assert sending.message_send(message.pk) == "sent"


def test_a_stale_message_is_cancelled_not_sent(settings, tmp_path):
    settings.NOTIFY_FILE_DIR = tmp_path
    settings.NOTIFY_QUIET_CHANNELS = []
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, 0, tzinfo=IST)):
        message, _ = enqueue(valid_until=dt.date(2026, 11, 24))
        assert sending.message_send(message.pk) == "cancelled"
    message.refresh_from_db()
    assert message.state == MessageState.CANCELLED and "stale" in message.last_error
    assert not list(tmp_path.iterdir())


def test_a_donor_who_opted_out_after_the_scan_gets_nothing(settings, tmp_path, units):
    settings.NOTIFY_FILE_DIR = tmp_path
    settings.NOTIFY_QUIET_CHANNELS = []
    donor = DonorFactory(unit=units.station_a)
    message, _ = enqueue(recipient_key=f"donor:{donor.pk}")
    donor.opted_out_at = timezone.now()
    donor.save()
    assert sending.message_send(message.pk) == "cancelled"
    message.refresh_from_db()
    assert message.last_error == "the donor opted out"


def test_the_sweeper_releases_only_rows_stuck_in_sending(settings):
    settings.NOTIFY_STUCK_MINUTES = 10
    stuck, _ = enqueue()
    busy, _ = enqueue(recipient_key="person:2")
    now = timezone.now()
    Message.objects.filter(pk=stuck.pk).update(
        state=MessageState.SENDING, claimed_at=now - timedelta(minutes=11)
    )
    Message.objects.filter(pk=busy.pk).update(
        state=MessageState.SENDING, claimed_at=now - timedelta(minutes=2)
    )
    assert sending.messages_release_stuck() == 1
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert stuck.state == MessageState.PENDING and busy.state == MessageState.SENDING
    assert sending.due_message_ids() == [stuck.pk]


def test_whatsapp_goes_in_the_cloud_api_shape(settings, gateway):
    settings.NOTIFY_BACKENDS = {
        **settings.NOTIFY_BACKENDS,
        "whatsapp": "notifications.backends.whatsapp.Backend",
    }
    settings.NOTIFY_WHATSAPP_URL = gateway.url
    settings.NOTIFY_WHATSAPP_TOKEN = "wa-token"
    message, _ = enqueue(channel="whatsapp")
    assert sending.message_send(message.pk) == "sent"
    sent = gateway.requests[0]
    assert sent["json"]["messaging_product"] == "whatsapp"
    assert sent["json"]["to"] == "919000000101"
    assert sent["json"]["type"] == "text"
    assert "Riya's transfusion" in sent["json"]["text"]["body"]
    assert sent["headers"]["Authorization"] == "Bearer wa-token"
    # Our row id in the Cloud API's own field, as the SMS gateway gets it as its reference.
    assert sent["json"]["biz_opaque_callback_data"] == str(message.pk)


def test_email_goes_through_djangos_mail_with_the_first_line_as_subject(settings, mailoutbox):
    message, _ = enqueue(channel="email", email="coordinator@example.org")
    assert sending.message_send(message.pk) == "sent"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["coordinator@example.org"]
    assert mailoutbox[0].subject.startswith("Blood Bond: Riya's transfusion")


def test_email_without_an_address_fails_for_good():
    message, _ = enqueue(channel="email", email="")
    assert sending.message_send(message.pk) == "failed"


def test_a_number_the_gateway_refused_gets_nothing_more_on_that_channel(gateway):
    gateway.script = [400, 200]
    first, _ = enqueue(phone="+919000000999", subject_key="thing:1")
    assert sending.message_send(first.pk) == "failed"

    later, _ = enqueue(phone="+919000000999", subject_key="thing:2")
    assert sending.message_send(later.pk) == "cancelled"
    later.refresh_from_db()
    assert f"#{first.pk}" in later.last_error
    assert len(gateway.requests) == 1  # the refused number was not tried again
    # Another channel to the same person is another address book entry: it may go.
    other, _ = enqueue(phone="+919000000999", subject_key="thing:3", channel="whatsapp")
    assert sending.message_send(other.pk) == "sent"


def test_a_setup_error_does_not_blacklist_the_number(gateway):
    gateway.script = [401, 200]  # our key was wrong, not the number
    first, _ = enqueue(phone="+919000000998", subject_key="thing:1")
    assert sending.message_send(first.pk) == "failed"
    later, _ = enqueue(phone="+919000000998", subject_key="thing:2")
    assert sending.message_send(later.pk) == "sent"


def test_sending_a_refused_message_again_vouches_for_the_number(gateway, staff_a):
    gateway.script = [400, 200]
    first, _ = enqueue(phone="+919000000997", subject_key="thing:1")
    sending.message_send(first.pk)
    later, _ = enqueue(phone="+919000000997", subject_key="thing:2")

    assert services.message_resend(message=first, actor=staff_a)
    assert sending.message_send(first.pk) == "sent"
    assert sending.message_send(later.pk) == "sent"
