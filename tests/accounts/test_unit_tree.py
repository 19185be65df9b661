"""The police-unit tree: one collapsible tree of the user's jurisdiction with search, the
donors, camps and children under each node (whole subtree, counted in SQL), and add,
rename and move for admins and force admins within their subtree."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.choices import AuditAction, UnitKind
from accounts.models import AuditEvent, PoliceUnit
from accounts.selectors import unit_tree
from accounts.services import unit_add, unit_move, unit_update
from tests.factories import CampFactory, DonorFactory, PoliceUnitFactory, make_patient
from tests.helpers import assert_queries_bounded

pytestmark = pytest.mark.django_db


def flatten(nodes):
    for node in nodes:
        yield node
        yield from flatten(node.children)


def by_code(nodes):
    return {node.unit.code: node for node in flatten(nodes)}


def test_counts_cover_the_whole_subtree(coordinator, units):
    DonorFactory(unit=units.station_a)
    DonorFactory(unit=units.station_a)
    DonorFactory(unit=units.station_b)
    DonorFactory(unit=units.station_c)  # another force: not in the coordinator's tree
    CampFactory(unit=units.station_a2)
    make_patient(units.station_b)
    nodes = by_code(unit_tree(coordinator))
    assert (nodes["knp"].unit.donor_count, nodes["knp"].unit.camp_count) == (3, 1)
    assert nodes["knp"].unit.child_count == 1
    assert nodes["kotwali-circle"].unit.donor_count == 2
    assert nodes["station-a"].unit.donor_count == 2
    assert nodes["station-a2"].unit.camp_count == 1
    assert nodes["cantt-circle"].unit.child_count == 1
    assert "station-c" not in nodes


def test_the_tree_nests_children_under_their_parent(coordinator):
    roots = unit_tree(coordinator)
    assert [root.unit.code for root in roots] == ["knp"]
    assert [child.unit.code for child in roots[0].children] == ["kotwali-circle", "cantt-circle"]


def test_search_keeps_the_path_to_each_match_and_opens_it(coordinator):
    nodes = by_code(unit_tree(coordinator, q="moolganj"))
    assert set(nodes) == {"knp", "kotwali-circle", "station-a2"}
    assert nodes["station-a2"].matched and not nodes["knp"].matched
    assert nodes["knp"].open and nodes["kotwali-circle"].open


def test_search_by_kind(coordinator):
    nodes = by_code(unit_tree(coordinator, kind=UnitKind.CIRCLE))
    assert {code for code, node in nodes.items() if node.matched} == {
        "kotwali-circle",
        "cantt-circle",
    }


def test_the_tree_page_shows_counts_and_the_search(client_for, coordinator, units):
    DonorFactory(unit=units.station_b)
    page = client_for(coordinator).get(reverse("accounts:unit-list"), {"q": "cantt"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Cantt Circle" in html and "Moolganj" not in html
    assert "1 donor ·" in html
    assert "<details" in html and "<script" not in html.split("<main")[1]


def test_the_tree_has_no_edit_links_for_staff_or_coordinators(client_for, coordinator, units):
    html = client_for(coordinator).get(reverse("accounts:unit-list")).content.decode()
    assert reverse("accounts:unit-edit", args=[units.station_a.pk]) not in html


def test_the_tree_offers_edit_links_to_a_force_admin(client_for, force_admin, units):
    html = client_for(force_admin).get(reverse("accounts:unit-list")).content.decode()
    assert reverse("accounts:unit-edit", args=[units.station_a.pk]) in html
    assert reverse("accounts:unit-add", args=[units.knp.pk]) in html


def test_the_tree_query_count_does_not_grow(client_for, force_admin, units):
    client = client_for(force_admin)

    def grow():
        for n in range(20):
            outpost = PoliceUnitFactory(name=f"Outpost {n}", parent=units.kotwali_circle)
            DonorFactory(unit=outpost)
            CampFactory(unit=outpost)

    assert_queries_bounded(lambda: client.get(reverse("accounts:unit-list")), grow, maximum=10)
    assert_queries_bounded(
        lambda: client.get(reverse("accounts:unit-list"), {"q": "outpost"}),
        lambda: None,
        maximum=10,
    )


# --- permission triads for the edit pages ----------------------------------------------

EDIT_PAGES = ["accounts:unit-add", "accounts:unit-edit"]


@pytest.mark.parametrize("name", EDIT_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(anon, units, name):
    response = anon.get(reverse(name, args=[units.station_a.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["staff_a", "coordinator"])
@pytest.mark.parametrize("name", EDIT_PAGES)
def test_staff_and_coordinators_may_not_edit_units(request, client_for, units, persona, name):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse(name, args=[units.station_a.pk])).status_code == 403


@pytest.mark.parametrize("persona", ["admin_user", "force_admin"])
@pytest.mark.parametrize("name", EDIT_PAGES)
def test_admins_open_the_edit_pages(request, client_for, units, persona, name):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse(name, args=[units.station_a.pk])).status_code == 200


@pytest.mark.parametrize("name", EDIT_PAGES)
def test_another_forces_unit_is_404_to_a_force_admin(client_for, force_admin, units, name):
    response = client_for(force_admin).get(reverse(name, args=[units.station_c.pk]))
    assert response.status_code == 404


# --- add, rename, move ------------------------------------------------------------------


def test_a_force_admin_adds_a_station_below_a_circle(client_for, force_admin, units):
    response = client_for(force_admin).post(
        reverse("accounts:unit-add", args=[units.cantt_circle.pk]),
        {"name": "Chakeri", "kind": UnitKind.STATION, "code": "chakeri"},
    )
    chakeri = PoliceUnit.objects.get(code="chakeri")
    assert response.status_code == 302
    assert PoliceUnit.objects.get_parent(chakeri) == units.cantt_circle
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(chakeri.pk), actor=force_admin
    ).exists()


def test_a_duplicate_code_is_a_field_error(client_for, force_admin, units):
    response = client_for(force_admin).post(
        reverse("accounts:unit-add", args=[units.cantt_circle.pk]),
        {"name": "Again", "kind": UnitKind.STATION, "code": "station-a"},
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors


def test_adding_below_another_forces_unit_is_refused(force_admin, units):
    with pytest.raises(ValidationError):
        unit_add(actor=force_admin, parent=units.dehat, name="X", kind=UnitKind.STATION, code="x")
    assert not PoliceUnit.objects.filter(code="x").exists()


def test_a_force_admin_renames_a_station(client_for, force_admin, units):
    response = client_for(force_admin).post(
        reverse("accounts:unit-edit", args=[units.station_a.pk]),
        {
            "name": "Kotwali Thana",
            "kind": UnitKind.STATION,
            "code": "station-a",
            "parent": units.kotwali_circle.pk,
        },
    )
    assert response.status_code == 302
    units.station_a.refresh_from_db()
    assert units.station_a.name == "Kotwali Thana"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(units.station_a.pk))
    assert event.details["fields"] == ["name"]
    assert not AuditEvent.objects.filter(action=AuditAction.MOVE).exists()


def test_a_force_admin_moves_a_station_with_its_rows(client_for, force_admin, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    response = client_for(force_admin).post(
        reverse("accounts:unit-edit", args=[units.station_a.pk]),
        {
            "name": "Kotwali",
            "kind": UnitKind.STATION,
            "code": "station-a",
            "parent": units.cantt_circle.pk,
        },
    )
    assert response.status_code == 302
    moved = PoliceUnit.objects.get(pk=units.station_a.pk)
    assert PoliceUnit.objects.get_parent(moved) == units.cantt_circle
    assert moved.path.startswith(PoliceUnit.objects.get(code="cantt-circle").path)
    event = AuditEvent.objects.get(action=AuditAction.MOVE)
    assert event.details == {
        "from_parent": units.kotwali_circle.pk,
        "to_parent": units.cantt_circle.pk,
    }
    nodes = by_code(unit_tree(force_admin))
    assert nodes["cantt-circle"].unit.donor_count == 1  # the donor came along
    assert nodes["kotwali-circle"].unit.donor_count == 0
    assert donor.unit_id == moved.pk


def test_moving_into_another_force_is_refused(client_for, force_admin, units):
    response = client_for(force_admin).post(
        reverse("accounts:unit-edit", args=[units.station_a.pk]),
        {"name": "Kotwali", "kind": UnitKind.STATION, "code": "station-a",
         "parent": units.dehat.pk},
    )  # fmt: skip
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    with pytest.raises(ValidationError):
        unit_move(actor=force_admin, unit=units.station_a, parent=units.dehat)
    assert (
        PoliceUnit.objects.get_parent(PoliceUnit.objects.get(pk=units.station_a.pk))
        == units.kotwali_circle
    )


def test_a_force_admin_cannot_move_its_own_home_unit(client_for, force_admin, units):
    page = client_for(force_admin).get(reverse("accounts:unit-edit", args=[units.knp.pk]))
    assert "parent" not in page.context["form"].fields
    with pytest.raises(ValidationError):
        unit_move(actor=force_admin, unit=units.knp, parent=units.kotwali_circle)


def test_a_unit_cannot_move_below_itself(admin_user, units):
    with pytest.raises(ValidationError):
        unit_move(actor=admin_user, unit=units.kotwali_circle, parent=units.station_a)


def test_another_forces_unit_cannot_be_renamed(force_admin, units):
    with pytest.raises(PermissionDenied):
        unit_update(actor=force_admin, unit=units.station_c, name="Mine")
    units.station_c.refresh_from_db()
    assert units.station_c.name == "Akbarpur"


def test_staff_cannot_write_units_even_through_the_service(staff_a, units):
    with pytest.raises(PermissionDenied):
        unit_update(actor=staff_a, unit=units.station_a, name="Mine")
