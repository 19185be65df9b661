"""Matching never proposes an incompatible, ineligible, booked or related donor, and ranks
identical groups, the circle and phenotype fit first."""

import datetime
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from donors.compatibility import KNOWN_GROUPS, RED_CELL_DONORS, can_receive
from tests.factories import DonationFactory, DonorFactory, make_patient
from thalassemia.booking import assignment_create, assignment_set_status
from thalassemia.matching import match_donors
from thalassemia.models import DonorCircle

TODAY = date(2026, 11, 23)
ON = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)):
        yield


def child(units, **fields):
    fields.setdefault("last_transfused_on", date(2026, 11, 10))
    return make_patient(units.station_a, **fields)


def groups(suggestions):
    return [s.blood_group for s in suggestions]


def test_over_the_whole_table_only_compatible_donors_are_proposed_identical_first(units):
    for group in [*KNOWN_GROUPS, ""]:
        for _ in range(2):
            DonorFactory(unit=units.station_a, blood_group=group)
    for recipient in KNOWN_GROUPS:
        found = groups(match_donors(child(units, blood_group=recipient), ON, limit=100))
        assert all(can_receive(recipient, g) for g in found), (recipient, found)
        assert set(found) == set(RED_CELL_DONORS[recipient])
        assert found[:2] == [recipient, recipient]  # identical first
        assert "" not in found


def test_a_bombay_child_gets_only_bombay_donors_and_no_one_when_there_is_none(units):
    DonorFactory(unit=units.station_a, blood_group="O-")
    patient = child(units, blood_group="Oh")
    assert match_donors(patient, ON) == []
    DonorFactory(unit=units.station_a, blood_group="Oh")
    assert groups(match_donors(patient, ON)) == ["Oh"]


def test_a_child_with_no_blood_group_gets_no_suggestion(units):
    DonorFactory(unit=units.station_a, blood_group="O-")
    assert match_donors(child(units, blood_group=""), ON) == []


def test_phenotype_antibody_excludes_and_foreign_antigen_ranks_lower(units):
    patient = child(units, blood_group="B+", phenotype="C+ c+ E- e+ K-", alloantibodies="E")
    carries_e = DonorFactory(unit=units.station_a, blood_group="B+", phenotype="C+ E+ K-")
    carries_k = DonorFactory(unit=units.station_a, blood_group="B+", phenotype="C+ E- K+")
    fits = DonorFactory(unit=units.station_a, blood_group="B+", phenotype="C+ c+ E- e+ K-")
    unknown = DonorFactory(unit=units.station_a, blood_group="B+")
    found = match_donors(patient, ON)
    donors = [s.donor for s in found]
    assert carries_e not in donors
    assert donors.index(fits) < donors.index(carries_k)
    assert donors.index(unknown) < donors.index(carries_k)
    assert any("K" in r and "lacks" in r for r in found[donors.index(carries_k)].reasons)
    with pytest.raises(ValidationError) as error:
        assignment_create(transfusion=patient.transfusions.get(status="due"), donor=carries_e)
    assert "antibodies" in str(error.value)


def test_an_ineligible_donor_is_excluded_up_to_the_interval_boundary(units):
    patient = child(units, blood_group="A+")
    donor = DonorFactory(unit=units.station_a, blood_group="A+", sex="M")
    DonationFactory(donor=donor, donated_on=date(2026, 9, 1))  # men: 90 days → 30 Nov
    assert donor not in [s.donor for s in match_donors(patient, date(2026, 11, 29))]
    assert donor in [s.donor for s in match_donors(patient, date(2026, 11, 30))]
    woman = DonorFactory(unit=units.station_a, blood_group="A+", sex="F")
    DonationFactory(donor=woman, donated_on=date(2026, 8, 2))  # women: 120 days → 30 Nov
    assert woman not in [s.donor for s in match_donors(patient, date(2026, 11, 29))]
    assert woman in [s.donor for s in match_donors(patient, date(2026, 11, 30))]


def test_deferred_opted_out_and_away_donors_are_not_proposed(units):
    from tests.factories import DeferralFactory

    patient = child(units, blood_group="O+")
    deferred = DonorFactory(unit=units.station_a, blood_group="O+")
    DeferralFactory(donor=deferred, starts_on=date(2026, 11, 1), until=date(2027, 1, 1))
    DonorFactory(unit=units.station_a, blood_group="O+", opted_out_at=timezone.now())
    DonorFactory(unit=units.station_a, blood_group="O+", unavailable_until=ON)
    ok = DonorFactory(unit=units.station_a, blood_group="O+")
    assert [s.donor for s in match_donors(patient, ON)] == [ok]


def test_the_childs_guardians_are_never_proposed(units):
    guardian_donor = DonorFactory(unit=units.station_a, blood_group="O+", phone="+919812345678")
    other = DonorFactory(unit=units.station_a, blood_group="O+")
    patient = child(
        units,
        blood_group="O+",
        guardians=[{"name": "Mother", "relation": "mother", "phone": "098123 45678"}],
    )
    assert [s.donor for s in match_donors(patient, ON)] == [other]
    with pytest.raises(ValidationError):
        assignment_create(transfusion=patient.transfusions.get(status="due"), donor=guardian_donor)


