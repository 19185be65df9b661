"""An emergency's cast: a partner hospital with its emergency contact, and a force's donors
who may be called (living blood bank and the rest) beside donors who must never be."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from donors.choices import ConsentPurpose, ConsentSource
from donors.consent import consent_give
from donors.models import Donor
from tests.factories import DeferralFactory, DonationFactory, DonorFactory, HospitalContactFactory

# The fake SMS gateway and the real Celery worker of the outbox's tests (test_worker.py).
from tests.notifications.conftest import gateway, worker  # noqa: F401


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    # Quiet hours have their own test: the others must not depend on the hour they run at.
    settings.NOTIFY_QUIET_CHANNELS = []
    settings.EMERGENCY_WAVE_SIZE = 10
    settings.EMERGENCY_WAVE_MINUTES = 15


def reachable_donor(unit, *, group="O+", living=False, **fields):
    """A verified donor who consented to messages and may give today."""
    donor = DonorFactory(unit=unit, blood_group=group, living_blood_bank=living, **fields)
    consent_give(donor=donor, purpose=ConsentPurpose.REMINDERS, source=ConsentSource.STAFF)
    return donor


@pytest.fixture
def hospital():
    contact = HospitalContactFactory(
        hospital__name="Lala Lajpat Rai Hospital",
        hospital__address="Swaroop Nagar, Kanpur 208002",
        name="Dr Anita Verma",
        phone="+919711111111",
    )
    return contact.hospital


@pytest.fixture
def cast(units):
    """In the Kanpur commissionerate: 6 living blood bank members and 8 other donors who may
    be called for O+ (O+ and O−), and donors who must never be."""
    living = [
        reachable_donor(units.station_a if i % 2 else units.station_b, living=True, name=f"L{i}")
        for i in range(6)
    ]
    others = [
        reachable_donor(units.station_a2, group="O-" if i % 3 == 0 else "O+", name=f"R{i}")
        for i in range(8)
    ]
    today = timezone.localdate()
    never = {
        "incompatible": reachable_donor(units.station_a, group="A+", living=True, name="N-A+"),
        "other force": reachable_donor(units.station_c, living=True, name="N-dehat"),
        "deferred": reachable_donor(units.station_a, living=True, name="N-deferred"),
        "donated lately": reachable_donor(units.station_a, living=True, name="N-donated"),
        "permanently deferred": reachable_donor(units.station_a, name="N-permanent"),
        "opted out": reachable_donor(units.station_a, living=True, name="N-opted-out"),
        "unverified": reachable_donor(
            units.station_a, living=True, name="N-unverified", verified_at=None
        ),
        "no consent to messages": DonorFactory(
            unit=units.station_a, living_blood_bank=True, name="N-no-consent"
        ),
        "away": reachable_donor(
            units.station_a,
            living=True,
            name="N-away",
            unavailable_until=today + datetime.timedelta(days=2),
        ),
    }
    DeferralFactory(
        donor=never["deferred"],
        starts_on=today - datetime.timedelta(days=10),
        until=today + datetime.timedelta(days=100),
    )
    DeferralFactory(
        donor=never["permanently deferred"],
        starts_on=today - datetime.timedelta(days=10),
        until=None,
        category="permanent",
    )
    # Said stop after consenting (consent given clears the opt-out, so this comes last).
    Donor.objects.filter(pk=never["opted out"].pk).update(opted_out_at=timezone.now())
    DonationFactory(donor=never["donated lately"], donated_on=today - datetime.timedelta(days=20))
    for donor in never.values():
        donor.refresh_from_db()
    return SimpleNamespace(living=living, others=others, never=never)
