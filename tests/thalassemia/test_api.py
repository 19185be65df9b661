"""The patients, transfusions and assignments API, with schedule and matches: DESIGN.md's
contract, scoped, 400 with a field map on bad input, 404 out of scope."""

import datetime
from datetime import date

import pytest
import time_machine

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from tests.factories import DonorFactory, make_patient
from tests.helpers import assert_queries_bounded
from thalassemia.models import Assignment, Patient

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)):
        yield


def body(unit, **overrides):
    data = {
        "name": "Aarav",
        "sex": "M",
        "date_of_birth": "2019-04-02",
        "blood_group": "B+",
        "unit": unit.pk,
        "units_per_transfusion": 1,
        "interval_days": 21,
        "last_transfused_on": "2026-11-10",
    }
    data.update(overrides)
    return data


def child(tree, unit=None, **fields):
    fields.setdefault("last_transfused_on", date(2026, 11, 10))
    return make_patient(unit or tree.station_a, **fields)


def test_create_answers_id_next_due_and_annual_units(api_client_for, coordinator, units):
    response = api_client_for(coordinator).post(
        "/api/v1/patients/",
        body(
            units.station_a,
            guardians=[{"name": "Sunita", "relation": "mother", "phone": "98123 45678"}],
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert isinstance(answer["id"], int)
    assert answer["next_due_on"] == "2026-12-01"
    assert answer["annual_units"] == 17.4
    assert answer["units_per_transfusion"] == 1 and answer["interval_days"] == 21
    assert answer["last_transfused_on"] == "2026-11-10"
    assert answer["guardians"][0]["phone"] == "+919812345678"
    for field in ("name", "sex", "date_of_birth", "blood_group", "unit"):
        assert answer[field] == body(units.station_a)[field]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"interval_days": 61}, "interval_days"),
        ({"interval_days": 6}, "interval_days"),
        ({"units_per_transfusion": 0}, "units_per_transfusion"),
        ({"blood_group": "C+"}, "blood_group"),
        ({"date_of_birth": "notadate"}, "date_of_birth"),
        ({"last_transfused_on": "2027-01-01"}, "last_transfused_on"),
        ({"last_transfused_on": "31/12/2026"}, "last_transfused_on"),
        ({"alloantibodies": "Q"}, "alloantibodies"),
        ({"phenotype": "X+"}, "phenotype"),
        ({"guardians": [{"name": "M", "relation": "mother", "phone": "12345"}]}, "phone"),
    ],
)
def test_bad_input_answers_400_with_the_field_and_creates_nothing(
    api_client_for, coordinator, units, overrides, field
):
    response = api_client_for(coordinator).post(
        "/api/v1/patients/", body(units.station_a, **overrides), format="json"
    )
    assert response.status_code == 400
    assert field in str(response.json())
    assert not Patient.objects.exists()


def test_a_unit_outside_scope_cannot_be_written(api_client_for, staff_a, units):
    response = api_client_for(staff_a).post(
        "/api/v1/patients/", body(units.station_b), format="json"
    )
    assert response.status_code == 400 and "unit" in response.json()


def test_patients_permission_triad(api_client_for, staff_a, staff_b, units, anon):
    patient = child(units)
    url = f"/api/v1/patients/{patient.pk}/"
    from rest_framework.test import APIClient

    assert APIClient().get(url).status_code in (401, 403)
    assert api_client_for(staff_b).get(url).status_code == 404
    assert api_client_for(staff_b).get(url + "schedule/?until=2027-01-01").status_code == 404
    assert api_client_for(staff_b).get(url + "matches/?on=2026-12-01").status_code == 404
    response = api_client_for(staff_a).get(url)
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(patient.pk), actor=staff_a
    ).exists()


def test_list_is_scoped_paginated_and_bounded(api_client_for, coordinator, staff_b, units):
    child(units, name="A")
    child(units, unit=units.station_b, name="B")
    client = api_client_for(coordinator)

    def grow():
        for n in range(5):
            child(units, name=f"More {n}", guardians=[{"name": "G", "phone": f"98765432{n}0"}])

    assert_queries_bounded(lambda: client.get("/api/v1/patients/"), grow, maximum=10)
    answer = client.get("/api/v1/patients/").json()
    assert answer["count"] == 7
    names = [p["name"] for p in api_client_for(staff_b).get("/api/v1/patients/").json()["results"]]
    assert names == ["B"]


def test_filter_by_due_window(api_client_for, coordinator, units):
    child(units, name="Soon", last_transfused_on=date(2026, 11, 10))  # due 1 Dec
    child(units, name="Later", last_transfused_on=date(2026, 11, 22))  # due 13 Dec
    child(units, name="Late", last_transfused_on=date(2026, 10, 1))  # overdue
    client = api_client_for(coordinator)
    names = lambda q: [p["name"] for p in client.get(f"/api/v1/patients/?{q}").json()["results"]]  # noqa: E731
    assert names("due=overdue") == ["Late"]
    assert names("due=14") == ["Late", "Soon"]
    assert client.get("/api/v1/patients/?due=99").status_code == 400


