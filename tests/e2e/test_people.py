"""The people pages and the police-unit tree in headless Chromium, at 390 px (a phone) and
1366 px (a laptop): the list, the form with an error, the one-time password link, and the
tree with its search and counts."""

import re

import pytest
from playwright.sync_api import expect

from accounts.choices import Role
from tests.e2e.conftest import fits_width, sign_in
from tests.factories import DonorFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def force_admin(units):
    return UserFactory(
        username="knp_admin", role=Role.FORCE_ADMIN, unit=units.knp, first_name="Kavita"
    )


def open_nav(page, name):
    if page.screen_name == "phone":
        page.get_by_role("button", name="Menu").click()
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name=name, exact=True).click()


def test_a_force_admin_lists_and_searches_its_people(
    live_server, screen, screenshot, force_admin, staff_a, staff_b, units
):
    UserFactory(username="dehat_staff", role=Role.STAFF, unit=units.station_c)
    sign_in(screen, live_server.url, "knp_admin")
    open_nav(screen, "People")
    people = screen.get_by_test_id("people-list")
    expect(people).to_contain_text("staff_a")
    expect(people).to_contain_text("staff_b")
    expect(people).not_to_contain_text("dehat_staff")
    assert fits_width(screen)
    screenshot(screen, f"people-list-{screen.screen_name}")

    screen.get_by_label("Name, username or email").fill("staff_b")
    screen.get_by_role("button", name="Find").click()
    expect(people).to_contain_text("staff_b")
    expect(people).not_to_contain_text("staff_a")
    assert screen.js_errors == []


def test_the_form_shows_a_field_error_then_saves(
    live_server, screen, screenshot, force_admin, units
):
    sign_in(screen, live_server.url, "knp_admin")
    screen.goto(f"{live_server.url}/people/new/")
    screen.get_by_label("Username").fill("new_constable")
    screen.get_by_label("First name").fill("Ramesh")
    screen.get_by_label("Role").select_option(Role.STAFF)
    # No unit chosen: staff need one.
    screen.get_by_role("button", name="Save").click()
    error = screen.locator("#id_unit ~ .invalid-feedback, .invalid-feedback").first
    expect(error).to_contain_text("every role but admin needs one")
    assert fits_width(screen)
    screenshot(screen, f"person-form-error-{screen.screen_name}")

    # Only the force's units and roles up to its own are offered.
    options = screen.locator("#id_unit option").all_inner_texts()
    assert any("Cantt" in text for text in options)
    assert not any("Akbarpur" in text for text in options)
    roles = screen.locator("#id_role option").all_inner_texts()
    assert "Admin" not in roles and "Force admin" in roles

    screen.get_by_label("Police unit").select_option(str(units.station_b.pk))
    screen.get_by_role("button", name="Save").click()
    expect(screen.get_by_role("alert").first).to_contain_text("Make a password link")
    expect(screen.get_by_role("heading", level=1)).to_have_text("Ramesh")
    assert screen.js_errors == []


def test_the_password_link_is_shown_once(live_server, screen, screenshot, force_admin, staff_b):
    sign_in(screen, live_server.url, "knp_admin")
    screen.goto(f"{live_server.url}/people/{staff_b.pk}/")
    screen.get_by_role("button", name="Make a password link").click()
    link = screen.get_by_test_id("password-link")
    expect(link).to_have_value(re.compile(r"/accounts/reset/[^/]+/[^/]+/$"))
    expect(screen.get_by_role("status")).to_contain_text("shown only now")
    assert fits_width(screen)
    screenshot(screen, f"password-link-{screen.screen_name}")
    url = link.input_value()

    # Going back to the person's page shows no link: it is not kept anywhere.
    screen.get_by_role("link", name="Done").click()
    expect(screen.get_by_test_id("password-link")).to_have_count(0)

    # The person opens it (another browser) and sets a password.
    screen.context.clear_cookies()
    screen.goto(url)
    screen.locator("#id_new_password1").fill("monsoon river 2026")
    screen.locator("#id_new_password2").fill("monsoon river 2026")
    screen.get_by_role("button", name="Set my password").click()
    sign_in(screen, live_server.url, "staff_b", password="monsoon river 2026")
    screen.goto(url)
    expect(screen.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    assert screen.js_errors == []


def test_the_unit_tree_folds_searches_and_counts(
    live_server, screen, screenshot, force_admin, units
):
    DonorFactory(unit=units.station_b)
    DonorFactory(unit=units.station_a2)
    sign_in(screen, live_server.url, "knp_admin")
    open_nav(screen, "Police units")
    tree = screen.get_by_test_id("unit-list")
    knp = tree.locator("details[data-unit=knp] > summary")
    expect(knp).to_contain_text("2 donors")
    expect(tree).not_to_contain_text("Akbarpur")
    assert fits_width(screen)
    screenshot(screen, f"unit-tree-{screen.screen_name}")

    # Folding a circle hides its stations.
    cantt_circle = tree.locator("details[data-unit=cantt-circle]")
    station = cantt_circle.locator("[data-unit=station-b]")
    expect(station).to_be_visible()
    cantt_circle.locator("> summary").click()
    expect(station).to_be_hidden()

    screen.get_by_label("Name or code").fill("moolganj")
    screen.get_by_role("button", name="Find").click()
    expect(tree.locator("[data-unit=station-a2]")).to_be_visible()
    expect(tree.locator("[data-unit=station-b]")).to_have_count(0)
    screenshot(screen, f"unit-tree-search-{screen.screen_name}")

    # A force admin renames a station from the tree.
    tree.get_by_role("link", name="Rename or move Moolganj").click()
    screen.get_by_label("Name").fill("Moolganj Thana")
    screen.get_by_role("button", name="Save").click()
    expect(screen.get_by_role("heading", level=1)).to_have_text("Moolganj Thana")
    assert screen.js_errors == []
