"""The people pages: admins and force admins list, create, edit and deactivate the people
of their subtree and make one-time password links. Every refusal is tested: another
force's unit, a role above one's own, editing oneself into admin, a person out of reach."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.choices import AuditAction, Role
from accounts.models import AuditEvent, User
from accounts.services import (
    user_create,
    user_deactivate,
    user_password_link,
    user_reactivate,
    user_update,
)
from tests.factories import UserFactory
from tests.helpers import assert_queries_bounded

pytestmark = pytest.mark.django_db

PAGES = [
    ("accounts:people", False),
    ("accounts:person-create", False),
    ("accounts:person-edit", True),
]


def form_data(**overrides):
    data = {
        "username": "new_staff",
        "first_name": "Nisha",
        "last_name": "Pal",
        "email": "nisha@police.example",
        "phone": "",
        "role": Role.STAFF,
        "unit": "",
        "preferred_language": "hi",
    }
    data.update(overrides)
    return data


def url_for(name, needs_pk, person):
    return reverse(name, args=[person.pk]) if needs_pk else reverse(name)


# --- who may open the pages -------------------------------------------------------------


@pytest.mark.parametrize("name, needs_pk", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(anon, staff_a, name, needs_pk):
    response = anon.get(url_for(name, needs_pk, staff_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["staff_a", "coordinator"])
@pytest.mark.parametrize("name, needs_pk", PAGES)
def test_staff_and_coordinators_are_refused(request, client_for, staff_b, persona, name, needs_pk):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url_for(name, needs_pk, staff_b)).status_code == 403


@pytest.mark.parametrize("persona", ["admin_user", "force_admin"])
@pytest.mark.parametrize("name, needs_pk", PAGES)
def test_admins_and_force_admins_open_the_pages(
    request, client_for, staff_b, persona, name, needs_pk
):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url_for(name, needs_pk, staff_b)).status_code == 200


@pytest.mark.parametrize("persona", ["staff_a", "coordinator"])
@pytest.mark.parametrize("name", ["accounts:person-deactivate", "accounts:person-password-link"])
def test_staff_cannot_deactivate_or_make_links(request, client_for, staff_b, persona, name):
    user = request.getfixturevalue(persona)
    assert client_for(user).post(reverse(name, args=[staff_b.pk])).status_code == 403
    staff_b.refresh_from_db()
    assert staff_b.is_active


# --- the list ---------------------------------------------------------------------------


def test_a_force_admin_lists_its_force_and_not_another(client_for, force_admin, staff_a, units):
    UserFactory(username="dehat_staff", role=Role.STAFF, unit=units.station_c)
    UserFactory(username="state_admin", role=Role.ADMIN, unit=None)
    page = client_for(force_admin).get(reverse("accounts:people")).content.decode()
    assert "staff_a" in page
    assert "dehat_staff" not in page
    assert "state_admin" not in page


def test_the_list_searches_and_filters_by_role_and_unit(
    client_for, admin_user, staff_a, staff_b, coordinator, units
):
    client = client_for(admin_user)
    page = client.get(reverse("accounts:people"), {"q": "staff_b"}).content.decode()
    assert "staff_b" in page and "staff_a" not in page
    response = client.get(reverse("accounts:people"), {"role": Role.COORDINATOR})
    assert [p.username for p in response.context["object_list"]] == ["coordinator"]
    page = client.get(
        reverse("accounts:people"), {"unit": units.kotwali_circle.pk}
    ).content.decode()
    assert "staff_a" in page and "staff_b" not in page


def test_a_bad_filter_is_a_message_not_an_error(client_for, force_admin, units):
    response = client_for(force_admin).get(
        reverse("accounts:people"), {"role": "emperor", "unit": units.station_c.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_people_list_query_count_does_not_grow(client_for, force_admin, units):
    client = client_for(force_admin)

    def grow():
        for n in range(30):
            UserFactory(username=f"extra{n}", role=Role.STAFF, unit=units.station_b)

    assert_queries_bounded(lambda: client.get(reverse("accounts:people")), grow, maximum=12)


# --- create -----------------------------------------------------------------------------


def test_a_force_admin_creates_staff_in_its_force(client_for, force_admin, units):
    response = client_for(force_admin).post(
        reverse("accounts:person-create"), form_data(unit=units.station_b.pk)
    )
    person = User.objects.get(username="new_staff")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:person-edit", args=[person.pk])
    assert person.unit == units.station_b and person.role == Role.STAFF
    assert not person.has_usable_password()  # they set one through a link
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(person.pk))
    assert event.actor == force_admin and event.unit == units.station_b


def test_creating_in_another_forces_unit_is_refused(client_for, force_admin, units):
    response = client_for(force_admin).post(
        reverse("accounts:person-create"), form_data(unit=units.station_c.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(username="new_staff").exists()
    with pytest.raises(ValidationError) as refused:
        user_create(
            actor=force_admin, username="x", password=None, role=Role.STAFF, unit=units.station_c
        )
    assert "unit" in refused.value.message_dict


def test_a_force_admin_cannot_make_an_admin(client_for, force_admin, units):
    response = client_for(force_admin).post(
        reverse("accounts:person-create"), form_data(role=Role.ADMIN, unit=units.station_a.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        user_create(actor=force_admin, username="x", password=None, role=Role.ADMIN, unit=None)
    assert "role" in refused.value.message_dict
    assert not User.objects.filter(role=Role.ADMIN).exists()


def test_a_force_admin_may_make_a_force_admin_below_it(client_for, force_admin, units):
    client_for(force_admin).post(
        reverse("accounts:person-create"),
        form_data(role=Role.FORCE_ADMIN, unit=units.kotwali_circle.pk),
    )
    made = User.objects.get(username="new_staff")
    assert made.role == Role.FORCE_ADMIN and not made.is_superuser and not made.is_staff


def test_bad_input_is_a_field_error(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("accounts:person-create"),
        form_data(username="", email="not an email", role=Role.STAFF, unit=""),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"username", "email"}


def test_staff_without_a_unit_is_a_field_error(client_for, admin_user):
    response = client_for(admin_user).post(reverse("accounts:person-create"), form_data())
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not User.objects.filter(username="new_staff").exists()


def test_a_taken_username_is_a_field_error(client_for, admin_user, staff_a, units):
    response = client_for(admin_user).post(
        reverse("accounts:person-create"), form_data(username="STAFF_A", unit=units.station_a.pk)
    )
    assert "username" in response.context["form"].errors


def test_the_portal_admin_makes_an_admin_who_gets_djangos_admin(client_for, admin_user):
    client_for(admin_user).post(reverse("accounts:person-create"), form_data(role=Role.ADMIN))
    made = User.objects.get(username="new_staff")
    assert made.role == Role.ADMIN and made.unit is None and made.is_staff and made.is_superuser


# --- edit -------------------------------------------------------------------------------


def test_a_force_admin_moves_staff_within_its_force(client_for, force_admin, staff_a, units):
    response = client_for(force_admin).post(
        reverse("accounts:person-edit", args=[staff_a.pk]),
        form_data(username="staff_a", unit=units.station_b.pk),
    )
    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.unit == units.station_b and staff_a.first_name == "Nisha"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(staff_a.pk))
    assert set(event.details["fields"]) >= {"unit", "first_name"}


def test_a_person_outside_the_force_admins_subtree_is_404(
    client_for, force_admin, dehat_admin, units
):
    outsider = UserFactory(username="dehat_staff", role=Role.STAFF, unit=units.station_c)
    client = client_for(force_admin)
    assert client.get(reverse("accounts:person-edit", args=[outsider.pk])).status_code == 404
    assert client.get(reverse("accounts:person-edit", args=[dehat_admin.pk])).status_code == 404
    for name in ("accounts:person-deactivate", "accounts:person-password-link"):
        assert client.post(reverse(name, args=[outsider.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        user_update(actor=force_admin, user=outsider, first_name="Taken")
    with pytest.raises(PermissionDenied):
        user_password_link(actor=force_admin, user=outsider)
    outsider.refresh_from_db()
    assert outsider.first_name != "Taken" and outsider.is_active


def test_the_portal_admin_is_out_of_a_force_admins_reach(client_for, force_admin, units):
    boss = UserFactory(username="boss", role=Role.ADMIN, unit=units.knp)
    assert (
        client_for(force_admin).get(reverse("accounts:person-edit", args=[boss.pk])).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        user_deactivate(actor=force_admin, user=boss)


def test_nobody_edits_themselves_into_admin(client_for, force_admin, units):
    response = client_for(force_admin).post(
        reverse("accounts:person-edit", args=[force_admin.pk]),
        form_data(username="knp_admin", role=Role.ADMIN, unit=units.knp.pk),
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    with pytest.raises(ValidationError) as refused:
        user_update(actor=force_admin, user=force_admin, role=Role.ADMIN, unit=None)
    assert "role" in refused.value.message_dict
    force_admin.refresh_from_db()
    assert force_admin.role == Role.FORCE_ADMIN and not force_admin.is_superuser


def test_nobody_moves_their_own_unit_up_the_tree(force_admin, units):
    with pytest.raises(ValidationError) as refused:
        user_update(actor=force_admin, user=force_admin, unit=units.up)
    assert "unit" in refused.value.message_dict  # outside its subtree, above all


def test_one_may_correct_ones_own_name(client_for, force_admin, units):
    response = client_for(force_admin).post(
        reverse("accounts:person-edit", args=[force_admin.pk]),
        form_data(username="knp_admin", role=Role.FORCE_ADMIN, unit=units.knp.pk),
    )
    assert response.status_code == 302
    force_admin.refresh_from_db()
    assert force_admin.first_name == "Nisha"


def test_a_coordinator_cannot_be_raised_above_the_actor(force_admin, coordinator):
    with pytest.raises(ValidationError) as refused:
        user_update(actor=force_admin, user=coordinator, role=Role.ADMIN)
    assert "role" in refused.value.message_dict


def test_the_admin_demotes_an_admin_and_takes_djangos_admin_away(admin_user, units):
    other = UserFactory(username="other_admin", role=Role.ADMIN)
    user_update(actor=admin_user, user=other, role=Role.FORCE_ADMIN, unit=units.dehat)
    other.refresh_from_db()
    assert other.role == Role.FORCE_ADMIN and not other.is_superuser and not other.is_staff
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(other.pk))
    assert event.details["role"] == [Role.ADMIN, Role.FORCE_ADMIN]


def test_a_user_write_without_a_change_writes_no_audit_row(admin_user, staff_a):
    user_update(actor=admin_user, user=staff_a, first_name=staff_a.first_name)
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


# --- deactivate and reactivate ----------------------------------------------------------


def test_deactivating_keeps_the_row_and_stops_sign_in(client_for, force_admin, staff_a):
    response = client_for(force_admin).post(
        reverse("accounts:person-deactivate", args=[staff_a.pk])
    )
    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert not staff_a.is_active
    assert AuditEvent.objects.filter(
        action=AuditAction.DEACTIVATE, object_id=str(staff_a.pk), actor=force_admin
    ).exists()
    assert client_for(staff_a).get("/").status_code == 302  # signed out, back to the login
    user_reactivate(actor=force_admin, user=staff_a)
    staff_a.refresh_from_db()
    assert staff_a.is_active


def test_nobody_deactivates_themselves(client_for, force_admin):
    client_for(force_admin).post(reverse("accounts:person-deactivate", args=[force_admin.pk]))
    force_admin.refresh_from_db()
    assert force_admin.is_active
    with pytest.raises(ValidationError):
        user_deactivate(actor=force_admin, user=force_admin)


def test_a_get_does_not_deactivate(client_for, force_admin, staff_a):
    response = client_for(force_admin).get(reverse("accounts:person-deactivate", args=[staff_a.pk]))
    assert response.status_code == 405
    staff_a.refresh_from_db()
    assert staff_a.is_active


# --- password link ----------------------------------------------------------------------


def test_the_password_link_is_shown_once_and_sets_a_password_once(
    client, client_for, force_admin, staff_a
):
    response = client_for(force_admin).post(
        reverse("accounts:person-password-link", args=[staff_a.pk])
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    link = re.search(r'data-testid="password-link">([^<]+)<', html).group(1)
    assert link.startswith("http://testserver/accounts/reset/")
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_LINK, object_id=str(staff_a.pk))
    assert link.split("/")[-2] not in str(event.details)  # the token is never stored

    path = link.removeprefix("http://testserver")
    form_page = client.get(path, follow=True)
    new = {"new_password1": "a fresh passphrase 42", "new_password2": "a fresh passphrase 42"}
    done = client.post(form_page.redirect_chain[-1][0], new)
    assert done.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.check_password("a fresh passphrase 42")

    again = client.get(path, follow=True)
    assert again.context["validlink"] is False  # used once, it is spent
    assert "This link no longer works" in again.content.decode()


def test_the_link_is_for_that_person_only(force_admin, staff_a, staff_b):
    path = user_password_link(actor=force_admin, user=staff_a)
    token = path.rstrip("/").split("/")[-1]
    assert default_token_generator.check_token(staff_a, token)
    assert not default_token_generator.check_token(staff_b, token)


def test_no_link_for_a_deactivated_account(client_for, force_admin, staff_a):
    user_deactivate(actor=force_admin, user=staff_a)
    response = client_for(force_admin).post(
        reverse("accounts:person-password-link", args=[staff_a.pk]), follow=True
    )
    assert "Reactivate it first" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_LINK).exists()