def test_update_changes_the_plan_and_records_a_new_last_transfusion(
    api_client_for, coordinator, units
):
    patient = child(units)
    client = api_client_for(coordinator)
    answer = client.patch(
        f"/api/v1/patients/{patient.pk}/",
        {"units_per_transfusion": 2, "interval_days": 15},
        format="json",
    ).json()
    assert (answer["units_per_transfusion"], answer["interval_days"]) == (2, 15)
    assert answer["next_due_on"] == "2026-11-25"
    answer = client.patch(
        f"/api/v1/patients/{patient.pk}/", {"last_transfused_on": "2026-11-23"}, format="json"
    ).json()
    assert answer["last_transfused_on"] == "2026-11-23"
    assert answer["next_due_on"] == "2026-12-08"
    assert patient.plans.count() == 2


def test_schedule_lists_due_dates_and_units_in_order(api_client_for, coordinator, units):
    patient = child(units, units=2, interval=15, last_transfused_on=date(2026, 11, 20))
    response = api_client_for(coordinator).get(
        f"/api/v1/patients/{patient.pk}/schedule/?until=2026-12-31"
    )
    assert response.status_code == 200
    assert response.json() == [
        {"due_on": "2026-12-05", "units": 2},
        {"due_on": "2026-12-20", "units": 2},
    ]


@pytest.mark.parametrize(
    "query, field", [("", "until"), ("?until=notadate", "until"), ("?until=2099-01-01", "until")]
)
def test_schedule_needs_a_good_date(api_client_for, coordinator, units, query, field):
    patient = child(units)
    response = api_client_for(coordinator).get(f"/api/v1/patients/{patient.pk}/schedule/{query}")
    assert response.status_code == 400 and field in response.json()


def test_matches_answer_donor_group_and_reasons_best_first(api_client_for, coordinator, units):
    patient = child(units, blood_group="A+")
    fallback = DonorFactory(unit=units.station_a, blood_group="O-")
    identical = DonorFactory(unit=units.station_a, blood_group="A+")
    DonorFactory(unit=units.station_a, blood_group="B+")
    client = api_client_for(coordinator)
    response = client.get(f"/api/v1/patients/{patient.pk}/matches/?on=2026-12-01")
    assert response.status_code == 200
    answer = response.json()
    assert [(m["donor"], m["blood_group"]) for m in answer] == [
        (identical.pk, "A+"),
        (fallback.pk, "O-"),
    ]
    assert all(m["reasons"] for m in answer)
    bad = client.get(f"/api/v1/patients/{patient.pk}/matches/?on=notadate")
    assert bad.status_code == 400 and "on" in bad.json()
    assert client.get(f"/api/v1/patients/{patient.pk}/matches/").status_code == 400


def test_matches_cost_a_bounded_number_of_queries(
    api_client_for, coordinator, units, django_assert_max_num_queries
):
    # The child alone is read (no plans, guardians or last transfusion), then matching's own.
    patient = child(units, blood_group="AB+")
    for group in ("AB+", "O+", "B-", "A+"):
        DonorFactory(unit=units.station_a, blood_group=group)
    client = api_client_for(coordinator)
    url = f"/api/v1/patients/{patient.pk}/matches/?on=2026-12-01"
    with django_assert_max_num_queries(9):
        assert len(client.get(url).json()) == 4
    for group in ("AB+", "O-", "B+", "AB-") * 5:
        DonorFactory(unit=units.station_b, blood_group=group)
    with django_assert_max_num_queries(9):
        assert len(client.get(url).json()) == 20


