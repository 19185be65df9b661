"""SMS replies and missed calls posted by providers: each verified by its own signature or
secret, recorded once, and acted on through the services (confirm, decline and propose
the next donor, opt out), or listed for the call desk."""

import datetime as dt
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import AuditEvent
from notifications.models import InboundMessage
from tests.factories import DonorFactory, make_assignment, make_patient

from .fake_provider import FakeProvider, configure

IST = ZoneInfo("Asia/Kolkata")
D = dt.date(2026, 12, 10)
pytestmark = pytest.mark.django_db
PROVIDERS = ["generic", "twilio", "exotel", "whatsapp"]


@pytest.fixture(autouse=True)
def _secrets(settings):
    configure(settings)
    settings.INBOUND_RATE_LIMIT = "1000/m"


@pytest.fixture
def noon():
    with time_machine.travel(dt.datetime(2026, 12, 10, 12, 0, tzinfo=IST), tick=False):
        yield


@pytest.fixture
def patient(units, noon):
    return make_patient(units.station_a, last_transfused_on=D - timedelta(days=18))


@pytest.fixture
def asked(units, patient):
    transfusion = patient.transfusions.get(status="due")
    return make_assignment(transfusion, DonorFactory(unit=units.station_a, blood_group="B+"))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_reply_1_confirms(anon, asked, provider):
    response = FakeProvider(anon, provider).reply(asked.donor.phone, "1")
    assert response.status_code == 200
    asked.refresh_from_db()
    assert asked.status == "confirmed"
    row = InboundMessage.objects.get()
    assert (row.outcome, row.subject_key) == ("confirmed", f"assignment:{asked.pk}")
    assert row.unit == asked.transfusion.patient.unit
    assert AuditEvent.objects.filter(details__note="donor answered by sms").exists()


@pytest.mark.parametrize("text", ["haan", "हाँ", "YES"])
def test_yes_in_words_confirms(anon, asked, text):
    FakeProvider(anon).reply(asked.donor.phone, text)
    asked.refresh_from_db()
    assert asked.status == "confirmed"


def test_reply_2_declines_and_the_next_donor_is_proposed(anon, asked, units):
    other = DonorFactory(unit=units.station_a, blood_group="B+")
    FakeProvider(anon, "twilio").reply(asked.donor.phone, "नहीं")
    asked.refresh_from_db()
    assert asked.status == "declined"
    proposed = asked.transfusion.assignments.get(status="proposed")
    assert proposed.donor == other
    assert InboundMessage.objects.get().outcome == "declined"


@pytest.mark.parametrize("provider", ["generic", "twilio", "exotel"])
def test_a_missed_call_confirms_the_one_open_request(anon, asked, provider):
    response = FakeProvider(anon, provider).missed_call(asked.donor.phone)
    assert response.status_code == 200
    if provider == "twilio":
        assert b"<Reject/>" in response.content  # the call stays free for the donor
    asked.refresh_from_db()
    assert asked.status == "confirmed"


def test_a_missed_call_with_several_open_requests_asks_the_call_desk(anon, asked, units):
    second = make_patient(units.station_a, name="Second", last_transfused_on=D - timedelta(days=5))
    later = asked.on + timedelta(days=100)  # past the donor's interval: both may stand
    with time_machine.travel(dt.datetime(2026, 12, 10, 12, 0, tzinfo=IST), tick=False):
        other = make_assignment(second.transfusions.get(status="due"), asked.donor, on=later)
        FakeProvider(anon).missed_call(asked.donor.phone)
    for assignment in (asked, other):
        assignment.refresh_from_db()
        assert assignment.status == "asked"
    assert InboundMessage.objects.get().outcome == "ring_back"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_stop_opts_out(anon, asked, provider):
    FakeProvider(anon, provider).reply(asked.donor.phone, "STOP")
    asked.donor.refresh_from_db()
    assert asked.donor.opted_out_at is not None
    assert InboundMessage.objects.get().outcome == "opted_out"
    event = AuditEvent.objects.get(details__note="consent withdrawn")
    assert event.details["source"] == "sms"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_replay_changes_nothing(anon, asked, provider):
    fake = FakeProvider(anon, provider)
    fake.reply(asked.donor.phone, "2")
    audit_before = AuditEvent.objects.count()
    assignments_before = asked.transfusion.assignments.count()
    assert fake.replay().status_code == 200
    assert InboundMessage.objects.count() == 1
    assert AuditEvent.objects.count() == audit_before
    assert asked.transfusion.assignments.count() == assignments_before


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_bad_signature_is_403_and_stores_nothing(anon, asked, provider):
    fake = FakeProvider(anon, provider)
    path, body, content_type, headers = fake.request("sms", asked.donor.phone, "1")
    if provider == "exotel":
        path = path.replace("exotel-token", "guessed")
    else:
        body = body.replace(b"1", b"1 ", 1) if provider != "twilio" else body + b"&Extra=1"
    assert fake.post(path, body, content_type, headers).status_code == 403
    assert fake.post(path.split("?")[0], body, content_type, {}).status_code == 403  # unsigned
    assert not InboundMessage.objects.exists()
    asked.refresh_from_db()
    assert asked.status == "asked"


