"""A pledged number is unverified until proven the donor's: by the 6-digit code sent to it by
SMS and typed back on the pledge page, or by staff checking the person. Until then it gets
that code and nothing else."""

import datetime as dt
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from camps import reminders as camp_reminders
from donors import reminders as donor_reminders
from donors.choices import ConsentPurpose, ConsentSource
from donors.consent import consent_give
from donors.models import Donor, PhoneVerification
from notifications import sending
from notifications.models import Message
from tests.factories import CampFactory, DonationFactory, DonorFactory

pytestmark = pytest.mark.django_db

PLEDGE_URL = "/pledge/"
CODE_URL = "/pledge/code/"
THANKS_URL = "/pledge/thanks/"
IST = ZoneInfo("Asia/Kolkata")
D = dt.date(2026, 12, 10)


def noon(day, hour=12):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=IST), tick=False)


def pledge(client, units, phone="98765 43210", **extra):
    data = {
        "name": "Sunita Devi",
        "sex": "F",
        "date_of_birth": "1994-03-12",
        "phone": phone,
        "unit": units.station_a.pk,
        "preferred_language": "en",
        "consent": "on",
        "consent_reminders": "on",
        **extra,
    }
    response = client.post(PLEDGE_URL, data)
    assert response.status_code == 302 and response["Location"] == CODE_URL
    return response


def codes_sent(phone="+919876543210"):
    return Message.objects.filter(topic="phone_code", phone=phone).order_by("id")


def code_in(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def answer(client, code):
    return client.post(CODE_URL, {"code": code})


def test_the_pledge_sends_a_code_by_sms_and_the_right_code_verifies_the_number(anon, units):
    pledge(anon, units)

    message = codes_sent().get()
    assert message.channel == "sms" and message.recipient_key == "phone:+919876543210"
    assert "Blood Bond: your code is" in message.body
    page = anon.get(CODE_URL).content.decode()
    assert "ending in 3210" in page

    response = answer(anon, code_in(message))

    assert response.status_code == 302 and response["Location"] == THANKS_URL
    donor = Donor.objects.get()
    assert donor.verified_at is not None and donor.verified_by is None
    assert donor.source == "pledge"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(donor.pk))
    assert event.actor is None
    assert event.details["fields"] == ["verified"] and event.details["through"] == "code"
    assert "Your mobile number is confirmed." in anon.get(THANKS_URL).content.decode()


def test_the_code_message_is_in_hindi_for_a_donor_who_chose_hindi(anon, units):
    pledge(anon, units, preferred_language="hi")

    assert "आपका कोड" in codes_sent().get().body


def test_only_a_hash_of_the_code_is_stored(anon, units):
    pledge(anon, units)
    code = code_in(codes_sent().get())

    row = PhoneVerification.objects.get()
    stored = [str(getattr(row, f.attname)) for f in PhoneVerification._meta.concrete_fields]
    assert not any(code in value for value in stored)
    assert len(row.code_hash) == 64


def test_a_wrong_code_is_refused_clearly_and_changes_nothing(anon, units):
    pledge(anon, units)
    code = code_in(codes_sent().get())
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = answer(anon, wrong)

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert Donor.objects.get().verified_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_an_expired_code_is_refused(anon, units, settings):
    settings.DONOR_CODE_MINUTES = 15
    with noon(D):
        pledge(anon, units)
        code = code_in(codes_sent().get())
    with noon(D, hour=13):
        response = answer(anon, code)

    assert "That code has expired" in response.content.decode()
    assert Donor.objects.get().verified_at is None


def test_too_many_wrong_answers_need_a_new_code(anon, units, settings):
    settings.DONOR_CODE_MAX_ATTEMPTS = 3
    pledge(anon, units)
    code = code_in(codes_sent().get())
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(3):
        answer(anon, wrong)

    response = answer(anon, code)  # right, but too late

    assert "Too many wrong tries" in response.content.decode()
    assert Donor.objects.get().verified_at is None
    anon.post(CODE_URL, {"resend": "1"})
    assert answer(anon, code_in(codes_sent().last())).status_code == 302
    assert Donor.objects.get().verified_at is not None


