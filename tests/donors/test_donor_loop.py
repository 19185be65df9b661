"""The donor's loop by SMS: the pledge's acknowledgement naming the nearest planned camp once
the number is verified; a thank-you with the certificate link after a donation; "you can
donate again" once per donation. All through the outbox, only with consent."""

import datetime as dt
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from donors import reminders as donor_reminders
from donors.choices import ConsentPurpose, ConsentSource
from donors.consent import consent_give, consent_withdraw
from donors.donations import donation_record
from donors.models import Donor
from donors.services import deferral_create
from notifications import sending
from notifications.models import Message
from tests.factories import BloodCentreFactory, CampFactory, DonorFactory

from .test_verification import answer, code_in, codes_sent, pledge

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
D = dt.date(2026, 12, 10)


def noon(day, hour=12):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=IST), tick=False)


@pytest.fixture(autouse=True)
def _base(settings):
    settings.SITE_URL = "https://bloodbond.example"


def test_a_verified_pledge_is_thanked_with_the_nearest_planned_camp(anon, units):
    with noon(D):
        CampFactory(unit=units.knp, held_on=D + timedelta(days=20), status="planned", venue="Far")
        CampFactory(
            unit=units.station_a, held_on=D + timedelta(days=6), status="planned", venue="Kotwali"
        )
        CampFactory(unit=units.station_b, held_on=D + timedelta(days=2), status="planned")
        pledge(anon, units)
        assert not Message.objects.filter(topic="pledge_thanks").exists()  # not verified yet
        answer(anon, code_in(codes_sent().get()))
        thanks = Message.objects.get(topic="pledge_thanks")
    assert thanks.recipient_key == f"donor:{Donor.objects.get().pk}"
    assert "thank you for your pledge" in thanks.body
    assert "Nearest camp: Wed 16 Dec" in thanks.body and "Kotwali" in thanks.body


def test_a_pledge_without_a_camp_planned_is_told_we_will_write(anon, units):
    with noon(D):
        pledge(anon, units, preferred_language="hi")
        answer(anon, code_in(codes_sent().get()))
    body = Message.objects.get(topic="pledge_thanks").body
    assert "संकल्प के लिए धन्यवाद" in body and "अगले शिविर" in body


def test_a_pledge_without_consent_to_messages_gets_no_acknowledgement(anon, units):
    with noon(D):
        pledge(anon, units, consent_reminders="")
        answer(anon, code_in(codes_sent().get()))
    assert not Message.objects.filter(topic="pledge_thanks").exists()


@pytest.fixture
def consenting(units):
    donor = DonorFactory(unit=units.station_a, preferred_language="en")
    consent_give(donor=donor, purpose=ConsentPurpose.REMINDERS, source=ConsentSource.STAFF)
    return donor


def give(donor, on):
    return donation_record(
        donor=donor,
        donated_on=on,
        blood_centre=BloodCentreFactory(),
        outcome="collected",
        bag_number=f"B{on:%m%d}{donor.pk}",
        bag_volume_ml=350,
        haemoglobin_g_dl=Decimal("13.5"),
        weight_kg=Decimal("70"),
        bp_systolic=120,
        bp_diastolic=80,
    )


def test_a_donation_is_thanked_with_a_certificate_link_that_opens_the_pdf(anon, consenting):
    with noon(D):
        donation = give(consenting, D)
        give_again = Message.objects.filter(topic="donation_thanks")
        message = give_again.get()
    assert message.subject_key == f"donation:{donation.pk}"
    assert "thank you for giving blood on 10 Dec 2026" in message.body
    link = message.body.split("Your certificate: ")[1].split()[0]
    path = link.removeprefix("https://bloodbond.example")
    assert path.startswith("/c/") and len(path) == 11
    with noon(D + timedelta(days=30)):
        response = anon.get(path)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert anon.get(path).status_code == 200  # not single-use: the donor may open it again
        assert anon.get("/c/AAAAAAAA").status_code == 404
    with noon(D + timedelta(days=400)):
        assert anon.get(path).status_code == 404  # expired


def test_no_thank_you_without_consent_and_none_sent_after_an_opt_out(consenting, units):
    silent = DonorFactory(unit=units.station_a)
    with noon(D):
        give(silent, D)
        give(consenting, D)
        assert list(Message.objects.values_list("recipient_key", flat=True)) == [
            f"donor:{consenting.pk}"
        ]
        consent_withdraw(
            donor=consenting, purpose=ConsentPurpose.REMINDERS, source=ConsentSource.STAFF
        )
        message = Message.objects.get()
        sending.message_send(message.pk)
        message.refresh_from_db()
    assert message.state == "cancelled"


def test_eligible_again_is_said_once_until_the_next_donation(consenting, settings):
    settings.DONOR_ELIGIBLE_LOOKBACK_DAYS = 0
    first = D - timedelta(days=200)
    with noon(first):
        give(consenting, first)
    eligible = first + timedelta(days=90)
    with noon(eligible):
        assert donor_reminders.scan() == 1
    # A short deferral, then eligible again: no second "you can donate again".
    with noon(eligible + timedelta(days=5)):
        deferral_create(
            donor=consenting,
            category="antibiotics",
            starts_on=eligible + timedelta(days=5),
            until=eligible + timedelta(days=12),
        )
    with noon(eligible + timedelta(days=12)):
        assert donor_reminders.scan() == 0
    # The next donation: a new message when that interval ends.
    again = eligible + timedelta(days=20)
    with noon(again):
        give(consenting, again)
    with noon(again + timedelta(days=90)):
        assert donor_reminders.scan() == 1
    told = Message.objects.filter(topic="eligible_again").order_by("due_on")
    assert [m.due_on for m in told] == [eligible, again + timedelta(days=90)]
