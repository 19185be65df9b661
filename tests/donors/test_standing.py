"""The stored standing (``Donor.next_eligible_on`` and friends) says what ``check_eligibility``
says, for every donor of a random registry, on several dates, after every kind of write
(record, correct, withdraw, deferral, merge, outside last donation, erasure), and the
SQL that fills it in bulk writes the same values as the one Python function.

The eligible pool's steps (``donors.pool``, kept by triggers on PostgreSQL) count, for every
blood group and date, exactly the donors ``eligible_on`` finds, after the same writes, after
a compaction, and as a rebuild from scratch would."""

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from donors import pool
from donors.choices import DeferralCategory, DonationKind, DonationOutcome
from donors.donations import donation_correct, donation_record, donation_withdraw
from donors.eligibility import check_eligibility, standing
from donors.models import Donation, Donor, EligiblePoolStep
from donors.privacy import donor_erase
from donors.selectors import eligible_on, facts_for, with_eligibility_facts
from donors.services import deferral_create, donor_merge, donor_update, donors_create_bulk
from donors.tasks import compact_eligible_pool
from tests.factories import BloodCentreFactory, DeferralFactory, DonationFactory, DonorFactory

STANDING = ("next_eligible_on", "permanently_deferred", "last_donated_on", "eligibility_settled_on")
OFFSETS = (0, 1, 27, 56, 90, 120, 200, 366, 730)  # days from today asked about


def random_registry(unit, seed=12, size=70, prefix="Donor"):
    """Donors of both sexes and every age, with whole-blood and apheresis donations of every
    outcome, outside last donations, deferrals ended, running, permanent and still to come."""
    rng = random.Random(seed)
    today = timezone.localdate()
    for i in range(size):
        donor = DonorFactory(
            unit=unit,
            name=f"{prefix} {i:03d}",
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
    assert_pool()


POSTGRES = connection.vendor == "postgresql"


def pool_counts(dates, unit=None):
    donors, steps = Donor.objects.all(), EligiblePoolStep.objects.all()
    if unit is not None:
        donors, steps = donors.filter(unit=unit), steps.filter(unit=unit)
    return pool.eligible_counts(donors, steps, dates)


def eligible_by_group(on, unit=None):
    donors = Donor.objects.all() if unit is None else Donor.objects.filter(unit=unit)
    return dict(Counter(eligible_on(donors, on).values_list("blood_group", flat=True)))


def assert_pool():
    """The steps count per group what ``eligible_on`` finds on every date asked, for all
    donors and for each unit's; still so after a compaction, which leaves exactly the
    steps a rebuild writes."""
    if not POSTGRES:
        return
    today = timezone.localdate()
    dates = [today + timedelta(days=offset) for offset in OFFSETS]
    units = set(Donor.objects.values_list("unit", flat=True))
    for _ in range(2):
        counted = pool_counts(dates)
        assert counted is not None
        for on in dates:
            assert counted[on] == eligible_by_group(on), on
        for unit in units:
            counted = pool_counts(dates, unit)
            for on in dates:
                assert counted[on] == eligible_by_group(on, unit), (unit, on)
        compact_eligible_pool()  # the beat's task: donors.pool.compact
    compacted = sorted(EligiblePoolStep.objects.values_list("unit", "blood_group", "day", "donors"))
    pool.rebuild()
    assert sorted(EligiblePoolStep.objects.values_list("unit", "blood_group", "day", "donors")) == (
        compacted
    )


@pytest.fixture
def registry(units):
    pool.rebuild()  # kept from here on by the triggers, through every write below
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

    # What the pool counts by, changed on the record: birth date (the age limits), group,
    # unit, weight.
    donor_update(donor=outside, actor=staff_a, date_of_birth=today.replace(year=today.year - 65))
    assert_parity()
    donor_update(donor=outside, actor=staff_a, blood_group="AB-", unit=units.station_b)
    assert_parity()
    donor_update(donor=outside, actor=staff_a, weight_kg=Decimal("44"))
    assert_parity()
    donor_update(donor=outside, actor=staff_a, weight_kg=Decimal("61"))
    assert_parity()

    donor_erase(donor=outside, actor=staff_a)
    assert_parity()

    # A registration in bulk (the import), one with an outside last donation.
    donors_create_bulk(
        actor=staff_a,
        rows=[
            {
                "name": f"Imported {i}",
                "sex": "M",
                "date_of_birth": date(1990 + i, 1, 1),
                "blood_group": "B+",
                "phone": f"+9197000000{i:02d}",
                "unit": units.station_b,
                "external_last_donation_on": today - timedelta(days=30 * i),
                "source": "staff",
            }
            for i in range(4)
        ],
    )
    assert_parity()

    # Writes around the services: a queryset update and a delete.
    Donor.objects.filter(blood_group="B+").update(blood_group="O-")
    assert_parity()
    Donor.objects.filter(last_donated_on__isnull=True, erased_at__isnull=True).first().delete()
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


@pytest.mark.skipif(not POSTGRES, reason="the steps are kept on PostgreSQL")
def test_the_pool_declines_what_it_cannot_answer(registry, settings):
    today = timezone.localdate()
    assert pool_counts([today]) is not None
    # A day before the floor (the steps of past days are folded onto it).
    assert pool_counts([today - timedelta(days=1), today]) is None
    # Other age limits than those it was built under: until refresh_eligibility rebuilds.
    settings.DONOR_MAX_AGE = 60
    assert pool_counts([today]) is None
    call_command("refresh_eligibility", stdout=StringIO())
    assert pool_counts([today])[today] == eligible_by_group(today)
    assert_parity()
    # Not kept (a bulk load under way): the callers count the donors.
    pool.suspend()
    assert pool_counts([today]) is None


@pytest.mark.skipif(not POSTGRES, reason="the SQL function is PostgreSQL's")
def test_the_age_limit_day_is_the_first_day_born_by_allows(db):
    """``donors_age_reached(dob, years)`` is the first D with dob <= _born_by(D, years),
    the test ``eligible_on`` makes, for birthdays around 29 February and month ends."""
    from donors.selectors import _born_by

    births = [
        date(y, m, d)
        for y in (1960, 1963, 1964, 2000)
        for m, d in [(2, 27), (2, 28), (2, 29), (3, 1), (12, 31), (1, 1), (6, 15)]
        if not (d == 29 and y % 4)
    ]
    for years in (18, 60, 65, 66):
        with connection.cursor() as cursor:
            for dob in births:
                cursor.execute("SELECT donors_age_reached(%s, %s)", [dob, years])
                (first,) = cursor.fetchone()
                assert dob <= _born_by(first, years), (dob, years)
                assert not dob <= _born_by(first - timedelta(days=1), years), (dob, years)
