"""Issue 15: a family sharing one phone. Each request sent to a shared number carries its
own reply code ("Reply 1 K7QM"), and "1 K7QM" answers that request whichever donor on the
number it is for; a bare "1" (or a missed call) with several open requests on the number is
not guessed: the call desk rings back. A number of one donor gets no code, and its bare "1"
works as before."""

from datetime import timedelta

import pytest
from django.utils import timezone

from emergency.choices import CallStatus
from emergency.models import EmergencyCall
from emergency.services import emergency_create
from emergency.waves import wave_run
from notifications.models import InboundMessage, Message
from notifications.replies import reply_code
from tests.factories import make_assignment, make_patient
from tests.notifications.fake_provider import FakeProvider, configure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _secrets(settings):
    configure(settings)
    settings.INBOUND_RATE_LIMIT = "1000/m"


@pytest.fixture
def family(cast, coordinator, hospital, units):
    """Two living blood bank members on one phone (husband and wife), both called in the
    first wave of one emergency."""
    husband, wife = (d for d in cast.living[:2])
    wife.phone = husband.phone
    wife.save(update_fields=["phone"])
    emergency = emergency_create(
        actor=coordinator,
        unit=units.knp,
        hospital=hospital,
        blood_group="O+",
        units_needed=2,
        needed_by=timezone.now() + timedelta(hours=4),
    )
    assert wave_run(emergency.pk) == "asked"
    calls = {c.donor_id: c for c in EmergencyCall.objects.filter(request=emergency)}
    return husband, wife, calls[husband.pk], calls[wife.pk]


def test_each_call_to_a_shared_phone_carries_its_code_and_a_lone_phone_none(family, cast):
    husband, wife, his, hers = family
    bodies = dict(
        Message.objects.filter(topic="emergency_call").values_list("recipient_key", "body")
    )
    for donor, call in ((husband, his), (wife, hers)):
        code = reply_code(f"emergency_call:{call.pk}")
        assert f"1 {code}" in bodies[f"donor:{donor.pk}"]
    alone = cast.living[2]
    assert "1," in bodies[f"donor:{alone.pk}"] or "1 to come" in bodies[f"donor:{alone.pk}"]
    assert reply_code(f"emergency_call:{his.pk}") != reply_code(f"emergency_call:{hers.pk}")


def test_a_reply_with_the_code_answers_that_donors_call_on_a_shared_phone(anon, family):
    husband, wife, his, hers = family
    code = reply_code(f"emergency_call:{hers.pk}")

    FakeProvider(anon, "twilio").reply(husband.phone, f"1 {code.lower()}")

    his.refresh_from_db()
    hers.refresh_from_db()
    assert (hers.status, his.status) == (CallStatus.CONFIRMED, CallStatus.ASKED)
    row = InboundMessage.objects.get()
    assert (row.outcome, row.subject_key) == ("confirmed", f"emergency_call:{hers.pk}")
    assert row.recipient_name == wife.name


def test_a_bare_reply_or_missed_call_with_two_open_requests_goes_to_the_call_desk(anon, family):
    husband, _wife, his, hers = family

    FakeProvider(anon, "twilio").reply(husband.phone, "1")
    FakeProvider(anon, "exotel").missed_call(husband.phone)

    assert list(InboundMessage.objects.values_list("outcome", flat=True)) == ["ring_back"] * 2
    assert set(
        EmergencyCall.objects.filter(pk__in=[his.pk, hers.pk]).values_list("status", flat=True)
    ) == {CallStatus.ASKED}


def test_a_code_picks_a_childs_request_out_of_a_shared_phones_requests(anon, family, units):
    husband, _wife, his, hers = family
    patient = make_patient(
        units.station_a, last_transfused_on=timezone.localdate() - timedelta(days=17)
    )
    assignment = make_assignment(patient.transfusions.get(status="due"), husband)

    FakeProvider(anon, "generic").reply(
        husband.phone, f"2 {reply_code(f'assignment:{assignment.pk}')}"
    )

    assignment.refresh_from_db()
    assert assignment.status == "declined"
    assert set(
        EmergencyCall.objects.filter(pk__in=[his.pk, hers.pk]).values_list("status", flat=True)
    ) == {CallStatus.ASKED}
    assert InboundMessage.objects.get().outcome == "declined"


def test_a_bare_reply_from_a_shared_phone_with_one_open_request_still_works(anon, family):
    husband, _wife, his, hers = family
    FakeProvider(anon, "generic").reply(
        husband.phone, f"2 {reply_code(f'emergency_call:{his.pk}')}"
    )

    FakeProvider(anon, "generic").reply(husband.phone, "1")  # only the wife's call is open

    hers.refresh_from_db()
    assert hers.status == CallStatus.CONFIRMED
