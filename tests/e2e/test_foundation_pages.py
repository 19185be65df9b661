"""Sign-in, navigation, units, language switch, password change and the audit log, in
headless Chromium at phone (390 px) and desktop width."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import fits_width, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_signs_in_on_a_phone_and_finds_their_station(live_server, phone, screenshot, staff_a):
    phone.goto(live_server.url)
    expect(phone).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    screenshot(phone, "login-phone")
    assert fits_width(phone)

    phone.get_by_label("Username").fill("staff_a")
    phone.get_by_label("Password").fill("correct horse battery")
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(phone.get_by_text("Kotwali (Police station) and every unit below it.")).to_be_visible()
    screenshot(phone, "home-staff-phone")
    assert fits_width(phone)

    # On a phone the navigation folds behind the menu button.
    nav_link = phone.get_by_role("link", name="Police units")
    expect(nav_link).to_be_hidden()
    phone.get_by_role("button", name="Menu").click()
    nav_link.click()
    expect(phone.get_by_test_id("unit-list")).to_contain_text("Kotwali")
    expect(phone.get_by_test_id("unit-list")).not_to_contain_text("Cantt")
    assert fits_width(phone)
    assert phone.js_errors == []


def test_a_wrong_password_is_refused_with_a_message(live_server, phone, staff_a):
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_label("Username").fill("staff_a")
    phone.get_by_label("Password").fill("not the password")
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("alert")).to_contain_text("correct username and password")


def test_language_switch_to_hindi_and_back(live_server, phone, screenshot, staff_a):
    sign_in(phone, live_server.url, "staff_a")
    phone.get_by_label("Language").select_option("hi")
    phone.get_by_role("button", name="Change").click()
    expect(phone.locator("html")).to_have_attribute("lang", "hi")
    expect(phone.get_by_role("heading", level=2).first).to_have_text("आपका क्षेत्राधिकार")
    screenshot(phone, "home-staff-phone-hindi")
    assert fits_width(phone)
    phone.locator("#language-select").select_option("en")
    phone.locator("[data-testid=language-switch] button").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")


def test_coordinator_sees_the_force_and_opens_another_station(
    live_server, desktop, screenshot, coordinator
):
    sign_in(desktop, live_server.url, "coordinator")
    desktop.get_by_role("link", name="Police units").click()
    units = desktop.get_by_test_id("unit-list")
    expect(units).to_contain_text("Moolganj")
    expect(units).not_to_contain_text("Akbarpur")
    units.get_by_role("link", name=re.compile("^Cantt Police station")).click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Cantt")
    screenshot(desktop, "unit-detail-desktop")


def test_admin_reads_and_filters_the_audit_log(
    live_server, desktop, phone, screenshot, admin_user, staff_b
):
    # A failed sign-in by someone else, then the admin signs in and looks for it.
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_label("Username").fill("staff_b")
    phone.get_by_label("Password").fill("guess")
    phone.get_by_role("button", name="Sign in").click()

    sign_in(desktop, live_server.url, "admin")
    desktop.get_by_role("link", name="Audit log").first.click()
    desktop.get_by_text("Search and filter").click()
    desktop.get_by_label("Action").select_option("login_failed")
    desktop.get_by_role("button", name="Apply").click()
    table = desktop.locator("table")
    expect(table).to_contain_text("staff_b")
    expect(table).to_contain_text("Failed sign-in")
    expect(table).not_to_contain_text("Signed in")
    screenshot(desktop, "audit-desktop")


def test_password_change_then_sign_out_and_in_again(live_server, phone, staff_a):
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/accounts/password_change/")
    phone.get_by_label("Old password").fill("correct horse battery")
    phone.locator("#id_new_password1").fill("monsoon-camp-2026")
    phone.get_by_label("New password confirmation").fill("monsoon-camp-2026")
    phone.get_by_role("button", name="Change my password").click()
    expect(phone.get_by_role("alert")).to_contain_text("Your password has been changed.")

    phone.get_by_role("button", name="Menu").click()
    phone.get_by_test_id("user-menu").click()
    phone.get_by_role("button", name="Sign out").click()
    expect(phone).to_have_url(re.compile(r"/accounts/login/$"))
    sign_in(phone, live_server.url, "staff_a", password="monsoon-camp-2026")


def test_forgotten_password_by_email_link(live_server, phone, screenshot, staff_a, mailoutbox):
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_role("link", name="Forgotten your password?").click()
    phone.get_by_label("Email").fill(staff_a.email)
    phone.get_by_role("button", name="Send the link").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/reset/\S+", mailoutbox[0].body).group(0)
    phone.goto(re.sub(r"^https?://[^/]+", live_server.url, link))
    phone.locator("#id_new_password1").fill("rainy-season-88")
    phone.locator("#id_new_password2").fill("rainy-season-88")
    phone.get_by_role("button", name="Set my password").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your password is set")
    screenshot(phone, "password-reset-done-phone")
    sign_in(phone, live_server.url, "staff_a", password="rainy-season-88")


def test_admin_manages_users_and_units_in_django_admin(live_server, desktop, admin_user, units):
    sign_in(desktop, live_server.url, "admin")
    desktop.get_by_role("link", name="Administration").click()
    desktop.locator("#content-main").get_by_role("link", name="Police units", exact=True).click()
    expect(desktop.locator("#changelist")).to_contain_text("Uttar Pradesh")
    desktop.locator("#searchbar").fill("Akbarpur")
    desktop.get_by_role("button", name="Search").click()
    expect(desktop.locator("#changelist")).to_contain_text("Akbarpur")
    desktop.goto(f"{live_server.url}/admin/accounts/user/")
    expect(desktop.locator("#result_list")).to_contain_text("admin")
    assert desktop.js_errors == []
