"""One unit-subtree filter for every list: a unit means its subtree, by id or code, and a
unit outside the caller's scope is a filter error (400 in the API), never a leak."""

import pytest
from django.urls import reverse

from tests.factories import CampFactory, DonorFactory, make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def donors(units):
    return {
        "asha": DonorFactory(name="Asha Verma", phone="+919876500001", unit=units.station_a),
        "meena": DonorFactory(name="Meena Rai", phone="+919876500004", unit=units.station_a2),
        "bilal": DonorFactory(name="Bilal Khan", phone="+919876500002", unit=units.station_b),
    }


def names(response):
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_a_circle_by_id_or_by_code_means_its_stations(api_client_for, coordinator, units, donors):
    api = api_client_for(coordinator)
    by_id = names(api.get("/api/v1/donors/", {"unit": units.kotwali_circle.pk}))
    by_code = names(api.get("/api/v1/donors/", {"unit": "kotwali-circle"}))
    assert by_id == by_code == {"Asha Verma", "Meena Rai"}


def test_several_units_add_up(api_client_for, coordinator, units, donors):
    api = api_client_for(coordinator)
    response = api.get(f"/api/v1/donors/?unit={units.station_a.pk}&unit=station-b")
    assert names(response) == {"Asha Verma", "Bilal Khan"}


@pytest.mark.parametrize("unit", ["station-b", "no-such-unit", "999999"])
def test_a_unit_outside_scope_or_unknown_is_a_400_on_the_field(api_client_for, staff_a, unit):
    response = api_client_for(staff_a).get("/api/v1/donors/", {"unit": unit})
    assert response.status_code == 400
    assert "unit" in response.json()


def test_the_list_pages_offer_one_unit_select_with_any(client_for, coordinator, units):
    for name in ("donors:list", "camps:list", "thalassemia:list"):
        form = client_for(coordinator).get(reverse(name)).context["filter"].form
        html = str(form["unit"])
        assert "multiple" not in html
        assert html.count("<option") == 1 + 6  # "Any", the commissionerate and its 5 units


def test_camps_and_children_filter_by_subtree_too(api_client_for, coordinator, units):
    CampFactory(name="Kotwali camp", unit=units.station_a)
    CampFactory(name="Cantt camp", unit=units.station_b)
    make_patient(units.station_a2, name="Ravi")
    make_patient(units.station_b, name="Sita")
    api = api_client_for(coordinator)
    assert names(api.get("/api/v1/camps/", {"unit": "kotwali-circle"})) == {"Kotwali camp"}
    assert names(api.get("/api/v1/patients/", {"unit": "kotwali-circle"})) == {"Ravi"}
