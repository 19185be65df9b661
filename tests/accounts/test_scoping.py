"""Every user sees its own subtree: a station its station, a circle its stations, a
coordinator its whole force, an admin everything."""

import pytest

from accounts.choices import Role
from accounts.models import PoliceUnit, User
from accounts.scoping import for_user, units_for_user, user_can_access_unit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


def test_station_staff_sees_its_station_only(staff_a):
    assert codes(units_for_user(staff_a)) == {"station-a"}


def test_circle_staff_sees_the_circle_and_its_stations(circle_staff):
    assert codes(units_for_user(circle_staff)) == {"kotwali-circle", "station-a", "station-a2"}


def test_coordinator_sees_the_whole_commissionerate_but_not_the_neighbouring_district(
    coordinator,
):
    assert codes(units_for_user(coordinator)) == {
        "knp",
        "kotwali-circle",
        "station-a",
        "station-a2",
        "cantt-circle",
        "station-b",
    }


def test_coordinator_based_at_a_station_still_sees_the_whole_force(units):
    coordinator = UserFactory(role=Role.COORDINATOR, unit=units.station_b)
    assert coordinator.scope_root == units.knp
    assert "station-a" in codes(units_for_user(coordinator))
    assert "station-c" not in codes(units_for_user(coordinator))


def test_admin_sees_every_unit(admin_user):
    assert codes(units_for_user(admin_user)) == set(
        PoliceUnit.objects.values_list("code", flat=True)
    )


def test_anonymous_and_inactive_users_see_nothing(units, staff_a):
    from django.contrib.auth.models import AnonymousUser

    assert not units_for_user(AnonymousUser()).exists()
    staff_a.is_active = False
    assert not units_for_user(staff_a).exists()


def test_scoping_follows_a_models_unit_field(staff_a, staff_b, coordinator):
    """Any model with a ``unit`` foreign key is scoped by the same function."""
    assert set(for_user(User.objects.all(), staff_a).values_list("username", flat=True)) == {
        "staff_a"
    }
    assert {"staff_a", "staff_b", "coordinator"} <= set(
        for_user(User.objects.all(), coordinator).values_list("username", flat=True)
    )


def test_a_sibling_whose_path_shares_a_prefix_is_not_in_scope(units, staff_a):
    """Paths are fixed-width steps, so station A's path is never a prefix of a sibling's."""
    assert not user_can_access_unit(staff_a, units.station_a2)
    assert user_can_access_unit(staff_a, units.station_a)


def test_staff_and_coordinators_cannot_be_saved_without_a_unit(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="lost", role=Role.STAFF, unit=None)
