"""The donors, donations, deferrals and eligibility API: DESIGN.md's contract, scoped."""

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from donors.models import Deferral, Donation, Donor
from tests.factories import BloodCentreFactory, DonationFactory, DonorFactory
from tests.helpers import assert_queries_bounded

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.UTC)):
        yield


def contract_body(home, **overrides):
    body = {
        "name": "Kavita Rao",
        "sex": "F",
        "date_of_birth": "1994-08-30",
        "blood_group": "AB-",
        "phone": "+91 91234 56789",
        "weight_kg": "52.5",
        "unit": home.pk,
        "last_donated_on": "2026-09-01",
    }
    body.update(overrides)
    return body


def test_create_answers_id_and_the_same_fields(api_client_for, staff_a, units):
    response = api_client_for(staff_a).post(
        "/api/v1/donors/", contract_body(units.station_a), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert isinstance(body["id"], int)
    assert body["phone"] == "+919123456789"
    for field in ("name", "sex", "date_of_birth", "blood_group", "weight_kg", "last_donated_on"):
        assert body[field] == contract_body(units.station_a)[field]
    assert body["unit"] == units.station_a.pk
    donor = Donor.objects.get(pk=body["id"])
    assert donor.external_last_donation_on == datetime.date(2026, 9, 1)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"phone": "12345"}, "phone"),
        ({"sex": "X"}, "sex"),
        ({"blood_group": "C+"}, "blood_group"),
        ({"date_of_birth": "yesterday"}, "date_of_birth"),
        ({"date_of_birth": "2031-01-01"}, "date_of_birth"),
        ({"weight_kg": "heavy"}, "weight_kg"),
        ({"unit": 999999}, "unit"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_400_with_field_errors(api_client_for, staff_a, units, overrides, field):
    response = api_client_for(staff_a).post(
        "/api/v1/donors/", contract_body(units.station_a, **overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Donor.objects.exists()


def test_a_unit_outside_scope_is_refused_like_a_missing_one(api_client_for, staff_a, units):
    response = api_client_for(staff_a).post(
        "/api/v1/donors/", contract_body(units.station_b), format="json"
    )
    assert response.status_code == 400 and "unit" in response.json()


def test_a_known_number_in_another_form_is_a_duplicate(api_client_for, staff_a, units):
    DonorFactory(
        phone="+919123456789",
        name="Kavita Rao",
        date_of_birth=datetime.date(1994, 8, 30),
        unit=units.station_a,
    )
    response = api_client_for(staff_a).post(
        "/api/v1/donors/", contract_body(units.station_a, phone="09123456789"), format="json"
    )
    assert response.status_code == 400
    assert "already registered" in response.json()["phone"][0]


def test_list_and_detail_are_scoped(api_client_for, staff_a, units):
    mine = DonorFactory(unit=units.station_a)
    theirs = DonorFactory(unit=units.station_b)
    client = api_client_for(staff_a)
    assert [d["id"] for d in client.get("/api/v1/donors/").json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/donors/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/donors/{theirs.pk}/eligibility/").status_code == 404
    assert client.get(f"/api/v1/donors/{mine.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(mine.pk)).exists()


def test_anonymous_callers_are_refused(units):
    assert APIClient().get("/api/v1/donors/").status_code in (401, 403)


def test_delete_is_not_offered(api_client_for, admin_user, units):
    donor = DonorFactory(unit=units.station_a)
    assert api_client_for(admin_user).delete(f"/api/v1/donors/{donor.pk}/").status_code == 405


def test_update_normalises_and_audits(api_client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    response = api_client_for(staff_a).patch(
        f"/api/v1/donors/{donor.pk}/", {"phone": "09988776655"}, format="json"
    )
    assert response.status_code == 200 and response.json()["phone"] == "+919988776655"
    assert AuditEvent.objects.get(action=AuditAction.UPDATE).details["fields"] == ["phone"]


def test_eligibility_answers_the_contract(api_client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a, sex="F")
    DonationFactory(donor=donor, donated_on=datetime.date(2026, 10, 1))
    client = api_client_for(staff_a)
    today = client.get(f"/api/v1/donors/{donor.pk}/eligibility/").json()
    assert today["eligible"] is False
    assert today["next_eligible_on"] == "2027-01-29"  # 120 days for a woman
    assert len(today["reasons"]) == 1
    later = client.get(f"/api/v1/donors/{donor.pk}/eligibility/", {"on": "2027-01-29"}).json()
    assert later == {"eligible": True, "next_eligible_on": None, "reasons": []}


def test_eligibility_for_apheresis_applies_the_apheresis_caps(api_client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    for day in (16, 19):
        DonationFactory(donor=donor, donated_on=datetime.date(2026, 11, day), kind="apheresis")
    url = f"/api/v1/donors/{donor.pk}/eligibility/"
    client = api_client_for(staff_a)

    apheresis = client.get(url, {"on": "2026-11-22", "kind": "apheresis"}).json()
    assert apheresis["eligible"] is False
    assert apheresis["next_eligible_on"] == "2026-11-23"  # the 16th leaves the 7 days
    assert "2 apheresis donations in the last 7 days" in apheresis["reasons"][0]
    whole_blood = client.get(url, {"on": "2026-11-22"}).json()
    assert whole_blood["next_eligible_on"] == "2026-12-17"  # 28 days after the 19th
    bad = client.get(url, {"kind": "plasma"})
    assert bad.status_code == 400 and "kind" in bad.json()


def test_eligibility_with_a_bad_date_is_400(api_client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    response = api_client_for(staff_a).get(
        f"/api/v1/donors/{donor.pk}/eligibility/", {"on": "2026-02-30"}
    )
    assert response.status_code == 400 and "on" in response.json()


def test_eligible_today_filter(api_client_for, staff_a, units):
    ready = DonorFactory(unit=units.station_a)
    resting = DonorFactory(unit=units.station_a)
    DonationFactory(donor=resting, donated_on=datetime.date(2026, 11, 1))
    client = api_client_for(staff_a)
    eligible = client.get("/api/v1/donors/", {"eligible_today": "true"}).json()["results"]
    assert [d["id"] for d in eligible] == [ready.pk]
    waiting = client.get("/api/v1/donors/", {"eligible_today": "false"}).json()["results"]
    assert [d["id"] for d in waiting] == [resting.pk]


def test_donations_record_and_refuse_a_second_bag_number(api_client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    centre = BloodCentreFactory()
    body = {
        "donor": donor.pk,
        "donated_on": "2026-11-20",
        "blood_centre": centre.pk,
        "kind": "whole_blood",
        "outcome": "collected",
        "bag_volume_ml": 350,
        "bag_number": "KNP-0001",
        "haemoglobin_g_dl": "13.4",
        "weight_kg": "65",
        "bp_systolic": 120,
        "bp_diastolic": 80,
    }
    client = api_client_for(staff_a)
    assert client.post("/api/v1/donations/", body, format="json").status_code == 201
    other = DonorFactory(unit=units.station_a)
    again = client.post("/api/v1/donations/", {**body, "donor": other.pk}, format="json")
    assert again.status_code == 400
    assert again.json() == {
        "bag_number": ["Bag KNP-0001 is already recorded at this blood centre."]
    }
    assert Donation.objects.count() == 1
    listed = client.get("/api/v1/donations/", {"donor": donor.pk}).json()
    assert listed["count"] == 1 and listed["results"][0]["bag_number"] == "KNP-0001"


def test_a_donation_for_another_units_donor_is_refused(api_client_for, staff_a, units):
    other = DonorFactory(unit=units.station_b)
    response = api_client_for(staff_a).post(
        "/api/v1/donations/",
        {"donor": other.pk, "donated_on": "2026-11-20", "outcome": "deferred"},
        format="json",
    )
    assert response.status_code == 400 and "donor" in response.json()


def test_deferrals_take_the_default_length(api_client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    client = api_client_for(staff_a)
    response = client.post(
        "/api/v1/deferrals/",
        {"donor": donor.pk, "category": "malaria", "starts_on": "2026-11-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["until"] == "2027-01-30"
    assert Deferral.objects.get().recorded_by == staff_a
    bad = client.post(
        "/api/v1/deferrals/",
        {"donor": donor.pk, "category": "other", "starts_on": "2026-11-01"},
        format="json",
    )
    assert bad.status_code == 400 and "until" in bad.json()


def test_donor_list_query_count_does_not_grow(api_client_for, coordinator, units):
    client = api_client_for(coordinator)
    DonorFactory(unit=units.station_a)

    def grow():
        for n in range(30):
            DonationFactory(donor=DonorFactory(unit=units.station_b if n % 2 else units.station_a))

    assert_queries_bounded(lambda: client.get("/api/v1/donors/"), grow, maximum=6)


def test_a_deferral_ending_before_it_starts_is_refused(api_client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    response = api_client_for(staff_a).post(
        "/api/v1/deferrals/",
        {"donor": donor.pk, "category": "other", "starts_on": "2026-11-01", "until": "2026-11-01"},
        format="json",
    )
    assert response.status_code == 400 and "until" in response.json()
    assert not Deferral.objects.exists()


def test_another_units_number_is_a_duplicate_without_naming_the_donor(
    api_client_for, staff_a, units
):
    theirs = DonorFactory(
        phone="+919123456780",
        name="Kavita Rao",
        date_of_birth=datetime.date(1994, 8, 30),
        unit=units.station_b,
    )
    response = api_client_for(staff_a).post(
        "/api/v1/donors/", contract_body(units.station_a, phone="9123456780"), format="json"
    )
    assert response.status_code == 400
    (error,) = response.json()["phone"]
    assert error == "This person is already registered with another police unit."
    assert str(theirs.pk) not in response.content.decode()


def test_an_own_units_number_names_the_donor_already_registered(api_client_for, staff_a, units):
    mine = DonorFactory(
        phone="+919123456781",
        name="Kavita Rao",
        date_of_birth=datetime.date(1994, 8, 30),
        unit=units.station_a,
    )
    response = api_client_for(staff_a).post(
        "/api/v1/donors/", contract_body(units.station_a, phone="9123456781"), format="json"
    )
    assert response.json()["phone"] == [
        f"This person is already registered on this mobile number (donor #{mine.pk})."
    ]


def test_a_family_member_on_a_known_number_is_registered_and_a_fifth_refused(
    api_client_for, staff_a, units
):
    client = api_client_for(staff_a)
    DonorFactory(phone="+919123456782", name="Arun Rao", unit=units.station_a)
    for name in ("Kavita Rao", "Meena Rao", "Gita Rao"):
        body = contract_body(units.station_a, phone="9123456782", name=name)
        assert client.post("/api/v1/donors/", body, format="json").status_code == 201
    body = contract_body(units.station_a, phone="9123456782", name="Sita Rao")
    response = client.post("/api/v1/donors/", body, format="json")
    assert response.status_code == 400
    assert "4 donors already share this mobile number" in response.json()["phone"][0]
    # An edit that would bring a fifth donor onto the number is refused the same way.
    other = DonorFactory(phone="+919123456783", unit=units.station_a)
    moved = client.patch(f"/api/v1/donors/{other.pk}/", {"phone": "9123456782"}, format="json")
    assert moved.status_code == 400 and "already share" in moved.json()["phone"][0]
