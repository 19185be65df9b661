"""A child's calendar terms (the latest plan, the day it starts, the units due next) are
stored on the child by every path that changes its plans, transfusions or status, equal to
``schedule.terms`` of its plans, and equal to what ``store_all_terms`` computes in bulk
(the migration and the bench seeder's rule)."""

import datetime
from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command

from tests.factories import make_patient
from thalassemia import schedule
from thalassemia.calendar import plan_change, plans_of, store_all_terms
from thalassemia.children import patient_update
from thalassemia.models import Patient
from thalassemia.privacy import patient_erase
from thalassemia.transfusions import (
    patient_record_last_transfusion,
    transfusion_cancel,
    transfusion_record_done,
    transfusion_record_missed,
    transfusion_schedule,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
FIELDS = ("plan_units", "plan_interval_days", "plan_from", "next_due_units")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)):
        yield


def stored(child) -> tuple:
    return Patient.objects.filter(pk=child.pk).values_list("next_due_on", *FIELDS).get()


def wanted(child) -> tuple:
    child = Patient.objects.get(pk=child.pk)
    terms = schedule.terms(plans_of(child, fresh=True), child.next_due_on)
    return (child.next_due_on, *(getattr(terms, name) for name in FIELDS))


def check(*children):
    """Each child's stored terms are its plans' terms, and the bulk rule agrees."""
    before = [stored(child) for child in children]
    assert before == [wanted(child) for child in children]
    Patient.objects.update(plan_units=None, plan_interval_days=None, next_due_units=None)
    store_all_terms()
    assert [stored(child) for child in children] == before
    return before


def open_of(child):
    return child.transfusions.get(status__in=["due", "scheduled", "missed"])


def test_every_write_keeps_the_terms(units, admin_user):
    child = make_patient(
        units.station_a, units=1, interval=21, last_transfused_on=date(2026, 11, 10)
    )
    assert check(child) == [(date(2026, 12, 1), 1, 21, date(2026, 11, 10), 1)]
    # A plan from a later day: the latest plan starts then; the next date keeps the old one.
    plan_change(
        patient=child, units_per_transfusion=2, interval_days=15, valid_from=date(2026, 12, 20)
    )
    assert check(child) == [(date(2026, 12, 1), 2, 15, date(2026, 12, 20), 1)]
    transfusion_record_done(transfusion=open_of(child), done_on=TODAY, units_given=1)
    (row,) = check(child)
    assert row[0] == date(2026, 12, 14) and row[-1] == 1
    transfusion_record_missed(transfusion=open_of(child))
    check(child)
    transfusion_cancel(transfusion=open_of(child))
    (row,) = check(child)
    assert row[-1] == 2  # the next date falls under the plan from 20 December
    transfusion_schedule(transfusion=open_of(child), due_on=TODAY + timedelta(days=3))
    check(child)
    # Two plans from the same day: the later one is in force.
    plan_change(patient=child, units_per_transfusion=3, interval_days=28, valid_from=TODAY)
    plan_change(patient=child, units_per_transfusion=4, interval_days=30, valid_from=TODAY)
    check(child)
    patient_record_last_transfusion(patient=child, on=TODAY)
    check(child)
    patient_update(patient=Patient.objects.get(pk=child.pk), status="inactive")
    (row,) = check(child)
    assert row[0] is None and row[-1] is None and row[1] == 2  # plans kept, nothing due
    patient_update(patient=Patient.objects.get(pk=child.pk), status="active")
    (row,) = check(child)
    assert row[0] is not None and row[-1] is not None
    patient_erase(patient=child, actor=admin_user)
    check(child)


def test_a_child_with_no_transfusion_yet_and_a_plan_from_today(units):
    child = make_patient(units.station_b, units=2, interval=15)
    other = make_patient(units.station_a, units=1, interval=21, plan_valid_from=TODAY)
    check(child, other)


def test_the_demo_children_have_their_terms(settings):
    settings.DEBUG = True
    call_command("load_demo")
    children = list(Patient.objects.all())
    assert children and all(child.plan_units for child in children)
    check(*children)
