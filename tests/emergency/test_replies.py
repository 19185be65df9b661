"""A donor with a basic phone answers an emergency call by SMS reply or missed call, posted
signed by the fake provider: "1" (or a missed call) confirms, "2" declines, each once and by
the rules of the /e/<code>/ link; a number with several open requests (a child's and an
emergency's, or two emergencies) is rung back by the call desk, nothing guessed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from emergency.choices import CallStatus, RequestStatus
from emergency.models import EmergencyCall
from emergency.services import call_answer, emergency_create
from emergency.waves import wave_run
from notifications.models import InboundMessage, Message
from notifications.selectors import inbound_needing_a_person
from tests.factories import make_assignment, make_patient
from tests.notifications.conftest import needs_redis, wait_for
from tests.notifications.fake_provider import FakeProvider, configure
from thalassemia.booking import assignment_answer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _secrets(settings):
    configure(settings)
    settings.INBOUND_RATE_LIMIT = "1000/m"


def record(coordinator, hospital, units, *, units_needed=1):
    return emergency_create(
        actor=coordinator,
        unit=units.knp,
        hospital=hospital,
        blood_group="O+",
        units_needed=units_needed,
        needed_by=timezone.now() + timedelta(hours=4),
    )


@pytest.fixture
def called(cast, coordinator, hospital, units):
    """One emergency request for one unit, its first wave asked (10 calls)."""
    emergency = record(coordinator, hospital, units)
    assert wave_run(emergency.pk) == "asked"
    return EmergencyCall.objects.filter(request=emergency).select_related("donor", "request")


def statuses(calls):
    return {c.pk: c.status for c in EmergencyCall.objects.filter(pk__in=[c.pk for c in calls])}


def test_reply_1_confirms_the_call_fills_the_request_and_sends_the_directions(anon, called):
    call = called[0]
    assert FakeProvider(anon, "twilio").reply(call.donor.phone, "1").status_code == 200
    call.refresh_from_db()
    assert call.status == CallStatus.CONFIRMED
    assert call.request.status == RequestStatus.FILLED and call.request.next_wave_at is None
    row = InboundMessage.objects.get()
    assert (row.outcome, row.subject_key) == ("confirmed", f"emergency_call:{call.pk}")
    assert row.unit == call.request.unit and row.recipient_name == call.donor.name
    directions = Message.objects.get(topic="emergency_confirmed")
    assert directions.recipient_key == f"donor:{call.donor_id}"
    assert "Swaroop Nagar" in directions.body and "+919711111111" in directions.body
    assert AuditEvent.objects.filter(details__note="donor answered emergency call by sms").exists()
    # The others were not answered for: their links now say the request is filled.
    assert call_answer(code=called[1].code, answer="confirm")[1] == "closed"


@pytest.mark.parametrize("text", ["haan", "हाँ", "yes"])
def test_yes_in_words_confirms(anon, called, text):
    FakeProvider(anon, "generic").reply(called[0].donor.phone, text)
    assert EmergencyCall.objects.get(pk=called[0].pk).status == CallStatus.CONFIRMED


@pytest.mark.parametrize("text", ["2", "nahin", "नहीं"])
def test_reply_2_declines_and_the_request_keeps_calling(anon, called, text):
    call = called[0]
    FakeProvider(anon, "whatsapp").reply(call.donor.phone, text)
    call.refresh_from_db()
    assert call.status == CallStatus.DECLINED
    assert call.request.status == RequestStatus.OPEN
    assert InboundMessage.objects.get().outcome == "declined"
    assert not Message.objects.filter(topic="emergency_confirmed").exists()
    # Declined is an answer: the link cannot turn it into a yes.
    assert call_answer(code=call.code, answer="confirm")[1] == "used"


@pytest.mark.parametrize("provider", ["generic", "twilio", "exotel"])
def test_a_missed_call_confirms_the_numbers_only_open_request(anon, called, provider):
    call = called[0]
    assert FakeProvider(anon, provider).missed_call(call.donor.phone).status_code == 200
    call.refresh_from_db()
    assert call.status == CallStatus.CONFIRMED
    assert InboundMessage.objects.get().outcome == "confirmed"
    assert AuditEvent.objects.filter(
        details__note="donor answered emergency call by missed_call"
    ).exists()


def test_a_replay_changes_nothing_and_a_second_yes_is_only_recorded(anon, called):
    call = called[0]
    fake = FakeProvider(anon, "twilio")
    fake.reply(call.donor.phone, "2")
    assert fake.replay().status_code == 200
    assert InboundMessage.objects.count() == 1
    call.refresh_from_db()
    assert call.status == CallStatus.DECLINED
    # A yes after the no (a new message) does not undo it: no open call, the desk sees it.
    fake.reply(call.donor.phone, "1")
    call.refresh_from_db()
    assert call.status == CallStatus.DECLINED
    assert InboundMessage.objects.latest("id").outcome == "no_request"


def test_a_yes_said_twice_confirms_once_and_sends_one_set_of_directions(
    anon, cast, coordinator, hospital, units
):
    emergency = record(coordinator, hospital, units, units_needed=2)
    wave_run(emergency.pk)
    call = EmergencyCall.objects.filter(request=emergency).select_related("donor").first()
    fake = FakeProvider(anon, "generic")
    fake.reply(call.donor.phone, "1")
    fake.replay()
    fake.missed_call(call.donor.phone)  # and rang too
    call.refresh_from_db()
    assert call.status == CallStatus.CONFIRMED
    assert Message.objects.filter(topic="emergency_confirmed").count() == 1
    assert list(InboundMessage.objects.values_list("outcome", flat=True)) == [
        "confirmed",
        "confirmed",
    ]
    emergency.refresh_from_db()
    assert emergency.status == RequestStatus.OPEN  # one of two units


def test_a_reply_after_the_request_filled_changes_nothing(anon, called):
    first, late = called[0], called[1]
    call_answer(code=first.code, answer="confirm")  # by the link
    FakeProvider(anon, "generic").reply(late.donor.phone, "1")
    late.refresh_from_db()
    assert late.status == CallStatus.ASKED
    assert InboundMessage.objects.get().outcome == "no_request"


def test_an_emergency_call_and_a_childs_request_on_one_number_ring_back(
    anon, called, units, coordinator
):
    call = called[0]
    patient = make_patient(
        units.station_a, last_transfused_on=timezone.localdate() - timedelta(days=17)
    )
    assignment = make_assignment(patient.transfusions.get(status="due"), call.donor)
    for answer in ("1", "2"):
        FakeProvider(anon, "twilio").reply(call.donor.phone, answer)
    FakeProvider(anon, "exotel").missed_call(call.donor.phone)
    assert list(InboundMessage.objects.values_list("outcome", flat=True)) == ["ring_back"] * 3
    call.refresh_from_db()
    assignment.refresh_from_db()
    assert (call.status, assignment.status) == (CallStatus.ASKED, "asked")
    row = InboundMessage.objects.first()
    assert row.unit is not None and call.donor.name in row.recipient_name
    # The call desk lists them among the answers that need a person, to ring back.
    assert inbound_needing_a_person(coordinator).count() == 3
    anon.force_login(coordinator)
    page = anon.get(reverse("calldesk:list"))
    assert page.content.decode().count('data-testid="inbound-answer"') == 3


def test_two_emergency_calls_on_one_number_ring_back(anon, called, coordinator, hospital, units):
    second = record(coordinator, hospital, units)
    wave_run(second.pk)
    donor = called[0].donor
    both = EmergencyCall.objects.filter(donor=donor)
    assert both.count() == 2
    FakeProvider(anon, "generic").reply(donor.phone, "1")
    FakeProvider(anon, "generic").missed_call(donor.phone)
    assert set(both.values_list("status", flat=True)) == {CallStatus.ASKED}
    assert list(InboundMessage.objects.values_list("outcome", flat=True)) == ["ring_back"] * 2


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_end_to_end_a_reply_1_by_sms_brings_the_directions_by_sms(
    cast, coordinator, hospital, units, gateway, worker, anon
):
    emergency = record(coordinator, hospital, units)
    wait_for(lambda: len(gateway.delivered) == 10, what="the first wave's 10 SMS")
    sms = gateway.delivered[0]
    assert "Reply 1 to come, 2 if you can't" in sms["text"] or "2 भेजें" in sms["text"]
    FakeProvider(anon, "twilio").reply(sms["to"], "1")
    emergency.refresh_from_db()
    assert emergency.status == RequestStatus.FILLED
    wait_for(lambda: len(gateway.delivered) == 11, what="the confirmed donor's directions")
    directions = gateway.delivered[-1]
    assert directions["to"] == sms["to"] and "+919711111111" in directions["text"]


def test_a_yes_answers_the_emergency_when_the_childs_request_was_confirmed_already(
    anon, called, units
):
    """A yes can only be for what still waits for one; a no could undo either: ring back."""
    call = called[0]
    patient = make_patient(
        units.station_a, last_transfused_on=timezone.localdate() - timedelta(days=17)
    )
    assignment = make_assignment(patient.transfusions.get(status="due"), call.donor)
    FakeProvider(anon, "generic").reply(call.donor.phone, "2")
    assert InboundMessage.objects.get().outcome == "ring_back"
    assignment_answer(assignment=assignment, answer="confirm", via="link")
    FakeProvider(anon, "generic").reply(call.donor.phone, "1")
    call.refresh_from_db()
    assignment.refresh_from_db()
    assert (call.status, assignment.status) == (CallStatus.CONFIRMED, "confirmed")
    assert InboundMessage.objects.latest("id").subject_key == f"emergency_call:{call.pk}"