def test_a_new_code_replaces_the_old_one(anon, units):
    pledge(anon, units)
    old = code_in(codes_sent().get())
    response = anon.post(CODE_URL, {"resend": "1"})
    assert "We have sent a new code." in response.content.decode()
    new = code_in(codes_sent().last())

    if old != new:
        assert "That code is not right" in answer(anon, old).content.decode()
    assert answer(anon, new).status_code == 302


def test_codes_sent_to_a_number_are_rate_limited(anon, units, settings):
    settings.DONOR_CODE_RATE_LIMIT = "2/h"
    pledge(anon, units)
    assert anon.post(CODE_URL, {"resend": "1"}).status_code == 200

    refused = anon.post(CODE_URL, {"resend": "1"})

    assert refused.status_code == 429
    assert "asked for several codes" in refused.content.decode()
    assert codes_sent().count() == 2


def test_codes_sent_from_one_address_are_rate_limited(client, units, settings):
    settings.DONOR_CODE_IP_RATE_LIMIT = "2/h"
    for phone in ("9876543210", "9876543211", "9876543212"):
        pledge(client, units, phone=phone)

    assert Message.objects.filter(topic="phone_code").count() == 2
    assert Donor.objects.count() == 3  # the pledges are kept; a code can be asked later


def test_a_registered_number_gets_the_same_code_step_and_no_code(anon, units):
    known = DonorFactory(
        unit=units.station_b,
        phone="+919876543210",
        name="Someone Else",
        date_of_birth=dt.date(1994, 3, 12),
    )

    response = anon.post(
        PLEDGE_URL,
        {
            "name": "Someone Else",
            "sex": "F",
            "date_of_birth": "1994-03-12",
            "phone": "9876543210",
            "unit": units.station_a.pk,
            "preferred_language": "en",
            "consent": "on",
        },
        follow=True,
    )

    assert response.redirect_chain == [(CODE_URL, 302)]
    assert "ending in 3210" in response.content.decode()
    assert not codes_sent().exists()  # a verified number is not sent a code
    assert "That code is not right" in answer(anon, "123456").content.decode()
    assert Donor.objects.get().pk == known.pk


def test_the_code_page_without_a_pledge_goes_back_to_the_form(anon, units):
    response = anon.get(CODE_URL)
    assert response.status_code == 302 and response["Location"] == PLEDGE_URL


def test_staff_verifying_a_pledge_in_person_is_audited(anon, units, client_for, staff_a):
    pledge(anon, units)
    donor = Donor.objects.get()

    client_for(staff_a).post(reverse("donors:verify", args=[donor.pk]))

    donor.refresh_from_db()
    assert donor.verified_by == staff_a
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(donor.pk))
    assert event.actor == staff_a and event.details["through"] == "staff"


def test_an_unverified_pledge_receives_the_code_and_nothing_else(client, units, settings):
    """The donors' and camps' scans pass over an unverified number that consented to
    reminders; a verified donor in the same place hears of both."""
    settings.CAMP_ANNOUNCE_DAYS_BEFORE = 7
    settings.DONOR_ELIGIBLE_LOOKBACK_DAYS = 0
    with noon(D - timedelta(days=130)):
        pledge(client, units)
    unverified = Donor.objects.get()
    verified = DonorFactory(unit=units.station_a, sex="F")
    consent_give(donor=verified, purpose=ConsentPurpose.REMINDERS, source=ConsentSource.STAFF)
    for donor in (unverified, verified):
        DonationFactory(donor=donor, donated_on=D - timedelta(days=120))
    with noon(D):
        CampFactory(unit=units.station_a, status="planned", held_on=D + timedelta(days=5))
        donor_reminders.scan()
        camp_reminders.scan()

    to_verified = Message.objects.filter(recipient_key=f"donor:{verified.pk}")
    assert set(to_verified.values_list("topic", flat=True)) == {
        "eligible_again",
        "camp_announcement",
    }
    to_number = Message.objects.filter(phone=unverified.phone)
    assert list(to_number.values_list("topic", flat=True)) == ["phone_code"]


def test_the_code_goes_out_during_quiet_hours(anon, units, settings, tmp_path):
    """A reminder waits for the morning; a code the person is waiting for does not."""
    settings.NOTIFY_FILE_DIR = tmp_path
    settings.NOTIFY_QUIET_START, settings.NOTIFY_QUIET_END = "21:00", "08:00"
    with noon(D, hour=23):
        pledge(anon, units)
        message = codes_sent().get()
        assert sending.message_send(message.pk) == "sent"
