"""Matching at a state's scale: the pool is the child's force, read from each donor's stored
standing, and a donor whose history changes through a service drops out or comes back at
once (the API never proposes an ineligible donor)."""

import datetime
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from donors.donations import donation_record
from donors.services import deferral_create
from tests.factories import BloodCentreFactory, DonorFactory, make_patient
from thalassemia.matching import match_donors

ON = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)):
        yield


def names(suggestions):
    return {s.donor.name for s in suggestions}


def test_donors_of_another_force_are_not_proposed(units):
    DonorFactory(unit=units.station_b, name="Same force", blood_group="B+")
    DonorFactory(unit=units.station_c, name="Kanpur Dehat", blood_group="B+")
    patient = make_patient(units.station_a, blood_group="B+", last_transfused_on=date(2026, 11, 10))

    assert names(match_donors(patient, ON)) == {"Same force"}


def test_a_donation_or_a_deferral_takes_the_donor_out_of_the_pool_at_once(units, staff_a):
    giver = DonorFactory(unit=units.station_a, name="Gives today", blood_group="O+")
    deferred = DonorFactory(unit=units.station_a, name="Deferred", blood_group="O+")
    patient = make_patient(units.station_a, blood_group="O+", last_transfused_on=date(2026, 11, 10))
    assert names(match_donors(patient, ON)) == {"Gives today", "Deferred"}

    donation_record(
        donor=giver,
        donated_on=date(2026, 11, 23),
        blood_centre=BloodCentreFactory(),
        outcome="collected",
        bag_number="M-1",
        bag_volume_ml=350,
        haemoglobin_g_dl=Decimal("13.5"),
        weight_kg=Decimal("70"),
        bp_systolic=120,
        bp_diastolic=80,
        actor=staff_a,
    )
    deferral_create(donor=deferred, category="tattoo", starts_on=date(2026, 11, 20), actor=staff_a)

    assert names(match_donors(patient, ON)) == set()
    later = date(2026, 11, 23) + timedelta(days=400)
    assert names(match_donors(patient, later)) == {"Gives today", "Deferred"}
