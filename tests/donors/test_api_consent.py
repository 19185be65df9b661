"""Consent through the API (DPDP-23): staff who register a donor through the API record the
donor's consent per purpose, with who and when, as the page does; the contract's fields
alone still register a donor, with no consent on record."""

import pytest

from donors.consent import consents_in_force, may_be_reminded
from donors.models import Consent, Donor

pytestmark = pytest.mark.django_db
URL = "/api/v1/donors/"


def body(unit, **extra):
    return {
        "name": "Kavita Rao",
        "sex": "F",
        "date_of_birth": "1994-08-30",
        "blood_group": "AB-",
        "phone": "+91 91234 56789",
        "unit": unit.pk,
        **extra,
    }


def test_consent_to_both_purposes_is_recorded_with_who_and_when(api_client_for, staff_a, units):
    response = api_client_for(staff_a).post(
        URL, body(units.station_a, consent_registry=True, consent_reminders=True), format="json"
    )

    assert response.status_code == 201, response.json()
    donor = Donor.objects.get(pk=response.json()["id"])
    assert consents_in_force(donor) == {"registry", "reminders"}
    assert set(donor.consents.values_list("recorded_by__username", "source")) == {
        ("staff_a", "staff")
    }
    assert donor.consent_at is not None
    assert may_be_reminded(Donor.objects.all()).filter(pk=donor.pk).exists()
    assert "consent_registry" not in response.json()  # write-only


def test_registry_alone_means_no_reminders(api_client_for, staff_a, units):
    response = api_client_for(staff_a).post(
        URL, body(units.station_a, consent_registry=True), format="json"
    )
    donor = Donor.objects.get(pk=response.json()["id"])
    assert consents_in_force(donor) == {"registry"}
    assert not may_be_reminded(Donor.objects.all()).filter(pk=donor.pk).exists()


def test_the_contract_fields_alone_register_a_donor_with_no_consent(api_client_for, staff_a, units):
    response = api_client_for(staff_a).post(URL, body(units.station_a), format="json")
    assert response.status_code == 201
    assert not Consent.objects.exists()


def test_reminders_without_the_registry_is_400_and_registers_nobody(api_client_for, staff_a, units):
    response = api_client_for(staff_a).post(
        URL, body(units.station_a, consent_reminders=True), format="json"
    )
    assert response.status_code == 400
    assert "consent_reminders" in response.json()
    assert not Donor.objects.exists()


def test_consent_given_later_is_recorded_and_false_withdraws_nothing(
    api_client_for, staff_a, units
):
    client = api_client_for(staff_a)
    donor_id = client.post(URL, body(units.station_a, consent_registry=True), format="json").json()[
        "id"
    ]

    response = client.patch(f"{URL}{donor_id}/", {"consent_reminders": True}, format="json")
    assert response.status_code == 200, response.json()
    donor = Donor.objects.get(pk=donor_id)
    assert consents_in_force(donor) == {"registry", "reminders"}

    client.patch(f"{URL}{donor_id}/", {"consent_reminders": False}, format="json")
    assert consents_in_force(donor) == {"registry", "reminders"}
