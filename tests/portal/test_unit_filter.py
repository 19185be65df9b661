"""One unit-subtree filter for every list: a unit means its subtree, by id or code, and a
unit outside the caller's scope is a filter error (400 in the API), never a leak."""

import pytest
from django.urls import reverse

from tests.factories import CampFactory, DonorFactory, PoliceUnitFactory, make_patient

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


LIST_PAGES = ("donors:list", "camps:list", "thalassemia:list")


def test_the_list_pages_offer_a_unit_search_box_not_a_select_of_every_unit(
    client_for, coordinator, units
):
    """A state has 1,000 units: no page renders them all. The box fetches its options."""
    for name in LIST_PAGES:
        response = client_for(coordinator).get(reverse(name))
        html = str(response.context["filter"].form["unit"])
        assert "<select" not in html and "<option" not in html
        assert 'type="search"' in html and 'name="unit"' in html
        assert reverse("accounts:unit-suggest") in html  # hx-get: the options as you type


def test_a_unit_typed_by_code_filters_and_says_which_unit(client_for, coordinator, units, donors):
    response = client_for(coordinator).get(reverse("donors:list"), {"unit": "kotwali-circle"})
    assert {donor.name for donor, _answer in response.context["rows"]} == {
        "Asha Verma",
        "Meena Rai",
    }
    html = response.content.decode()
    assert 'value="kotwali-circle"' in html
    assert "Kotwali Circle (Circle) and every unit below it." in html


def test_several_units_in_the_query_string_stay_in_the_form(client_for, coordinator, units):
    response = client_for(coordinator).get(
        f"{reverse('donors:list')}?unit=station-a&unit={units.station_b.pk}"
    )
    html = str(response.context["filter"].form["unit"])
    assert 'value="station-a"' in html
    assert f'type="hidden" name="unit" value="{units.station_b.pk}"' in html


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize("unit", ["station-b", "no-such-unit", "999999", "x" * 300])
def test_a_page_says_an_unknown_or_outside_unit_on_the_field(client_for, staff_a, name, unit):
    response = client_for(staff_a).get(reverse(name), {"unit": unit})
    assert response.status_code == 200
    assert response.context["filter"].errors["unit"]
    assert "No police unit in your area has this code or number." in response.content.decode()


def test_the_box_suggests_units_of_the_users_scope_only(client_for, coordinator, staff_a, units):
    url = reverse("accounts:unit-suggest")
    html = client_for(coordinator).get(url, {"unit": "kot"}).content.decode()
    assert 'value="station-a"' in html and 'value="kotwali-circle"' in html
    assert "Kotwali · Police station · Kotwali Circle" in html
    assert "Akbarpur" not in client_for(coordinator).get(url, {"unit": "akb"}).content.decode()
    by_code = client_for(coordinator).get(url, {"unit": "STATION-"}).content.decode()
    assert by_code.count("<option") == 3  # station-a, station-a2, station-b; not station-c
    staff_html = client_for(staff_a).get(url, {"unit": "a"}).content.decode()
    assert "Moolganj" not in staff_html and "Kotwali" in staff_html


def test_the_box_suggests_at_most_twenty_in_two_queries(
    client_for, admin_user, units, django_assert_max_num_queries
):
    for n in range(30):
        PoliceUnitFactory(name=f"Thana {n}", code=f"thana-{n}", parent=units.dehat)
    client = client_for(admin_user)
    with django_assert_max_num_queries(2 + 4):  # the session and user, then units, parents
        html = client.get(reverse("accounts:unit-suggest"), {"unit": "thana"}).content.decode()
    assert html.count("<option") == 20
    empty = client.get(reverse("accounts:unit-suggest")).content.decode()
    assert 'value="up"' in empty  # nothing typed: the top of the tree


def test_the_box_suggests_nothing_to_strangers(client):
    response = client.get(reverse("accounts:unit-suggest"), {"unit": "kot"})
    assert response.status_code == 302


def test_camps_and_children_filter_by_subtree_too(api_client_for, coordinator, units):
    CampFactory(name="Kotwali camp", unit=units.station_a)
    CampFactory(name="Cantt camp", unit=units.station_b)
    make_patient(units.station_a2, name="Ravi")
    make_patient(units.station_b, name="Sita")
    api = api_client_for(coordinator)
    assert names(api.get("/api/v1/camps/", {"unit": "kotwali-circle"})) == {"Kotwali camp"}
    assert names(api.get("/api/v1/patients/", {"unit": "kotwali-circle"})) == {"Ravi"}
