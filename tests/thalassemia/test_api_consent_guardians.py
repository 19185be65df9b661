"""Guardian consent through the API (optional, so the contract's write fields still register
a child, who is then "consent pending" on the page) and the patients/{id}/guardians/
sub-resource."""

import datetime
from datetime import date

import pytest
import time_machine

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from tests.factories import make_patient
from tests.helpers import assert_queries_bounded
from thalassemia.models import Guardian, Patient

pytestmark = [pytest.mark.django_db]

SUNITA = {"name": "Sunita", "relation": "mother", "phone": "98123 45678"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)):
        yield


def contract_body(unit, **more):
    """Exactly the write fields of DESIGN.md's contract table, plus ``more``."""
    return {
        "name": "Aarav",
        "sex": "M",
        "date_of_birth": "2019-04-02",
        "blood_group": "B+",
        "unit": unit.pk,
        "units_per_transfusion": 1,
        "interval_days": 21,
        "last_transfused_on": "2026-11-10",
    } | more


def test_consent_with_a_guardian_is_recorded_like_the_page(
    api_client_for, coordinator, units, settings
):
    settings.THAL_CONSENT_VERSION = "2026-11"
    response = api_client_for(coordinator).post(
        "/api/v1/patients/",
        contract_body(units.station_a, guardians=[SUNITA], guardian_consent=True),
        format="json",
    )
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["consent_pending"] is False
    assert answer["consent_by"] == "Sunita" and answer["consent_version"] == "2026-11"
    assert "guardian_consent" not in answer
    patient = Patient.objects.get(pk=answer["id"])
    assert patient.consent_at.date() == date(2026, 11, 23)


