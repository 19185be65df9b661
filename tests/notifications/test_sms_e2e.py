"""End to end, with the fake SMS gateway, the fake inbound provider and a real Celery worker
on Redis: the request goes out as a 2-part SMS with a short link; the donor answers by SMS
reply or missed call; STOP holds every later message; a replay and a forged post change
nothing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import InboundMessage, Message
from notifications.smsparts import sms_parts
from notifications.tasks import dispatch
from tests.factories import DonorFactory, make_assignment, make_patient
from thalassemia.tasks import scan_reminders

from .conftest import needs_redis, wait_for
from .fake_provider import FakeProvider, configure

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def asked(units, settings, gateway):
    configure(settings)
    settings.INBOUND_RATE_LIMIT = "1000/m"
    today = timezone.localdate()
    patient = make_patient(units.station_a, last_transfused_on=today - timedelta(days=17))
    donor = DonorFactory(unit=units.station_a, blood_group="B+", preferred_language="hi")
    return make_assignment(patient.transfusions.get(status="due"), donor)


def request_sent(gateway, asked):
    scan_reminders.delay()
    wait_for(lambda: Message.objects.filter(topic="donor_request").exists(), what="the scan")
    dispatch.delay()
    wait_for(lambda: gateway.delivered, what="the request SMS")
    return gateway.delivered[-1]


def test_reply_1_confirms_and_the_sms_was_two_parts_with_a_short_link(asked, gateway, worker):
    sms = request_sent(gateway, asked)
    assert sms["to"] == asked.donor.phone and sms["unicode"] is True
    assert sms_parts(sms["text"]) <= 2
    assert "https://bloodbond.example/r/" in sms["text"] and "1" in sms["text"]
    FakeProvider(Client(), "twilio").reply(asked.donor.phone, "1")
    asked.refresh_from_db()
    assert asked.status == "confirmed"


def test_reply_2_declines_and_the_next_donor_is_proposed(asked, gateway, units, worker):
    nxt = DonorFactory(unit=units.station_a, blood_group="B+")
    request_sent(gateway, asked)
    FakeProvider(Client(), "whatsapp").reply(asked.donor.phone, "2")
    asked.refresh_from_db()
    assert asked.status == "declined"
    assert asked.transfusion.assignments.get(status="proposed").donor == nxt


def test_a_missed_call_confirms(asked, gateway, worker):
    request_sent(gateway, asked)
    FakeProvider(Client(), "exotel").missed_call(asked.donor.phone)
    asked.refresh_from_db()
    assert asked.status == "confirmed"


def test_stop_opts_out_and_the_worker_sends_nothing_more(asked, gateway, worker):
    request_sent(gateway, asked)
    FakeProvider(Client(), "generic").reply(asked.donor.phone, "STOP")
    asked.donor.refresh_from_db()
    assert asked.donor.opted_out_at is not None
    # A message written before the STOP is held by the worker, not sent.
    Message.objects.filter(topic="donor_request").update(state="pending", attempts=0)
    delivered = len(gateway.delivered)
    dispatch.delay()
    wait_for(
        lambda: Message.objects.get(topic="donor_request").state == "cancelled",
        what="the held request",
    )
    assert len(gateway.delivered) == delivered


def test_a_replay_and_a_forged_post_change_nothing(asked, gateway, worker):
    request_sent(gateway, asked)
    fake = FakeProvider(Client(), "twilio")
    fake.reply(asked.donor.phone, "2")
    assignments = asked.transfusion.assignments.count()
    assert fake.replay().status_code == 200
    path, body, content_type, headers = fake.request("sms", asked.donor.phone, "1")
    forged = {"X-Twilio-Signature": "bm90LXRoZS1zaWduYXR1cmU="}
    assert fake.post(path, body, content_type, forged).status_code == 403
    assert InboundMessage.objects.count() == 1
    assert asked.transfusion.assignments.count() == assignments
    asked.refresh_from_db()
    assert asked.status == "declined"
