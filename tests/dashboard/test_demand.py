"""The children's figures: transfusions in a range, need, forecast, supply risk and the
children at risk, against records built here."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard import demand
from dashboard.rollups import figures_refresh
from dashboard.selectors import DashboardQuery
from tests.factories import DonationFactory, DonorFactory, make_patient
from thalassemia.models import Assignment, Transfusion
from thalassemia.selectors import units_needed_by_group
from thalassemia.transfusions import transfusion_record_missed

pytestmark = pytest.mark.django_db


def q(user, unit=None, group="", days_back=40):
    figures_refresh()  # the transfusion figures are read from the roll-ups
    today = timezone.localdate()
    return DashboardQuery(
        user=user, start=today - timedelta(days=days_back), end=today, unit=unit, blood_group=group
    )


def open_of(patient):
    return Transfusion.objects.get(patient=patient, status__in=["due", "scheduled", "missed"])


def confirm(transfusion, donor, status="confirmed"):
    return Assignment.objects.create(
        transfusion=transfusion,
        donor=donor,
        on=transfusion.due_on,
        blocks_until=transfusion.due_on + timedelta(days=90),
        status=status,
    )


@pytest.fixture
def children(units):
    today = timezone.localdate()
    small = make_patient(
        units.station_a,
        name="Small",
        blood_group="A+",
        last_transfused_on=today - timedelta(days=30),
    )
    transfusion_record_missed(transfusion=open_of(small))  # due 9 days ago, missed
    older = make_patient(
        units.station_b,
        name="Older",
        units=2,
        interval=15,
        blood_group="B+",
        last_transfused_on=today - timedelta(days=5),
    )
    covered = make_patient(
        units.station_a2,
        name="Covered",
        blood_group="O+",
        last_transfused_on=today - timedelta(days=18),
    )
    half = make_patient(
        units.station_b,
        name="Half",
        units=2,
        interval=15,
        blood_group="B+",
        last_transfused_on=today - timedelta(days=12),
    )
    make_patient(
        units.station_c,
        name="Dehat",
        blood_group="A+",
        last_transfused_on=today - timedelta(days=20),
    )
    make_patient(units.station_a, name="Gone", status="inactive")
    return {"small": small, "older": older, "covered": covered, "half": half}


def test_transfusions_due_done_and_missed_in_the_range(coordinator, units, children):
    figures = demand.children_summary(q(coordinator))
    assert figures["children_active"] == 4
    # Each child's last transfusion (done) fell in the range, plus Small's missed one.
    assert figures["transfusions_due"] == 5
    assert figures["transfusions_done"] == 4
    assert figures["transfusions_missed"] == 1
    assert figures["transfusions_overdue"] == 1
    assert figures["units_transfused"] == 1 + 2 + 1 + 2
    station_a = demand.children_summary(q(coordinator, unit=units.station_a))
    assert (station_a["children_active"], station_a["transfusions_missed"]) == (1, 1)
    assert demand.children_summary(q(coordinator, group="B+"))["units_transfused"] == 4


def test_a_transfusion_outside_the_range_does_not_count(coordinator, children):
    assert demand.children_summary(q(coordinator, days_back=10))["transfusions_done"] == 1


def test_annual_need_is_units_times_365_over_the_interval(coordinator, children):
    need = demand.annual_need_by_group(q(coordinator))
    assert need["A+"] == pytest.approx(365 / 21)
    assert need["B+"] == pytest.approx(2 * 2 * 365 / 15)
    assert need["O+"] == pytest.approx(365 / 21)


def test_the_forecast_agrees_with_the_thalassaemia_app(coordinator, units, children):
    (month,) = demand.forecasts(q(coordinator), [30])
    assert month.units_needed == units_needed_by_group(30, coordinator)
    (circle,) = demand.forecasts(q(coordinator, unit=units.kotwali_circle), [30])
    assert set(circle.units_needed) == {"A+", "O+"}


def test_donors_count_as_eligible_by_the_horizon(coordinator, units):
    today = timezone.localdate()
    rested = DonorFactory(unit=units.station_a, blood_group="O+")
    DonationFactory(donor=rested, donated_on=today - timedelta(days=10))
    DonorFactory(unit=units.station_b, blood_group="O+")
    DonorFactory(unit=units.station_c, blood_group="O+")  # another force
    soon, later = demand.forecasts(q(coordinator), [30, 90])
    assert soon.eligible_donors == {"O+": 1}
    assert later.eligible_donors == {"O+": 2}
    assert later.as_dict()["eligible_donors"]["O+"] == 2
    assert later.as_dict()["eligible_donors"]["A-"] == 0


def test_supply_risk_weeks_of_need_covered(coordinator, units, children):
    for _ in range(3):
        DonorFactory(unit=units.station_b, blood_group="B+")
    risk = {row.group: row for row in demand.supply_risk(q(coordinator))}
    weekly = 2 * 2 * 365 / 15 / (365 / 7)
    assert risk["B+"].eligible_now == 3
    assert risk["B+"].weeks_covered == pytest.approx(3 / weekly)
    assert risk["B+"].at_risk  # about 2 weeks, under the 4 of DASHBOARD_RISK_WEEKS
    assert risk["A+"].eligible_now == 0 and risk["A+"].weeks_covered == 0


def test_children_due_within_a_week_without_confirmed_donors(coordinator, units, children):
    donor = DonorFactory(unit=units.station_a2, blood_group="O+")
    confirm(open_of(children["covered"]), donor)
    b_donor = DonorFactory(unit=units.station_b, blood_group="B+")
    confirm(open_of(children["half"]), b_donor)  # 1 of the 2 units
    rows = list(demand.children_at_risk(q(coordinator)))
    assert [(t.patient.name, t.covered, t.units_needed) for t in rows] == [
        ("Small", 0, 1),
        ("Half", 1, 2),
    ]
    assert [
        t.patient.name for t in demand.children_at_risk(q(coordinator, unit=units.station_b))
    ] == ["Half"]
    # A page that lists the first few: the same order, and the count of them all.
    first = demand.children_at_risk(q(coordinator), limit=1)
    assert [(t.patient.name, t.covered) for t in first] == [("Small", 0)]
    assert demand.children_at_risk_count(q(coordinator)) == 2
    assert demand.children_at_risk_count(q(coordinator, unit=units.station_b)) == 1


def test_the_forecast_for_150_children_on_1_unit_every_21_days(admin_user, units):
    """Kanpur: 150 children on 1 unit / 21 days need about 2,607 units a year."""
    today = timezone.localdate()
    offsets = [i % 21 for i in range(150)]  # next dues spread over the interval
    for i, k in enumerate(offsets):
        make_patient(
            units.station_a,
            name=f"Child {i}",
            blood_group="B+",
            last_transfused_on=today + timedelta(days=k - 21),
        )
    query = q(admin_user)
    assert sum(demand.annual_need_by_group(query).values()) == pytest.approx(150 * 365 / 21)
    year, month = demand.forecasts(query, [365, 30])
    # Whole transfusions on calendars: each child's count differs from 365/21 by under one,
    # and with the dues spread evenly the sum stays within 1% of 2,607.
    assert abs(year.units_total - 2607) <= 26
    assert month.units_total == sum(len(range(k, 31, 21)) for k in offsets)
