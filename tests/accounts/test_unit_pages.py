"""The police-unit pages: scoped list and detail; another unit's page is 404."""

import pytest
from django.urls import reverse

from accounts.choices import UnitKind
from tests.factories import PoliceUnitFactory
from tests.helpers import assert_queries_bounded

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(anon, units):
    response = anon.get(reverse("accounts:unit-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_station_list_shows_only_its_station(client_for, staff_a):
    page = client_for(staff_a).get(reverse("accounts:unit-list")).content.decode()
    assert "Kotwali" in page
    assert "Cantt" not in page
    assert "Moolganj" not in page


def test_circle_list_shows_its_stations_in_tree_order(client_for, circle_staff):
    page = client_for(circle_staff).get(reverse("accounts:unit-list")).content.decode()
    assert page.index("Kotwali Circle") < page.index("Moolganj")
    assert "Cantt" not in page


def test_list_search_and_kind_filter(client_for, coordinator):
    client = client_for(coordinator)
    page = client.get(reverse("accounts:unit-list"), {"q": "cantt"}).content.decode()
    assert "Cantt Circle" in page and "Moolganj" not in page
    page = client.get(reverse("accounts:unit-list"), {"kind": UnitKind.CIRCLE}).content.decode()
    assert "Kotwali Circle" in page and "Moolganj" not in page


def test_a_bad_filter_value_is_a_message_not_an_error(client_for, coordinator):
    response = client_for(coordinator).get(reverse("accounts:unit-list"), {"kind": "planet"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    "persona, unit, status",
    [
        ("staff_a", "station_a", 200),
        ("staff_a", "station_b", 404),
        ("staff_a", "kotwali_circle", 404),
        ("staff_b", "station_a", 404),
        ("circle_staff", "station_a2", 200),
        ("circle_staff", "station_b", 404),
        ("coordinator", "station_b", 200),
        ("coordinator", "station_c", 404),
        ("admin_user", "station_c", 200),
    ],
)
def test_unit_detail_is_404_outside_the_users_jurisdiction(
    request, client_for, units, persona, unit, status
):
    user = request.getfixturevalue(persona)
    url = reverse("accounts:unit-detail", args=[getattr(units, unit).pk])
    assert client_for(user).get(url).status_code == status


def test_unit_detail_does_not_link_to_ancestors_outside_scope(client_for, staff_a, units):
    page = client_for(staff_a).get(reverse("accounts:unit-detail", args=[units.station_a.pk]))
    html = page.content.decode()
    assert "Kotwali Circle" in html  # shown in the breadcrumb …
    assert reverse("accounts:unit-detail", args=[units.kotwali_circle.pk]) not in html  # … unlinked


def test_unit_list_query_count_does_not_grow_with_units(client_for, coordinator, units):
    client = client_for(coordinator)

    def grow():
        for n in range(30):
            PoliceUnitFactory(name=f"Outpost {n}", parent=units.kotwali_circle)

    assert_queries_bounded(lambda: client.get(reverse("accounts:unit-list")), grow, maximum=12)
