"""The force admin: an admin of its own subtree. It passes where an admin or a coordinator
does, reaches only its subtree's rows, and never what belongs to no unit (partners)."""

import pytest
from django.urls import reverse

from accounts.choices import AuditAction, Role
from accounts.models import AuditEvent, PoliceUnit
from accounts.permissions import has_role
from accounts.scoping import for_user, units_for_user, user_can_access_unit
from accounts.services import user_update
from tests.factories import BloodCentreFactory, DonorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_force_admin_counts_as_admin_and_coordinator_but_not_more(force_admin, staff_a):
    assert has_role(force_admin, Role.ADMIN)
    assert has_role(force_admin, Role.COORDINATOR, Role.ADMIN)
    assert has_role(force_admin, Role.FORCE_ADMIN)
    assert not has_role(force_admin, Role.STAFF)
    assert not has_role(staff_a, Role.ADMIN, Role.FORCE_ADMIN)
    assert not force_admin.is_portal_admin and not force_admin.is_staff
    assert force_admin.manages_people


def test_a_force_admin_sees_its_subtree_only(force_admin, dehat_admin, units):
    codes = set(units_for_user(force_admin).values_list("code", flat=True))
    assert codes == {
        "knp", "kotwali-circle", "station-a", "station-a2", "cantt-circle", "station-b"
    }  # fmt: skip
    assert set(units_for_user(dehat_admin).values_list("code", flat=True)) == {
        "dehat", "station-c"
    }  # fmt: skip
    assert user_can_access_unit(force_admin, units.station_b)
    assert not user_can_access_unit(force_admin, units.station_c)
    assert not user_can_access_unit(force_admin, units.up)


def test_a_force_admin_reads_its_donors_and_not_another_forces(force_admin, units):
    mine = DonorFactory(unit=units.station_b)
    theirs = DonorFactory(unit=units.station_c)
    visible = set(for_user(type(mine).objects.all(), force_admin))
    assert mine in visible and theirs not in visible


def test_a_force_admin_opens_a_donor_of_its_force_and_not_of_another(
    client_for, force_admin, units
):
    mine = DonorFactory(unit=units.station_a)
    theirs = DonorFactory(unit=units.station_c)
    client = client_for(force_admin)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404


def test_partners_are_written_by_the_portal_admin_only(
    client_for, api_client_for, force_admin, admin_user
):
    centre = BloodCentreFactory()
    client = client_for(force_admin)
    assert client.get(reverse("camps:centre-list")).status_code == 200  # reads, as everyone
    assert client.get(reverse("camps:centre-create")).status_code == 403
    assert client.get(reverse("camps:centre-edit", args=[centre.pk])).status_code == 403
    assert client.get(reverse("camps:hospital-create")).status_code == 403
    assert client_for(admin_user).get(reverse("camps:centre-create")).status_code == 200
    api = api_client_for(force_admin)
    answer = api.patch(f"/api/v1/blood-centres/{centre.pk}/", {"name": "Mine now"}, format="json")
    assert answer.status_code == 403


def test_the_audit_log_of_a_force_admin_is_its_subtrees(
    client_for, force_admin, admin_user, units, staff_a
):
    user_update(actor=admin_user, user=staff_a, first_name="Inside")
    outsider = UserFactory(username="dehat_staff", role=Role.STAFF, unit=units.dehat)
    user_update(actor=admin_user, user=outsider, first_name="Outside")
    page = client_for(force_admin).get(reverse("accounts:audit-list")).content.decode()
    assert "staff_a" in page
    assert "dehat_staff" not in page
    everything = client_for(admin_user).get(reverse("accounts:audit-list")).content.decode()
    assert "dehat_staff" in everything
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 2


def test_the_navigation_offers_people_to_admins_and_force_admins_only(
    client_for, force_admin, admin_user, coordinator
):
    people = reverse("accounts:people")
    assert people in client_for(force_admin).get("/").content.decode()
    assert people in client_for(admin_user).get("/").content.decode()
    assert people not in client_for(coordinator).get("/").content.decode()


def test_the_database_still_wants_a_unit_for_a_force_admin(units):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="nowhere", role=Role.FORCE_ADMIN, unit=None)
    assert PoliceUnit.objects.count() == 9


def test_a_force_admins_home_shows_its_subtrees_recent_activity_only(
    client_for, force_admin, admin_user, units, staff_a
):
    outsider = UserFactory(username="dehat_staff", role=Role.STAFF, unit=units.station_c)
    user_update(actor=admin_user, user=outsider, first_name="Outside")
    user_update(actor=admin_user, user=staff_a, first_name="Inside")
    response = client_for(force_admin).get("/")
    changes = [e for e in response.context["recent_events"] if e.action == AuditAction.UPDATE]
    assert [event.object_repr for event in changes] == ["staff_a"]
    assert reverse("accounts:people") in response.content.decode()
