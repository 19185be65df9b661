"""``/api/v1/emergency-requests/``: the same services, scoping and roles as the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from emergency.choices import RequestStatus
from emergency.models import EmergencyRequest
from emergency.waves import wave_run
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/emergency-requests/"


def payload(hospital, unit, **fields):
    return {
        "hospital": hospital.pk,
        "unit": unit.pk,
        "blood_group": "O+",
        "units_needed": 2,
        "needed_by": (timezone.now() + timedelta(hours=3)).isoformat(),
        **fields,
    }


def test_a_coordinator_records_reads_lists_the_calls_and_stops_a_request(
    cast, api_client_for, coordinator, hospital, units
):
    client = api_client_for(coordinator)
    created = client.post(URL, payload(hospital, units.knp), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "open" and body["asked"] == 0
    wave_run(body["id"])
    read = client.get(f"{URL}{body['id']}/").json()
    assert read["asked"] == 10 and read["waves_sent"] == 1
    calls = client.get(f"{URL}{body['id']}/calls/").json()
    assert len(calls) == 10 and {c["wave"] for c in calls} == {1}
    assert sum(c["living_blood_bank"] for c in calls) == 6
    stopped = client.post(f"{URL}{body['id']}/stop/")
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    again = client.post(f"{URL}{body['id']}/stop/")
    assert again.status_code == 400


@pytest.mark.parametrize(
    "change",
    [
        {"blood_group": "Q+"},
        {"units_needed": 0},
        {"units_needed": "many"},
        {"needed_by": "yesterday"},
        {"needed_by": "2020-01-01T10:00:00Z"},
        {"hospital": 999999},
        {"unit": None},
    ],
)
def test_bad_input_answers_400_with_field_errors_and_records_nothing(
    api_client_for, coordinator, hospital, units, change
):
    response = api_client_for(coordinator).post(
        URL, {**payload(hospital, units.knp), **change}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) & {"blood_group", "units_needed", "needed_by", "hospital", "unit"}
    assert not EmergencyRequest.objects.exists()


def test_other_forces_and_station_staff_reach_nothing(
    cast, api_client_for, coordinator, staff_a, hospital, units
):
    emergency = api_client_for(coordinator).post(URL, payload(hospital, units.knp), format="json")
    pk = emergency.json()["id"]
    dehat = UserFactory(username="dehat_coord", role=Role.COORDINATOR, unit=units.dehat)
    other = api_client_for(dehat)
    assert other.get(URL).json()["results"] == []
    assert other.get(f"{URL}{pk}/").status_code == 404
    assert other.get(f"{URL}{pk}/calls/").status_code == 404
    assert other.post(f"{URL}{pk}/stop/").status_code == 404
    # The unit of another force does not exist for this coordinator.
    refused = api_client_for(coordinator).post(URL, payload(hospital, units.dehat), format="json")
    assert refused.status_code == 400 and "unit" in refused.json()
    assert api_client_for(staff_a).get(URL).status_code == 403
    assert api_client_for(staff_a).post(f"{URL}{pk}/stop/").status_code == 403
    assert EmergencyRequest.objects.get().status == RequestStatus.OPEN
