"""The camps, blood-centres and hospitals API, and donations filtered by camp."""

import pytest

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from camps.models import Hospital
from tests.camps.test_pages import many_donations
from tests.factories import (
    BloodCentreFactory,
    CampFactory,
    DonationFactory,
    DonorFactory,
    HospitalContactFactory,
)
from tests.helpers import assert_queries_bounded

pytestmark = pytest.mark.django_db


@pytest.fixture
def camp(units):
    return CampFactory(unit=units.station_a, name="Kotwali camp")


def test_anonymous_callers_get_401_or_403(units, camp):
    from rest_framework.test import APIClient

    client = APIClient()
    for url in ("/api/v1/camps/", f"/api/v1/camps/{camp.pk}/", "/api/v1/blood-centres/"):
        assert client.get(url).status_code in (401, 403)


def test_another_units_camp_is_404_and_absent_from_the_list(api_client_for, staff_b, camp):
    client = api_client_for(staff_b)
    assert client.get(f"/api/v1/camps/{camp.pk}/").status_code == 404
    assert client.get("/api/v1/camps/").json()["count"] == 0
    assert client.post(f"/api/v1/camps/{camp.pk}/close/").status_code == 404


def test_a_camp_answers_its_totals(api_client_for, staff_a, camp):
    many_donations(camp, 10)
    body = api_client_for(staff_a).get(f"/api/v1/camps/{camp.pk}/").json()
    assert body["totals"]["registered"] == 10
    assert body["totals"]["units_collected"] == 8
    assert body["totals"]["deferred"] == 2
    assert body["totals"]["units_by_blood_group"] == {"A+": 2, "B+": 2, "O+": 2, "AB-": 2}
    assert body["totals"]["units_by_bag_ml"] == {"350": 4, "450": 4}


def test_staff_create_a_camp_in_scope_and_not_outside(api_client_for, staff_a, units):
    centre = BloodCentreFactory()
    body = {
        "name": "Camp",
        "held_on": "2026-12-05",
        "venue": "Lines",
        "unit": units.station_b.pk,
        "blood_centre": centre.pk,
    }
    client = api_client_for(staff_a)
    response = client.post("/api/v1/camps/", body, format="json")
    assert response.status_code == 400
    assert "unit" in response.json()
    body["unit"] = units.station_a.pk
    response = client.post("/api/v1/camps/", body, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "planned"
    assert response.json()["totals"]["registered"] == 0


def test_bad_input_is_400_with_field_messages(api_client_for, staff_a, camp):
    client = api_client_for(staff_a)
    response = client.patch(
        f"/api/v1/camps/{camp.pk}/", {"starts_at": "12:00", "ends_at": "09:00"}, format="json"
    )
    assert response.status_code == 400
    assert "ends_at" in response.json()
    assert client.get("/api/v1/camps/", {"held_from": "notadate"}).status_code == 400
    assert client.get("/api/v1/camps/", {"status": "exploded"}).status_code == 400


def test_status_actions_and_a_closed_camp_refusing_edits(api_client_for, staff_a, admin_user, camp):
    client = api_client_for(staff_a)
    assert client.post(f"/api/v1/camps/{camp.pk}/close/").json()["status"] == "closed"
    response = client.patch(f"/api/v1/camps/{camp.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 400
    assert client.post(f"/api/v1/camps/{camp.pk}/reopen/").status_code == 403
    admin = api_client_for(admin_user)
    assert admin.post(f"/api/v1/camps/{camp.pk}/reopen/").json()["status"] == "open"


def test_the_camp_list_runs_bounded_queries(api_client_for, staff_a, camp, units):
    client = api_client_for(staff_a)
    many_donations(camp, 5)

    def grow():
        many_donations(camp, 495, start=5)
        for _ in range(20):
            many_donations(CampFactory(unit=units.station_a), 1, start=1000 + _)

    assert_queries_bounded(lambda: client.get("/api/v1/camps/"), grow, maximum=10)


def test_partners_are_read_by_all_and_written_by_admins(api_client_for, staff_b, admin_user):
    contact = HospitalContactFactory(name="Dr Mehta", phone="+919811122233")
    staff = api_client_for(staff_b)
    hospital = staff.get(f"/api/v1/hospitals/{contact.hospital.pk}/").json()
    assert hospital["contacts"][0]["phone"] == "+919811122233"
    response = staff.post("/api/v1/blood-centres/", {"name": "X", "licence_number": "L1"})
    assert response.status_code == 403
    admin = api_client_for(admin_user)
    response = admin.post(
        "/api/v1/hospitals/",
        {
            "name": "LLR",
            "kind": "day_care",
            "contacts": [{"name": "Dr Rao", "phone": "098390 12345"}],
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["contacts"][0]["name"] == "Dr Rao"
    assert response.json()["contacts"][0]["phone"] == "+919839012345"  # stored in E.164
    response = admin.post("/api/v1/blood-centres/", {"name": "X", "licence_number": "L1"})
    assert response.status_code == 201
    response = admin.post("/api/v1/blood-centres/", {"name": "Y", "licence_number": "L1"})
    assert response.status_code == 400
    assert "licence_number" in response.json()
    assert staff.get("/api/v1/blood-centres/999999/").status_code == 404


def test_partner_lists_run_bounded_queries(api_client_for, staff_a):
    client = api_client_for(staff_a)
    HospitalContactFactory()
    BloodCentreFactory()

    def grow():
        for _ in range(20):
            HospitalContactFactory()
            BloodCentreFactory()

    def lists():
        client.get("/api/v1/hospitals/")
        client.get("/api/v1/blood-centres/")

    assert_queries_bounded(lists, grow, maximum=10)


def test_donations_filter_by_camp(api_client_for, staff_a, camp, units):
    other = CampFactory(unit=units.station_a)
    mine = DonationFactory(donor=DonorFactory(unit=units.station_a), camp=camp)
    DonationFactory(donor=DonorFactory(unit=units.station_a), camp=other)
    client = api_client_for(staff_a)
    body = client.get("/api/v1/donations/", {"camp": camp.pk}).json()
    assert [(row["id"], row["camp"]) for row in body["results"]] == [(mine.pk, camp.pk)]
    assert client.get("/api/v1/donations/", {"camp": "abc"}).status_code == 400


def test_creating_a_camp_is_audited(api_client_for, staff_a, units):
    api_client_for(staff_a).post(
        "/api/v1/camps/",
        {
            "name": "Camp",
            "held_on": "2026-12-05",
            "venue": "Lines",
            "unit": units.station_a.pk,
            "blood_centre": BloodCentreFactory().pk,
        },
        format="json",
    )
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_a_contact_phone_that_is_not_a_number_is_400_and_saves_nothing(api_client_for, admin_user):
    response = api_client_for(admin_user).post(
        "/api/v1/hospitals/",
        {"name": "LLR", "kind": "day_care", "contacts": [{"name": "Dr Rao", "phone": "+9198"}]},
        format="json",
    )
    assert response.status_code == 400
    # DRF's map of a list's errors: the contact's index → its field map.
    assert response.json()["contacts"] == {
        "0": {"phone": ["“+9198” is not a valid mobile number (India: 10 digits starting 6–9)."]}
    }
    assert not Hospital.objects.exists()
