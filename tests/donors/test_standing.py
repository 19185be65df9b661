"""The stored standing (``Donor.next_eligible_on`` and friends) says what ``check_eligibility``
says, for every donor of a random registry, on several dates, after every kind of write
(record, correct, withdraw, deferral, merge, outside last donation, erasure), and the
SQL that fills it in bulk writes the same values as the one Python function."""

import random
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from donors.choices import DeferralCategory, DonationKind, DonationOutcome
from donors.donations import donation_correct, donation_record, donation_withdraw
from donors.eligibility import check_eligibility, standing
from donors.models import Donation, Donor
from donors.privacy import donor_erase
from donors.selectors import eligible_on, facts_for, with_eligibility_facts
from donors.services import deferral_create, donor_merge, donor_update
from tests.factories import BloodCentreFactory, DeferralFactory, DonationFactory, DonorFactory

STANDING = ("next_eligible_on", "permanently_deferred", "last_donated_on", "eligibility_settled_on")
OFFSETS = (0, 1, 27, 56, 90, 120, 200, 366, 730)  # days from today asked about


def random_registry(unit, seed=12, size=70):
    """Donors of both sexes and every age, with whole-blood and apheresis donations of every
    outcome, outside last donations, deferrals ended, running, permanent and still to come."""
    rng = random.Random(seed)
    today = timezone.localdate()
    for i in range(size):
        donor = DonorFactory(
            unit=unit,
            name=f"Donor {i:03d}",
            sex=rng.choice("MMMFFO"),
            date_of_birth=today - timedelta(days=rng.randint(17 * 365, 67 * 365)),
            weight_kg=rng.choice([None, Decimal("44"), Decimal("60"), Decimal("80")]),
            external_last_donation_on=(
                today - timedelta(days=rng.randint(1, 500)) if rng.random() < 0.3 else None
            ),
        )
        for _ in range(rng.choice([0, 0, 1, 2, 3, 5, 8])):
            DonationFactory(
                donor=donor,
                donated_on=today - timedelta(days=rng.randint(0, 800)),
                kind=DonationKind.APHERESIS if rng.random() < 0.2 else DonationKind.WHOLE_BLOOD,
                outcome=rng.choice(
                    [DonationOutcome.COLLECTED] * 6
                    + [DonationOutcome.ADVERSE_REACTION, DonationOutcome.DEFERRED]
                ),
            )
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            starts_on = today + timedelta(days=rng.randint(-600, 40))
            permanent = rng.random() < 0.15
            DeferralFactory(
                donor=donor,
                category=DeferralCategory.PERMANENT if permanent else "tattoo",
                starts_on=starts_on,
                until=None if permanent else starts_on + timedelta(days=rng.randint(1, 400)),
            )


def assert_parity():
    """For every donor: the stored standing is what its history gives, and on each date
    ``eligible_on`` (reading it) and ``check_eligibility`` (the rules) agree."""
    today = timezone.localdate()
    donors = list(with_eligibility_facts(Donor.objects.all()))
    for donor in donors:
        facts = facts_for(donor)
        want = standing(facts)
        got = (
            donor.next_eligible_on,
            donor.permanently_deferred,
            donor.last_donated_on,
            donor.eligibility_settled_on,
        )
        assert got == (
            want.next_eligible_on,
            want.permanently_deferred,
            want.last_donated_on,
            want.settled_on,
        ), donor.name
    for offset in OFFSETS:
        on = today + timedelta(days=offset)
        in_python = {
            d.name
            for d in donors
            if d.erased_at is None and check_eligibility(facts_for(d), on).eligible
        }
        assert set(eligible_on(Donor.objects.all(), on).values_list("name", flat=True)) == (
            in_python
        ), on
        # The stored fields alone answer for every donor whose history is all past by then.
        for donor in donors:
            if donor.erased_at or (donor.eligibility_settled_on or date.min) > on:
                continue
            facts = facts_for(donor)
            history_allows = not donor.permanently_deferred and (
                donor.next_eligible_on is None or donor.next_eligible_on <= on
            )
            others = {"age_min", "age_max", "age_first_time", "weight"}
            reasons = set(check_eligibility(facts, on).codes)
            assert history_allows == (not reasons - others), (donor.name, on)


