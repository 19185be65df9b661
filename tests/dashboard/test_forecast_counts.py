"""The forecast's two counts at any scale, exact: the units due summed in SQL equal every
child's calendar walked by ``thalassemia.schedule``, and the donors eligible by then, read
from the eligible pool's steps, equal ``eligible_on`` over the donor rows — for random
children and donors, every scope, group and horizon."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from dashboard import demand
from dashboard.selectors import DashboardQuery
from donors import pool
from donors.models import Donor, EligiblePoolStep
from donors.selectors import eligible_on
from tests.donors.test_standing import random_registry
from tests.factories import make_patient
from thalassemia import schedule
from thalassemia.calendar import plan_change, plans_of
from thalassemia.models import Patient, Transfusion
from thalassemia.selectors import patients_for, units_needed_by_group, with_plans
from thalassemia.transfusions import transfusion_cancel, transfusion_record_missed

pytestmark = pytest.mark.django_db

HORIZONS = (0, 1, 7, 20, 30, 90, 365, 730)
GROUPS = ("A+", "B+", "O+", "AB-", "")


def query(user, unit=None, group=""):
    today = timezone.localdate()
    return DashboardQuery(user=user, start=today, end=today, unit=unit, blood_group=group)


def random_children(units, seed=7, size=45):
    """Children of every plan history: one plan or several, a plan that starts later (the
    doctor's change from next month), overdue and missed transfusions, a cancelled one,
    several units and intervals, and one with no transfusion yet."""
    rng = random.Random(seed)
    today = timezone.localdate()
    stations = [units.station_a, units.station_a2, units.station_b, units.station_c]
    for i in range(size):
        child = make_patient(
            rng.choice(stations),
            name=f"Child {i:02d}",
            blood_group=rng.choice(GROUPS),
            units=rng.randint(1, 3),
            interval=rng.choice([7, 14, 15, 21, 28, 45, 60]),
            last_transfused_on=(
                today - timedelta(days=rng.randint(0, 80)) if rng.random() < 0.95 else None
            ),
        )
        for _ in range(rng.choice([0, 0, 1, 2])):
            plan_change(
                patient=child,
                units_per_transfusion=rng.randint(1, 4),
                interval_days=rng.randint(7, 60),
                valid_from=today + timedelta(days=rng.randint(-120, 120)),
            )
        open_one = Transfusion.objects.filter(
            patient=child, status__in=["due", "scheduled", "missed"]
        ).first()
        if open_one is not None and open_one.due_on < today and rng.random() < 0.5:
            transfusion_record_missed(transfusion=open_one)
        elif open_one is not None and rng.random() < 0.1:
            transfusion_cancel(transfusion=open_one)


@pytest.fixture
def children(units):
    random_children(units)


def test_the_sum_of_the_calendars_is_the_walk(admin_user, coordinator, units, children):
    today = timezone.localdate()
    active = Patient.objects.filter(status="active", next_due_on__isnull=False)
    # The data set has what the arithmetic must get right.
    assert active.filter(next_due_on__lt=today).exists()  # overdue
    assert active.filter(plans__valid_from__gt=today).exists()  # a plan still to come
    assert active.filter(plans__valid_from__lte=today).distinct().count() > 20
    assert Transfusion.objects.filter(status="missed").exists()
    untils = [today + timedelta(days=n) for n in HORIZONS]
    queries = [
        query(admin_user),
        query(coordinator),
        query(admin_user, unit=units.kotwali_circle),
        query(coordinator, unit=units.station_b),
        *(query(admin_user, group=g) for g in GROUPS if g),
    ]
    for q in queries:
        for on in (today, today + timedelta(days=45)):  # which plans have started moves
            days = [u + (on - today) for u in untils]
            assert demand.units_due_by_group(q, days, on) == demand.units_due_by_walk(
                q, days, on
            ), (q.unit, q.blood_group, on)


def test_the_forecast_is_the_thalassaemia_apps_count(coordinator, children):
    q = query(coordinator)
    for days, forecast in zip(HORIZONS, demand.forecasts(q, HORIZONS), strict=True):
        walked = units_needed_by_group(days, coordinator)
        assert forecast.units_needed == {g: n for g, n in walked.items() if n}, days


def test_the_pool_counts_what_eligible_on_finds(admin_user, coordinator, units):
    pool.rebuild()
    random_registry(units.station_a, seed=3, size=40)
    random_registry(units.station_b, seed=4, size=25)
    random_registry(units.station_c, seed=5, size=25)
    # Spread the groups (the registry's donors are all O+).
    rng = random.Random(9)
    for donor in Donor.objects.order_by("pk"):
        Donor.objects.filter(pk=donor.pk).update(blood_group=rng.choice(GROUPS))
    today = timezone.localdate()
    dates = [today + timedelta(days=n) for n in HORIZONS]
    for q in [
        query(admin_user),
        query(coordinator),
        query(coordinator, unit=units.kotwali_circle),
        query(admin_user, unit=units.dehat, group="B+"),
        query(admin_user, group="AB-"),
    ]:
        found = demand.eligible_by_group_on(q, dates)
        assert found == demand.eligible_by_group_scan(q, dates)
        for on in dates:
            donors = demand._donors(q)
            want = Counter(eligible_on(donors, on).values_list("blood_group", flat=True))
            assert found[on] == dict(want), (q.unit, q.blood_group, on)
    if connection.vendor == "postgresql":  # the answers above came from the steps
        steps = EligiblePoolStep.objects.all()
        assert pool.eligible_counts(Donor.objects.all(), steps, dates) is not None


def test_the_annual_need_is_the_plan_in_force_on_each_child(admin_user, coordinator, children):
    today = timezone.localdate()
    for user in (admin_user, coordinator):
        for on in (today, today + timedelta(days=60), today - timedelta(days=200)):
            want: dict[str, float] = {}
            for child in with_plans(patients_for(user).filter(status="active")):
                plan = schedule.plan_on(plans_of(child), on)
                if plan is not None:
                    annual = schedule.annual_units(plan.units, plan.interval_days)
                    want[child.blood_group] = want.get(child.blood_group, 0.0) + annual
            got = demand.annual_need_by_group(query(user), on)
            assert got.keys() == want.keys()
            for group, annual in want.items():
                assert got[group] == pytest.approx(annual), (group, on)