def test_recording_a_transfusion_done_moves_the_next_due_date(
    api_client_for, coordinator, staff_b, units
):
    patient = child(units)
    transfusion = patient.transfusions.get(status="due")
    url = f"/api/v1/transfusions/{transfusion.pk}/done/"
    assert api_client_for(staff_b).post(url, {}, format="json").status_code == 404
    client = api_client_for(coordinator)
    bad = client.post(url, {"done_on": "2027-01-01", "units_given": 1}, format="json")
    assert bad.status_code == 400 and "done_on" in bad.json()
    ok = client.post(
        url,
        {"done_on": "2026-11-23", "units_given": 1, "pre_haemoglobin_g_dl": "9.1"},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "done"
    assert client.get(f"/api/v1/patients/{patient.pk}/").json()["next_due_on"] == "2026-12-14"
    again = client.post(url, {"done_on": "2026-11-23", "units_given": 1}, format="json")
    assert again.status_code == 400


def test_transfusions_list_is_scoped_and_bounded(api_client_for, coordinator, staff_b, units):
    child(units)
    client = api_client_for(coordinator)

    def grow():
        for n in range(4):
            child(units, name=f"C{n}")

    assert_queries_bounded(lambda: client.get("/api/v1/transfusions/"), grow, maximum=6)
    assert api_client_for(staff_b).get("/api/v1/transfusions/").json()["count"] == 0


def test_assignments_create_refuse_bad_donors_and_double_booking(
    api_client_for, coordinator, units
):
    first = child(units, blood_group="O+")
    second = child(units, blood_group="O+", name="Second", last_transfused_on=date(2026, 11, 15))
    donor = DonorFactory(unit=units.station_a, blood_group="O+")
    wrong = DonorFactory(unit=units.station_a, blood_group="A+")
    client = api_client_for(coordinator)
    t1, t2 = (p.transfusions.get(status="due") for p in (first, second))
    incompatible = client.post(
        "/api/v1/assignments/", {"transfusion": t1.pk, "donor": wrong.pk}, format="json"
    )
    assert incompatible.status_code == 400 and "donor" in incompatible.json()
    created = client.post(
        "/api/v1/assignments/", {"transfusion": t1.pk, "donor": donor.pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["on"] == "2026-12-01"
    booked = client.post(
        "/api/v1/assignments/", {"transfusion": t2.pk, "donor": donor.pk}, format="json"
    )
    assert booked.status_code == 400 and "already booked" in str(booked.json()["donor"])
    assignment = created.json()["id"]
    confirmed = client.patch(
        f"/api/v1/assignments/{assignment}/", {"status": "confirmed"}, format="json"
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    backwards = client.patch(
        f"/api/v1/assignments/{assignment}/", {"status": "proposed"}, format="json"
    )
    assert backwards.status_code == 400 and "status" in backwards.json()
    assert Assignment.objects.count() == 1


def test_assignments_are_scoped(api_client_for, coordinator, staff_b, units):
    patient = child(units, blood_group="O+")
    donor = DonorFactory(unit=units.station_a, blood_group="O+")
    transfusion = patient.transfusions.get(status="due")
    created = api_client_for(coordinator).post(
        "/api/v1/assignments/", {"transfusion": transfusion.pk, "donor": donor.pk}, format="json"
    )
    url = f"/api/v1/assignments/{created.json()['id']}/"
    assert api_client_for(staff_b).get(url).status_code == 404
    foreign = api_client_for(staff_b).post(
        "/api/v1/assignments/", {"transfusion": transfusion.pk, "donor": donor.pk}, format="json"
    )
    assert foreign.status_code == 400 and "transfusion" in foreign.json()


def test_assignments_list_is_bounded_and_a_donation_links_when_donated(
    api_client_for, coordinator, units
):
    from tests.factories import DonationFactory

    client = api_client_for(coordinator)

    def assign(n):
        patient = child(units, blood_group="O+", name=f"P{n}")
        donor = DonorFactory(unit=units.station_a, blood_group="O+")
        return client.post(
            "/api/v1/assignments/",
            {"transfusion": patient.transfusions.get(status="due").pk, "donor": donor.pk},
            format="json",
        ).json()

    first = assign(0)
    assert_queries_bounded(
        lambda: client.get("/api/v1/assignments/"),
        lambda: [assign(n) for n in range(1, 4)],
        maximum=6,
    )
    url = f"/api/v1/assignments/{first['id']}/"
    client.patch(url, {"status": "confirmed"}, format="json")
    stranger = DonationFactory(donor=DonorFactory(unit=units.station_a))
    wrong = client.patch(url, {"status": "donated", "donation": stranger.pk}, format="json")
    assert wrong.status_code == 400 and "donation" in wrong.json()
    from donors.models import Donor

    own = DonationFactory(donor=Donor.objects.get(pk=first["donor"]), donated_on=date(2026, 11, 23))
    done = client.patch(url, {"status": "donated", "donation": own.pk}, format="json")
    assert done.status_code == 200 and done.json()["donation"] == own.pk


def test_a_hospital_date_sticks_through_a_plan_change(
    api_client_for, coordinator, staff_b, units, client_for
):
    patient = child(units)
    transfusion = patient.transfusions.get(status="due")
    url = f"/api/v1/transfusions/{transfusion.pk}/schedule/"
    assert (
        api_client_for(staff_b).post(url, {"due_on": "2026-12-03"}, format="json").status_code
        == 404
    )
    client = api_client_for(coordinator)
    past = client.post(url, {"due_on": "2026-11-01"}, format="json")
    assert past.status_code == 400 and "due_on" in past.json()
    assert client.post(url, {"due_on": "nope"}, format="json").status_code == 400
    answer = client.post(url, {"due_on": "2026-12-03"}, format="json").json()
    assert answer["status"] == "scheduled" and answer["due_on"] == "2026-12-03"
    client.patch(f"/api/v1/patients/{patient.pk}/", {"interval_days": 15}, format="json")
    assert client.get(f"/api/v1/patients/{patient.pk}/").json()["next_due_on"] == "2026-12-03"
    page = client_for(coordinator).post(
        f"/transfusions/{transfusion.pk}/schedule/", {"due_on": "bad"}
    )
    assert page.status_code == 302
    assert (
        client_for(staff_b)
        .post(f"/transfusions/{transfusion.pk}/schedule/", {"due_on": "2026-12-04"})
        .status_code
        == 404
    )
