"""Who gets messages: camp announcements and "eligible again" go only to donors who may
give on the day, hold no booking for a child their donation would break, consented to
reminders and have a verified number; a message still waiting when that changes is
cancelled at send time; and each scan costs the same few queries however many donors."""

import datetime as dt
from datetime import timedelta

import pytest

from camps import reminders as camp_reminders
from donors import reminders as donor_reminders
from donors.choices import ConsentPurpose, ConsentSource
from donors.consent import consent_give
from donors.models import Consent, Donor
from notifications.models import Message
from notifications.sending import message_send
from tests.factories import (
    CampFactory,
    DeferralFactory,
    DonationFactory,
    DonorFactory,
    make_assignment,
    make_patient,
)
from tests.helpers import assert_queries_bounded

from .consequences import noon

pytestmark = pytest.mark.django_db

D = dt.date(2026, 12, 10)
CAMP_ON = D + timedelta(days=5)
VERIFIED = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.CAMP_ANNOUNCE_DAYS_BEFORE = 7
    settings.DONOR_ELIGIBLE_LOOKBACK_DAYS = 0
    settings.NOTIFY_QUIET_CHANNELS = []


def donor(units, name, *, consent=True, **fields):
    person = DonorFactory(unit=units.station_a, name=name, **fields)
    if consent:
        consent_give(donor=person, purpose=ConsentPurpose.REMINDERS, source=ConsentSource.STAFF)
    return person


def book(units, person, on, *, group="B+", name="Child"):
    """``person`` confirmed to give for a child's transfusion on ``on``."""
    child = make_patient(
        units.station_a, name=name, blood_group=group, last_transfused_on=D - timedelta(days=10)
    )
    due = child.transfusions.get(status="due")
    return make_assignment(due, person, status="confirmed", on=on)


def told(topic):
    keys = Message.objects.filter(topic=topic).values_list("recipient_key", flat=True)
    return {Donor.objects.get(pk=key.split(":")[1]).name for key in keys}


def test_a_camp_is_announced_only_to_eligible_unbooked_consenting_verified_donors(units):
    with noon(D):
        gave_today = donor(units, "Gave today")
        DonationFactory(donor=gave_today, donated_on=D)
        book(units, donor(units, "Booked next day"), CAMP_ON + timedelta(days=1))
        donor(units, "Unverified pledge", verified_at=None, source="pledge")
        donor(units, "No reminders consent", consent=False)
        bombay = donor(units, "Only Bombay donor", blood_group="Oh")
        book(units, bombay, CAMP_ON + timedelta(days=10), group="Oh", name="Bombay child")
        DeferralFactory(donor=donor(units, "Deferred"), starts_on=D, until=D + timedelta(days=30))
        book(units, donor(units, "Booked after the interval"), CAMP_ON + timedelta(days=100))
        donor(units, "Eligible")
        CampFactory(unit=units.kotwali_circle, status="planned", held_on=CAMP_ON)
        assert camp_reminders.scan() == 2
        assert camp_reminders.scan() == 0
    assert told("camp_announcement") == {"Eligible", "Booked after the interval"}


def test_eligible_again_goes_only_to_unbooked_consenting_verified_donors(units):
    with noon(D):
        names = [
            "Eligible",
            "Booked in the new interval",
            "Unverified pledge",
            "No reminders consent",
            "Gave today",
        ]
        people = {
            name: donor(
                units,
                name,
                consent=name != "No reminders consent",
                verified_at=None if name == "Unverified pledge" else VERIFIED,
            )
            for name in names
        }
        for person in people.values():
            DonationFactory(donor=person, donated_on=D - timedelta(days=90))
        DonationFactory(donor=people["Gave today"], donated_on=D)
        book(units, people["Booked in the new interval"], D + timedelta(days=20))
        assert donor_reminders.scan() == 1
        assert donor_reminders.scan() == 0
    assert told("eligible_again") == {"Eligible"}


def test_a_waiting_announcement_is_cancelled_when_the_donor_has_since_been_booked(units):
    with noon(D):
        person = donor(units, "Eligible")
        CampFactory(unit=units.kotwali_circle, status="planned", held_on=CAMP_ON)
        camp_reminders.scan()
        message = Message.objects.get(topic="camp_announcement")
        book(units, person, CAMP_ON + timedelta(days=2))
        assert message_send(message.pk) == "cancelled"
    message.refresh_from_db()
    assert message.state == "cancelled" and "booked" in message.last_error


def test_a_waiting_announcement_is_cancelled_when_the_donor_has_since_donated(units):
    with noon(D):
        person = donor(units, "Eligible")
        CampFactory(unit=units.kotwali_circle, status="planned", held_on=CAMP_ON)
        camp_reminders.scan()
        DonationFactory(donor=person, donated_on=D)
        assert message_send(Message.objects.get().pk) == "cancelled"


def test_a_waiting_eligible_again_message_is_cancelled_when_the_donor_has_since_given_or_booked(
    units,
):
    with noon(D):
        gives, booked, waits = (donor(units, name) for name in ("Gives", "Booked", "Waits"))
        for person in (gives, booked, waits):
            DonationFactory(donor=person, donated_on=D - timedelta(days=90))
        assert donor_reminders.scan() == 3
        DonationFactory(donor=gives, donated_on=D)
        book(units, booked, D + timedelta(days=3))
        outcome = {
            m.recipient_key: message_send(m.pk)
            for m in Message.objects.filter(topic="eligible_again")
        }
    assert outcome == {
        f"donor:{gives.pk}": "cancelled",
        f"donor:{booked.pk}": "cancelled",
        f"donor:{waits.pk}": "sent",
    }


def many_donors(units, count, *, start, donated_on=None):
    """``count`` consenting, verified donors of station A in bulk; half of them booked out
    (given recently) when ``donated_on`` is set for everyone."""
    people = Donor.objects.bulk_create(
        Donor(
            name=f"Donor {start + i}",
            sex="M",
            date_of_birth=dt.date(1990, 1, 1),
            blood_group="O+",
            phone=f"+9195{start + i:08d}",
            unit=units.station_a,
            verified_at=VERIFIED,
        )
        for i in range(count)
    )
    Consent.objects.bulk_create(
        Consent(donor=p, purpose="reminders", source="staff", notice_version="1") for p in people
    )
    if donated_on is not None:
        for person in people:
            DonationFactory(donor=person, donated_on=donated_on)
    return people


def test_the_camp_scan_costs_the_same_queries_for_many_donors(units):
    with noon(D):
        CampFactory(unit=units.kotwali_circle, status="planned", held_on=CAMP_ON)
        book(units, donor(units, "Booked"), CAMP_ON + timedelta(days=1))
        many_donors(units, 3, start=0)
        assert_queries_bounded(
            camp_reminders.scan, lambda: many_donors(units, 60, start=100), maximum=8
        )
    assert Message.objects.filter(topic="camp_announcement").count() == 63


def test_the_eligible_again_scan_costs_the_same_queries_for_many_donors(units):
    back = D - timedelta(days=90)
    with noon(D):
        book(units, donor(units, "Booked"), D + timedelta(days=1))
        many_donors(units, 3, start=0, donated_on=back)
        assert_queries_bounded(
            donor_reminders.scan,
            lambda: many_donors(units, 40, start=100, donated_on=back),
            maximum=8,
        )
    assert Message.objects.filter(topic="eligible_again").count() == 43
