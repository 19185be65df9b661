"""One router: the API root lists every resource of DESIGN.md, at the same paths."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

RESOURCES = [
    "units",
    "donors",
    "donations",
    "deferrals",
    "camps",
    "blood-centres",
    "hospitals",
    "patients",
    "transfusions",
    "assignments",
    "messages",
    # Beyond DESIGN.md's table (an addition; the contract's paths stay): issue 15.
    "emergency-requests",
]


def test_the_api_root_lists_every_resource(api_client_for, staff_a):
    response = api_client_for(staff_a).get("/api/v1/")
    assert response.status_code == 200
    listed = response.json()
    assert sorted(listed) == sorted(RESOURCES)
    for name in RESOURCES:
        assert listed[name] == f"http://testserver/api/v1/{name}/"


@pytest.mark.parametrize("name", RESOURCES)
def test_every_resource_answers_at_its_path_and_name(api_client_for, coordinator, name):
    basename = name.removesuffix("s")  # "blood-centres" → "blood-centre", "units" → "unit"
    assert reverse(f"{basename}-list") == f"/api/v1/{name}/"
    assert api_client_for(coordinator).get(f"/api/v1/{name}/").status_code == 200


def test_the_root_is_closed_to_anonymous_callers(client):
    assert client.get("/api/v1/").status_code in (401, 403)