@pytest.fixture
def registry(units):
    random_registry(units.station_a)


def test_a_random_registry_agrees_on_every_date(registry):
    donors = Donor.objects.all()
    # The data set covers what the standing must get right.
    assert donors.filter(permanently_deferred=True).exists()
    assert donors.filter(next_eligible_on__gt=timezone.localdate()).exists()
    assert donors.filter(eligibility_settled_on__gt=timezone.localdate()).exists()  # to come
    assert donors.filter(last_donated_on__isnull=True).exists()
    assert Donation.objects.filter(kind=DonationKind.APHERESIS).exists()
    assert_parity()


def screened(**extra):
    return {
        "haemoglobin_g_dl": Decimal("13.5"),
        "weight_kg": Decimal("70"),
        "bp_systolic": 120,
        "bp_diastolic": 80,
        **extra,
    }


def test_every_write_keeps_it(registry, staff_a, units):
    today = timezone.localdate()
    centre = BloodCentreFactory()
    eligible = list(eligible_on(Donor.objects.order_by("pk"), today))
    first, second, third = eligible[:3]

    donation = donation_record(
        donor=first,
        donated_on=today,
        blood_centre=centre,
        outcome=DonationOutcome.COLLECTED,
        bag_number="STAND-1",
        bag_volume_ml=350,
        actor=staff_a,
        **screened(),
    )
    first.refresh_from_db()
    assert first.last_donated_on == today and first.next_eligible_on > today
    assert_parity()

    donation_record(
        donor=second,
        donated_on=today - timedelta(days=1),
        blood_centre=centre,
        outcome=DonationOutcome.DEFERRED,
        deferral_category=DeferralCategory.SCREENING,
        actor=staff_a,
        **screened(haemoglobin_g_dl=Decimal("11.0")),
    )
    assert_parity()

    donation_correct(donation=donation, actor=staff_a, bag_number="STAND-1B")
    assert_parity()

    donation_withdraw(donation=donation, actor=staff_a)
    assert_parity()

    deferral_create(
        donor=third,
        category=DeferralCategory.PERMANENT,
        starts_on=today - timedelta(days=3),
        actor=staff_a,
    )
    third.refresh_from_db()
    assert third.permanently_deferred
    assert third not in eligible_on(Donor.objects.all(), today + timedelta(days=3650))
    deferral_create(
        donor=first,
        category=DeferralCategory.TATTOO,
        starts_on=today + timedelta(days=10),
        until=today + timedelta(days=40),
        actor=staff_a,
    )
    assert_parity()

    keep, duplicate = Donor.objects.filter(last_donated_on__isnull=False).order_by("-pk")[:2]
    donor_merge(keep=keep, duplicate=duplicate, actor=staff_a)
    assert_parity()

    outside = Donor.objects.filter(erased_at__isnull=True).order_by("pk")[5]
    donor_update(donor=outside, actor=staff_a, external_last_donation_on=today - timedelta(days=2))
    assert_parity()
    donor_update(donor=outside, actor=staff_a, sex="F")
    assert_parity()

    donor_erase(donor=outside, actor=staff_a)
    assert_parity()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk SQL is PostgreSQL's")
def test_the_bulk_sql_writes_what_the_function_writes(registry, settings):
    before = list(Donor.objects.order_by("pk").values_list("pk", *STANDING))
    Donor.objects.update(
        next_eligible_on=None,
        permanently_deferred=False,
        last_donated_on=None,
        eligibility_settled_on=None,
    )
    call_command("refresh_eligibility", "--batch", "7", stdout=StringIO())

    assert list(Donor.objects.order_by("pk").values_list("pk", *STANDING)) == before

    settings.DONOR_INTERVAL_DAYS_MALE = 120
    settings.DONOR_MAX_DONATIONS_12M_FEMALE = 2
    settings.DONOR_APHERESIS_SWITCH_DAYS = 14
    call_command("refresh_eligibility", stdout=StringIO())
    assert_parity()
