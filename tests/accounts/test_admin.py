"""Django admin for users and units: admins only."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/admin/accounts/user/", "/admin/accounts/policeunit/", "/admin/accounts/user/add/"],
)
def test_admin_opens_user_and_unit_admin(client_for, admin_user, url):
    assert client_for(admin_user).get(url).status_code == 200


def test_staff_cannot_open_django_admin(client_for, staff_a):
    response = client_for(staff_a).get("/admin/accounts/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_adds_a_unit_under_a_parent_through_the_tree_form(client_for, admin_user, units):
    from accounts.models import PoliceUnit

    response = client_for(admin_user).post(
        "/admin/accounts/policeunit/add/",
        {
            "name": "Harbanshmohal",
            "kind": "station",
            "code": "station-h",
            "phone": "",
            "address": "",
            "treebeard_position": "first-child",
            "treebeard_ref_node": units.kotwali_circle.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = PoliceUnit.objects.get(code="station-h")
    assert PoliceUnit.objects.get_parent(unit) == units.kotwali_circle
