"""bench/seed.py at its tiny scale writes a state the portal can read: a valid unit tree,
donors whose phones the registry accepts, donations spaced by the donor's interval and
dated as their camps, children whose next due date follows their last transfusion."""

import sys
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import PoliceUnit, User
from camps.models import Camp
from donors import pool
from donors.models import Deferral, Donation, Donor, EligiblePoolStep
from donors.phones import normalise_phone
from donors.selectors import eligible_on
from thalassemia.models import DonorCircle, Patient, Transfusion

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import seed  # noqa: E402

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the seeder writes with PostgreSQL COPY"
)


@pytest.fixture
def seeded(db):
    counts = seed.counts_for("tiny")
    figures = seed.Seeder(counts, out=open("/dev/null", "w")).run(analyse=False)  # noqa: SIM115
    return counts, figures


def test_the_unit_tree_is_one_treebeard_would_build(seeded):
    counts, _figures = seeded
    assert PoliceUnit.objects.find_problems() == ([], [], [], [], [])
    assert PoliceUnit.objects.count() == 1 + counts.zones + counts.forces + counts.circles + (
        counts.stations
    )
    for unit in PoliceUnit.objects.all():
        assert (
            unit.numchild
            == PoliceUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).count()
        )
    station = PoliceUnit.objects.filter(kind="station").first()
    assert station.force().kind in ("district", "commissionerate")


def test_donors_have_phones_the_registry_accepts_and_every_big_group(seeded):
    counts, figures = seeded
    assert Donor.objects.count() == counts.donors == figures["donor"]
    for phone in Donor.objects.values_list("phone", flat=True)[:100]:
        assert normalise_phone(phone) == phone
    groups = set(Donor.objects.values_list("blood_group", flat=True))
    assert {"O+", "B+", "A+", "AB+"} <= groups


def test_donations_keep_the_interval_and_camp_donations_fall_on_the_camp_day(seeded):
    counts, _figures = seeded
    assert Donation.objects.count() > counts.donors * 3
    by_donor = defaultdict(list)
    for donor_id, sex, on in Donation.objects.values_list(
        "donor_id", "donor__sex", "donated_on"
    ).order_by("donor_id", "donated_on"):
        by_donor[(donor_id, sex)].append(on)
    for (_donor, sex), days in by_donor.items():
        gap = 90 if sex == "M" else 120
        assert all((b - a).days >= gap for a, b in zip(days, days[1:], strict=False))
    for donation in Donation.objects.filter(camp__isnull=False).select_related("camp")[:200]:
        assert donation.donated_on == donation.camp.held_on
        assert donation.camp.status == "closed"
    deferred = Donation.objects.filter(outcome="deferred").count()
    assert Deferral.objects.filter(category="screening").count() == deferred
    assert Camp.objects.count() == counts.camps


def test_children_follow_their_plan_and_have_a_circle_of_their_group(seeded):
    counts, _figures = seeded
    assert Patient.objects.count() == counts.children
    for child in Patient.objects.all():
        plan = child.plans.get()
        done = Transfusion.objects.filter(patient=child, status="done").order_by("-done_on")
        last = done.first()
        assert child.next_due_on == last.done_on + timedelta(days=plan.interval_days)
        # The calendar terms the forecast sums, as the calendar would store them.
        assert (child.plan_units, child.plan_interval_days, child.plan_from) == (
            plan.units_per_transfusion,
            plan.interval_days,
            plan.valid_from,
        )
        assert child.next_due_units == plan.units_per_transfusion
        assert Transfusion.objects.filter(patient=child, status__in=("due", "missed")).count() == 1
    circle = DonorCircle.objects.select_related("donor", "patient")
    assert circle.exists()
    assert all(member.donor.blood_group == member.patient.blood_group for member in circle)


def test_the_personas_exist_and_some_donors_may_give_today(seeded):
    coordinator = User.objects.get(username="bench-coordinator")
    assert coordinator.unit.kind in ("district", "commissionerate")
    assert User.objects.get(username="bench-staff").unit.kind == "station"
    assert User.objects.get(username="bench-admin").is_portal_admin
    assert eligible_on(Donor.objects.all(), timezone.localdate()).exists()


def test_the_eligible_pool_is_counted_from_its_steps_as_from_the_donors(seeded):
    # The seeder rebuilds the steps its load bypassed: the forecast reads them, as on a
    # migrated database, and they count what eligible_on finds.
    today = timezone.localdate()
    dates = [today, today + timedelta(days=90)]
    counted = pool.eligible_counts(Donor.objects.all(), EligiblePoolStep.objects.all(), dates)
    assert counted is not None
    for on in dates:
        rows = eligible_on(Donor.objects.all(), on).values_list("blood_group", flat=True)
        assert counted[on] == dict(Counter(rows))


def test_the_seeder_refuses_a_database_not_named_for_the_bench(db):
    with pytest.raises(SystemExit, match="bb_bench"):
        seed.refuse_unless_bench_database()
