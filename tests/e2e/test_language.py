"""Hindi stays chosen: a constable switches to Hindi on a phone, signs out, and signs in the
next day on another phone (a fresh browser, no cookie): the portal speaks Hindi."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_hindi_follows_the_user_to_another_phone(live_server, browser, phone, screenshot, staff_a):
    sign_in(phone, live_server.url, "staff_a")
    switch = phone.get_by_test_id("language-switch")
    switch.locator("select").select_option("hi")
    switch.get_by_role("button").click()
    expect(phone.locator("html")).to_have_attribute("lang", "hi")

    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-IN")
    try:
        page = other.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("#id_username").fill("staff_a")
        page.locator("#id_password").fill("correct horse battery")
        page.locator("form button[type=submit]").first.click()
        expect(page.locator("html")).to_have_attribute("lang", "hi")
        screenshot(page, "home-hindi-after-sign-in-phone")
    finally:
        other.close()
