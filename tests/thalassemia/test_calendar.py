"""A child's calendar in the database: recording a transfusion moves it on, a missed one
stays overdue, a plan change moves the open date, and the demand adds up."""

import datetime
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.factories import make_patient
from thalassemia.calendar import plan_change
from thalassemia.children import patient_update
from thalassemia.choices import TransfusionStatus
from thalassemia.selectors import annual_units_total, due_soon, units_needed_by_group
from thalassemia.transfusions import (
    transfusion_cancel,
    transfusion_record_done,
    transfusion_record_missed,
)

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)):
        yield


def open_of(patient):
    return patient.transfusions.get(status__in=["due", "scheduled", "missed"])


def test_registration_with_a_last_transfusion_sets_the_next_due_date(units):
    child = make_patient(units.station_a, last_transfused_on=date(2026, 11, 10))
    assert child.next_due_on == date(2026, 12, 1)
    assert open_of(child).due_on == date(2026, 12, 1)
    assert open_of(child).units_needed == 1


def test_recording_a_transfusion_done_moves_the_calendar_on(units):
    child = make_patient(
        units.station_a, units=2, interval=15, last_transfused_on=date(2026, 11, 1)
    )
    due = open_of(child)
    assert due.due_on == date(2026, 11, 16)
    transfusion_record_done(transfusion=due, done_on=date(2026, 11, 18), units_given=2)
    child.refresh_from_db()
    assert child.next_due_on == date(2026, 12, 3)
    assert open_of(child).units_needed == 2


def test_a_missed_transfusion_stays_due_and_overdue(units, coordinator):
    child = make_patient(units.station_a, last_transfused_on=date(2026, 10, 20))
    due = open_of(child)
    transfusion_record_missed(transfusion=due, notes="fever")
    child.refresh_from_db()
    assert child.next_due_on == date(2026, 11, 10)  # still the missed date: it never rolls
    assert [r.patient for r in due_soon(coordinator, today=TODAY)["overdue"]] == [child]
    transfusion_record_done(transfusion=open_of(child), done_on=TODAY, units_given=1)
    child.refresh_from_db()
    assert child.next_due_on == date(2026, 12, 14)


def test_a_plan_change_moves_the_open_date_and_keeps_the_history(units):
    child = make_patient(units.station_a, last_transfused_on=date(2026, 11, 20))
    assert child.next_due_on == date(2026, 12, 11)
    plan_change(patient=child, units_per_transfusion=2, interval_days=15, valid_from=TODAY)
    child.refresh_from_db()
    assert child.next_due_on == date(2026, 12, 5)
    assert open_of(child).units_needed == 2
    assert child.plans.count() == 2


def test_a_plan_outside_the_allowed_interval_is_refused(units):
    child = make_patient(units.station_a, last_transfused_on=date(2026, 11, 20))
    with pytest.raises(ValidationError) as error:
        plan_change(patient=child, units_per_transfusion=1, interval_days=61)
    assert "interval_days" in error.value.message_dict
    assert child.plans.count() == 1


def test_a_cancelled_date_is_skipped_not_repeated(units):
    child = make_patient(units.station_a, last_transfused_on=date(2026, 11, 1))
    transfusion_cancel(transfusion=open_of(child))
    child.refresh_from_db()
    assert child.next_due_on == date(2026, 12, 13)


def test_recording_twice_is_refused(units):
    child = make_patient(units.station_a, last_transfused_on=date(2026, 11, 1))
    due = open_of(child)
    transfusion_record_done(transfusion=due, done_on=TODAY, units_given=1)
    with pytest.raises(ValidationError):
        transfusion_record_done(transfusion=due, done_on=TODAY, units_given=1)
    assert child.transfusions.filter(status=TransfusionStatus.DONE).count() == 2


def test_a_child_no_longer_active_has_no_due_date(units):
    child = make_patient(units.station_a, last_transfused_on=date(2026, 11, 1))
    patient_update(patient=child, status="transplanted")
    child.refresh_from_db()
    assert child.next_due_on is None
    assert not child.transfusions.filter(status__in=["due", "scheduled", "missed"]).exists()


def test_alloantibodies_are_checked_against_the_antigens(units):
    with pytest.raises(ValidationError) as error:
        make_patient(units.station_a, alloantibodies="E, Q")
    assert "alloantibodies" in error.value.message_dict
    child = make_patient(units.station_a, alloantibodies="anti-K e", phenotype="c+ C-")
    assert child.alloantibodies == "e, K"
    assert child.phenotype == "C- c+"


def test_150_children_on_1_unit_every_21_days_need_2607_units_a_year(units, coordinator):
    for n in range(150):
        make_patient(units.station_a, name=f"Child {n}", last_transfused_on=date(2026, 11, 20))
    assert round(annual_units_total(coordinator)) == 2607


def test_units_needed_by_group_counts_the_next_days_including_overdue(units, coordinator):
    make_patient(units.station_a, blood_group="B+", last_transfused_on=date(2026, 11, 20))
    make_patient(
        units.station_b,
        blood_group="B+",
        units=2,
        interval=15,
        last_transfused_on=date(2026, 11, 1),
    )  # overdue since 16 Nov
    make_patient(units.station_c, blood_group="O-", last_transfused_on=date(2026, 11, 20))
    # 30 days: B+ 1/21 due 11 Dec (1); B+ 2/15 overdue 16 Nov then 8 Dec (from today), 23 Dec (6)
    assert units_needed_by_group(30, coordinator, today=TODAY) == {"B+": 7}
