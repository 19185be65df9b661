"""The ``units`` API: scoped, paginated, 404 outside scope, token and session auth."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PoliceUnitFactory
from tests.helpers import assert_queries_bounded

pytestmark = pytest.mark.django_db

URL = "/api/v1/units/"


def test_anonymous_caller_is_refused(units):
    assert APIClient().get(URL).status_code in (401, 403)


def test_list_is_scoped_to_the_callers_subtree(api_client_for, circle_staff):
    body = api_client_for(circle_staff).get(URL).json()
    assert body["count"] == 3
    assert {row["code"] for row in body["results"]} == {
        "kotwali-circle",
        "station-a",
        "station-a2",
    }


def test_each_unit_names_its_parent(api_client_for, coordinator, units):
    rows = {row["code"]: row for row in api_client_for(coordinator).get(URL).json()["results"]}
    assert rows["station-a"]["parent"] == units.kotwali_circle.pk
    assert rows["knp"]["parent"] == units.up.pk
    assert rows["station-b"]["kind"] == "station"


@pytest.mark.parametrize("unit, status", [("station_a", 200), ("station_b", 404), ("up", 404)])
def test_detail_outside_scope_is_404(api_client_for, staff_a, units, unit, status):
    response = api_client_for(staff_a).get(f"{URL}{getattr(units, unit).pk}/")
    assert response.status_code == status


def test_a_missing_unit_is_404_too(api_client_for, admin_user):
    assert api_client_for(admin_user).get(f"{URL}999999/").status_code == 404


def test_token_authentication(staff_a):
    token = Token.objects.create(user=staff_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(URL).json()["count"] == 1


def test_token_endpoint_gives_a_token_for_good_credentials_only(staff_a):
    client = APIClient()
    bad = client.post(
        "/api/v1/auth/token/", {"username": "staff_a", "password": "wrong"}, format="json"
    )
    assert bad.status_code == 400
    assert "non_field_errors" in bad.json()
    good = client.post(
        "/api/v1/auth/token/",
        {"username": "staff_a", "password": "correct horse battery"},
        format="json",
    )
    assert good.status_code == 200
    assert good.json()["token"] == Token.objects.get(user=staff_a).key


def test_search_filter_and_bad_filter(api_client_for, coordinator):
    client = api_client_for(coordinator)
    assert {r["code"] for r in client.get(URL, {"search": "cantt"}).json()["results"]} == {
        "cantt-circle",
        "station-b",
    }
    bad = client.get(URL, {"kind": "planet"})
    assert bad.status_code == 400
    assert "kind" in bad.json()


def test_units_api_is_read_only(api_client_for, admin_user):
    response = api_client_for(admin_user).post(URL, {"name": "X"}, format="json")
    assert response.status_code == 405


def test_list_query_count_does_not_grow_with_units(api_client_for, coordinator, units):
    client = api_client_for(coordinator)

    def grow():
        for n in range(40):
            PoliceUnitFactory(name=f"Chowki {n}", parent=units.cantt_circle)

    assert_queries_bounded(lambda: client.get(URL), grow, maximum=6)


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/units/" in schema.content
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn." not in docs and "unpkg" not in docs and "jsdelivr" not in docs
