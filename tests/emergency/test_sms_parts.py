"""Every emergency SMS fits in two parts, in Hindi and in English, however long the
hospital's name, address and contact: a basic phone shows it whole, and it costs two SMS."""

import math
from datetime import timedelta

import pytest
from django.utils import timezone

from emergency.choices import CallStatus
from emergency.messages import answer_url
from emergency.models import EmergencyCall, EmergencyRequest
from notifications.rendering import GSM_CHARS, render
from tests.factories import DonorFactory, HospitalContactFactory

pytestmark = pytest.mark.django_db

GSM_EXTENDED = set("^{}\\[~]|€")


def sms_parts(text: str) -> int:
    """Parts an SMS of ``text`` takes: GSM 7-bit 160 (153 when concatenated, extension
    characters count twice), else UCS-2 70 (67 when concatenated)."""
    if all(ch in GSM_CHARS for ch in text):
        length = len(text) + sum(ch in GSM_EXTENDED for ch in text)
        return 1 if length <= 160 else math.ceil(length / 153)
    return 1 if len(text) <= 70 else math.ceil(len(text) / 67)


@pytest.fixture
def longest(units, settings):
    settings.SITE_URL = "https://bloodbond.kanpurnagarpolice.gov.in"
    contact = HospitalContactFactory(
        hospital__name="Ganesh Shankar Vidyarthi Memorial Medical College and Hospital " * 2,
        hospital__address="Near Swaroop Nagar Crossing, Opposite Moti Jheel, Kanpur 208002 " * 3,
        hospital__phone="+915122535000",
        name="Dr Anita Kumari Verma Srivastava",
        role="Blood bank medical officer",
    )
    donor = DonorFactory(unit=units.station_a, name="Venkata Ramanarayana Subrahmanyam " * 3)
    emergency = EmergencyRequest.objects.create(
        unit=units.knp,
        hospital=contact.hospital,
        blood_group="AB-",
        units_needed=4,
        needed_by=timezone.now() + timedelta(hours=6),
    )
    call = EmergencyCall.objects.create(
        request=emergency, donor=donor, wave=1, code="Ab3dE6gh", status=CallStatus.CONFIRMED
    )
    by = timezone.localtime(emergency.needed_by)
    base = {"request": emergency, "hospital": contact.hospital, "by": by, "donor": donor}
    return {
        "emergency_call": {**base, "url": answer_url(call)},
        "emergency_confirmed": {**base, "contact": contact},
        "emergency_confirmed_no_contact": {**base, "contact": None},
    }


@pytest.mark.parametrize("language", ["hi", "en"])
@pytest.mark.parametrize(
    "case", ["emergency_call", "emergency_confirmed", "emergency_confirmed_no_contact"]
)
def test_each_emergency_sms_fits_two_parts(longest, language, case):
    template = case.removesuffix("_no_contact")
    text = render(template, language, longest[case])
    print(f"{template}.{language}: {len(text)} characters, {sms_parts(text)} parts")
    assert sms_parts(text) <= 2, text
    if language == "hi":
        assert any("\u0900" <= ch <= "\u097f" for ch in text)  # the Hindi file, not English