def test_a_booked_donor_is_not_proposed_until_the_booking_is_declined(units):
    first = child(units, blood_group="O+")
    second = child(units, blood_group="O+", name="Second")
    donor = DonorFactory(unit=units.station_a, blood_group="O+")
    booking = assignment_create(transfusion=first.transfusions.get(status="due"), donor=donor)
    assert booking.blocks_until == booking.on + timedelta(days=90)
    assert donor not in [s.donor for s in match_donors(second, ON + timedelta(days=10))]
    assignment_set_status(assignment=booking, status="declined")
    assert donor in [s.donor for s in match_donors(second, ON + timedelta(days=10))]


def test_circle_members_come_after_identical_and_are_asked_in_turn(units):
    patient = child(units, blood_group="A+")
    identical = DonorFactory(unit=units.station_b, blood_group="A+", name="Zed")
    asked_lately = DonorFactory(unit=units.station_a, blood_group="A+", name="Amit")
    never_asked = DonorFactory(unit=units.station_a, blood_group="A+", name="Bina")
    compatible_member = DonorFactory(unit=units.station_a, blood_group="O+", name="Chand")
    DonorCircle.objects.create(patient=patient, donor=asked_lately, order=1, last_asked_on=TODAY)
    DonorCircle.objects.create(patient=patient, donor=never_asked, order=2)
    DonorCircle.objects.create(patient=patient, donor=compatible_member, order=3)
    found = match_donors(patient, ON)
    assert [s.donor for s in found] == [never_asked, asked_lately, identical, compatible_member]
    assert any("circle" in r for r in found[0].reasons)


def test_fewer_recent_requests_then_longer_rest_then_same_unit_rank_higher(units):
    patient = child(units, blood_group="A+")
    other_unit = DonorFactory(unit=units.station_b, blood_group="A+", name="Aa")
    same_unit = DonorFactory(unit=units.station_a, blood_group="A+", name="Bb")
    rested_less = DonorFactory(unit=units.station_a, blood_group="A+", name="Cc")
    DonationFactory(donor=rested_less, donated_on=date(2026, 6, 1))
    found = [s.donor for s in match_donors(patient, ON)]
    assert found == [same_unit, other_unit, rested_less]


def test_living_blood_bank_members_rank_first_among_equals_within_48_hours(units):
    patient = child(units, blood_group="A+")
    plain = DonorFactory(unit=units.station_a, blood_group="A+", name="Aa")
    on_call = DonorFactory(
        unit=units.station_a, blood_group="A+", name="Zz", living_blood_bank=True
    )
    assert [s.donor for s in match_donors(patient, TODAY + timedelta(days=1))] == [on_call, plain]
    assert [s.donor for s in match_donors(patient, TODAY + timedelta(days=10))] == [plain, on_call]


def test_matching_runs_a_fixed_number_of_queries_whatever_the_donor_count(units):
    patient = child(units, blood_group="O+")

    def run():
        with CaptureQueriesContext(connection) as ctx:
            match_donors(patient, ON)
        return len(ctx.captured_queries)

    for _ in range(3):
        DonationFactory(
            donor=DonorFactory(unit=units.station_a, blood_group="O+"), donated_on=date(2026, 1, 1)
        )
    before = run()
    for _ in range(20):
        DonationFactory(
            donor=DonorFactory(unit=units.station_a, blood_group="O-"), donated_on=date(2026, 1, 1)
        )
    assert run() == before <= 8


def test_a_user_only_gets_donors_in_their_scope(units, staff_b):
    patient = child(units, blood_group="O+")
    mine = DonorFactory(unit=units.station_b, blood_group="O+")
    DonorFactory(unit=units.station_a, blood_group="O+")
    assert [s.donor for s in match_donors(patient, ON, user=staff_b)] == [mine]


def test_the_circle_takes_only_compatible_donors_who_are_not_guardians(units):
    from thalassemia.booking import circle_add

    patient = child(
        units,
        blood_group="A-",
        guardians=[{"name": "Father", "relation": "father", "phone": "+919812300001"}],
    )
    with pytest.raises(ValidationError):
        circle_add(patient=patient, donor=DonorFactory(unit=units.station_a, blood_group="A+"))
    with pytest.raises(ValidationError):
        circle_add(
            patient=patient,
            donor=DonorFactory(unit=units.station_a, blood_group="A-", phone="+919812300001"),
        )
    member = circle_add(patient=patient, donor=DonorFactory(unit=units.station_a, blood_group="O-"))
    assert member.order == 1
    assert not DonorCircle.objects.exclude(pk=member.pk).exists()


def test_with_many_donors_the_database_prerank_keeps_identical_and_circle_first(units, settings):
    settings.THAL_MATCH_CANDIDATES = 10
    patient = child(units, blood_group="A+")
    for _ in range(12):
        DonorFactory(unit=units.station_a, blood_group="O+")
    identical = [DonorFactory(unit=units.station_b, blood_group="A+") for _ in range(2)]
    member = DonorFactory(unit=units.station_b, blood_group="O-")
    DonorCircle.objects.create(patient=patient, donor=member, order=1)
    found = [s.donor for s in match_donors(patient, ON, limit=50)]
    assert len(found) == 10
    assert set(found[:2]) == set(identical) and found[2] == member