def test_a_provider_without_a_secret_refuses_everything(anon, asked, settings):
    settings.INBOUND_SECRETS = {**settings.INBOUND_SECRETS, "generic": ""}
    assert FakeProvider(anon).reply(asked.donor.phone, "1").status_code == 403
    assert not InboundMessage.objects.exists()


def test_an_unclear_reply_is_listed_with_its_text(anon, asked):
    FakeProvider(anon).reply(asked.donor.phone, "kal bataunga")
    row = InboundMessage.objects.get()
    assert (row.outcome, row.text) == ("unclear", "kal bataunga")
    assert row.unit == asked.donor.unit
    asked.refresh_from_db()
    assert asked.status == "asked"


def test_an_unknown_number_changes_nothing(anon, asked):
    FakeProvider(anon).reply("+919999999999", "1")
    assert InboundMessage.objects.get().outcome == "unknown"
    asked.refresh_from_db()
    assert asked.status == "asked"


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'{"id": 5}', b'{"from": "+91"}', b'{"id": "x", "from": ""}'],
)
def test_a_signed_but_broken_payload_is_400(anon, body):
    import hashlib
    import hmac

    mac = hmac.new(b"generic-secret", body, hashlib.sha256).hexdigest()
    response = anon.generic(
        "POST",
        "/hooks/sms/generic/",
        body,
        content_type="application/json",
        headers={"X-BloodBond-Signature": f"sha256={mac}"},
    )
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_an_unknown_provider_is_404_and_a_big_body_413(anon, settings):
    assert anon.post("/hooks/sms/nobody/", {}).status_code == 404
    assert anon.post("/hooks/missed-call/whatsapp/", {}).status_code == 404
    settings.INBOUND_MAX_BODY_BYTES = 1024
    big = b"x" * 2048
    response = anon.generic("POST", "/hooks/sms/generic/", big, content_type="application/json")
    assert response.status_code == 413


def test_the_hooks_are_rate_limited(anon, settings):
    settings.INBOUND_RATE_LIMIT = "3/m"
    codes = [anon.post("/hooks/sms/generic/", {}).status_code for _ in range(5)]
    assert codes[:3] == [403, 403, 403] and codes[3:] == [429, 429]


def test_whatsapp_webhook_check_echoes_the_challenge(anon, settings):
    settings.INBOUND_WHATSAPP_VERIFY_TOKEN = "verify-me"
    query = "?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=12345"
    assert anon.get("/hooks/sms/whatsapp/" + query).content == b"12345"
    wrong = "?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=12345"
    assert anon.get("/hooks/sms/whatsapp/" + wrong).status_code == 403


def test_the_call_desk_lists_unclear_replies_in_scope_only(
    anon, asked, client_for, coordinator, staff_b, django_assert_max_num_queries
):
    from django.urls import reverse

    fake = FakeProvider(anon)
    for n in range(3):
        fake.reply(asked.donor.phone, f"kal bataunga {n}")
    with django_assert_max_num_queries(60):
        page = client_for(coordinator).get(reverse("calldesk:list")).content.decode()
    assert page.count('data-testid="inbound-answer"') == 3
    assert "kal bataunga 2" in page and asked.donor.phone in page
    other = client_for(staff_b).get(reverse("calldesk:list")).content.decode()
    assert "kal bataunga" not in other


def test_an_erasure_blanks_the_donors_replies(anon, asked, admin_user):
    from donors.privacy import donor_erase

    FakeProvider(anon, "exotel").reply(asked.donor.phone, "kal bataunga")
    donor_erase(donor=asked.donor, actor=admin_user)
    row = InboundMessage.objects.get()
    assert (row.phone, row.text, row.recipient_name) == ("", "", "")
    assert row.outcome == "unclear"  # the count stays