def test_the_contract_fields_alone_still_register_a_child_consent_pending(
    api_client_for, client_for, coordinator, units
):
    response = api_client_for(coordinator).post(
        "/api/v1/patients/", contract_body(units.station_a), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["consent_pending"] is True
    patient = Patient.objects.get(pk=response.json()["id"])
    assert patient.consent_at is None
    page = client_for(coordinator).get(f"/children/{patient.pk}/").content.decode()
    assert "Guardian consent pending" in page and "Add a guardian first." in page
    assert "Consent pending" in client_for(coordinator).get("/children/").content.decode()


@pytest.mark.parametrize(
    "more, field",
    [
        ({"guardian_consent": True}, "guardian_consent"),  # nobody named to have consented
        ({"consent_by": "Sunita"}, "consent_by"),  # a name without the consent itself
        ({"guardian_consent": "maybe"}, "guardian_consent"),
    ],
)
def test_bad_consent_answers_400_and_creates_nothing(
    api_client_for, coordinator, units, more, field
):
    response = api_client_for(coordinator).post(
        "/api/v1/patients/", contract_body(units.station_a, **more), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Patient.objects.exists()


def test_consent_given_later_by_update_and_then_kept(api_client_for, coordinator, units):
    patient = make_patient(
        units.station_a, guardians=[SUNITA], last_transfused_on=date(2026, 11, 10)
    )
    assert patient.consent_at is None
    client = api_client_for(coordinator)
    url = f"/api/v1/patients/{patient.pk}/"
    response = client.patch(url, {"guardian_consent": True}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["consent_pending"] is False
    assert response.json()["consent_by"] == "Sunita"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(patient.pk))
    assert "consent_at" in event.details["fields"]
    # A second consent, or false, changes nothing.
    first = Patient.objects.get(pk=patient.pk).consent_at
    client.patch(url, {"guardian_consent": True, "consent_by": "Other"}, format="json")
    client.patch(url, {"guardian_consent": False}, format="json")
    patient.refresh_from_db()
    assert (patient.consent_at, patient.consent_by) == (first, "Sunita")


def test_update_consent_without_a_guardian_is_refused(api_client_for, coordinator, units):
    patient = make_patient(units.station_a)
    response = api_client_for(coordinator).patch(
        f"/api/v1/patients/{patient.pk}/", {"guardian_consent": True}, format="json"
    )
    assert response.status_code == 400 and "guardians" in response.json()
    patient.refresh_from_db()
    assert patient.consent_at is None


def test_the_page_records_a_pending_consent(units, client_for, coordinator, staff_b, anon):
    patient = make_patient(units.station_a, guardians=[SUNITA])
    guardian = patient.guardians.get()
    url = f"/children/{patient.pk}/consent/"
    assert anon.post(url).status_code == 302
    assert (
        client_for(staff_b).post(url, {"guardian": guardian.pk, "consent": "1"}).status_code == 404
    )
    client = client_for(coordinator)
    for bad in ({"guardian": guardian.pk}, {"guardian": "abc", "consent": "1"}, {}):
        assert client.post(url, bad).status_code == 302
    patient.refresh_from_db()
    assert patient.consent_at is None
    response = client.post(url, {"guardian": guardian.pk, "consent": "1"}, follow=True)
    assert b"Consent recorded." in response.content
    assert b"Guardian consent pending" not in response.content
    patient.refresh_from_db()
    assert patient.consent_by == "Sunita" and patient.consent_at is not None


def test_guardians_subresource_triad_and_audit(api_client_for, anon, staff_a, staff_b, units):
    patient = make_patient(units.station_a, guardians=[SUNITA])
    url = f"/api/v1/patients/{patient.pk}/guardians/"
    assert anon.get(url).status_code in (401, 403)
    assert api_client_for(staff_b).get(url).status_code == 404
    assert api_client_for(staff_b).post(url, SUNITA, format="json").status_code == 404
    response = api_client_for(staff_a).get(url)
    assert response.status_code == 200
    assert [g["phone"] for g in response.json()] == ["+919812345678"]
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(patient.pk), actor=staff_a
    ).exists()
    assert api_client_for(staff_a).get("/api/v1/patients/999999/guardians/").status_code == 404


def test_guardians_subresource_is_bounded(api_client_for, coordinator, units):
    patient = make_patient(units.station_a, guardians=[SUNITA])
    client = api_client_for(coordinator)

    def grow():
        for n in range(5):
            Guardian.objects.create(
                patient=patient, name=f"G{n}", relation="other", phone=f"+91981234560{n}"
            )

    assert_queries_bounded(
        lambda: client.get(f"/api/v1/patients/{patient.pk}/guardians/"), grow, maximum=12
    )


def test_add_edit_and_remove_guardians_through_the_api(api_client_for, coordinator, units):
    patient = make_patient(units.station_a, guardians=[SUNITA])
    sunita = patient.guardians.get()
    client = api_client_for(coordinator)
    base = f"/api/v1/patients/{patient.pk}/guardians/"
    response = client.post(
        base, {"name": "Raju", "relation": "father", "phone": "12"}, format="json"
    )
    assert response.status_code == 400 and "phone" in response.json()
    response = client.post(
        base, {"name": "Raju", "relation": "father", "phone": "098390 12345"}, format="json"
    )
    assert response.status_code == 201, response.json()
    raju_id = response.json()["id"]
    assert response.json()["phone"] == "+919839012345"
    response = client.patch(f"{base}{raju_id}/", {"phone": "bad"}, format="json")
    assert response.status_code == 400 and "phone" in response.json()
    response = client.patch(f"{base}{raju_id}/", {"preferred_language": "en"}, format="json")
    assert response.status_code == 200 and response.json()["preferred_language"] == "en"
    assert client.delete(f"{base}{sunita.pk}/").status_code == 204
    response = client.delete(f"{base}{raju_id}/")
    assert response.status_code == 400
    assert "at least one guardian" in str(response.json())
    assert list(patient.guardians.values_list("pk", flat=True)) == [raju_id]
    other = make_patient(units.station_a, guardians=[SUNITA]).guardians.get()
    assert client.patch(f"{base}{other.pk}/", {"name": "X"}, format="json").status_code == 404
    assert client.delete(f"{base}999999/").status_code == 404
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE} <= actions


def test_guardians_in_an_update_body_are_ignored_not_500(api_client_for, coordinator, units):
    patient = make_patient(units.station_a, guardians=[SUNITA])
    response = api_client_for(coordinator).patch(
        f"/api/v1/patients/{patient.pk}/", {"guardians": [SUNITA]}, format="json"
    )
    assert response.status_code == 200
    assert patient.guardians.count() == 1


def test_a_get_then_put_round_trip_keeps_working(api_client_for, coordinator, units):
    client = api_client_for(coordinator)
    created = client.post(
        "/api/v1/patients/",
        contract_body(units.station_a, guardians=[SUNITA], guardian_consent=True),
        format="json",
    ).json()
    url = f"/api/v1/patients/{created['id']}/"
    body = client.get(url).json()
    body["name"] = "Aarav Singh"
    response = client.put(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["consent_by"] == "Sunita"
    changed = client.patch(url, {"consent_by": "Someone else"}, format="json")
    assert changed.status_code == 400 and "consent_by" in changed.json()
