"""A citizen pledges on a phone (390 px) with no account; a mistyped number is explained."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from donors.models import Donor
from notifications.models import Message
from tests.e2e.conftest import fits_width

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def fill_the_form(page, *, phone):
    page.get_by_label("Full name").fill("Sunita Devi")
    page.get_by_label("Female").check()
    page.get_by_label("Date of birth").fill("1994-03-12")
    page.get_by_label("Mobile number").fill(phone)
    page.get_by_label("Blood group").select_option("B+")
    page.get_by_label("Nearest police station").select_option(label="Cantt")
    page.get_by_label("Your locality (optional)").fill("Sadar Bazaar")
    page.get_by_label("I agree to be in the donor registry, as the notice above says.").check()
    page.get_by_label(re.compile("I also agree to receive reminders")).check()


def tap_height(locator) -> float:
    return locator.bounding_box()["height"]


def test_a_citizen_pledges_on_a_phone_without_signing_in(live_server, phone, screenshot, units):
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_role("link", name="Pledge to donate blood").click()
    expect(phone).to_have_url(re.compile(r"/pledge/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Pledge to donate blood")
    expect(phone.get_by_role("heading", name="Your consent")).to_be_visible()
    screenshot(phone, "pledge-phone")
    assert fits_width(phone)

    # Thumb-sized controls: inputs, the station select and the consent box.
    for label in ("Full name", "Mobile number", "Nearest police station"):
        assert tap_height(phone.get_by_label(label)) >= 44
    consent = phone.get_by_label("I agree to be in the donor registry, as the notice above says.")
    assert tap_height(consent) >= 24
    assert tap_height(phone.get_by_label(re.compile("I also agree to receive reminders"))) >= 24
    # The honeypot is out of sight.
    expect(phone.locator("input[name=website]")).not_to_be_in_viewport()

    fill_the_form(phone, phone="98765 43210")
    phone.get_by_role("button", name="Pledge to donate").click()

    # The number is confirmed with the code the pledge sent to it by SMS.
    expect(phone).to_have_url(re.compile(r"/pledge/code/$"))
    code = re.search(r"\d{6}", Message.objects.get(topic="phone_code").body).group()
    phone.get_by_label("Code from the SMS").fill(code)
    phone.get_by_role("button", name="Confirm my number").click()

    expect(phone).to_have_url(re.compile(r"/pledge/thanks/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you for your pledge")
    expect(phone.get_by_test_id("number-confirmed")).to_be_visible()
    expect(phone.get_by_test_id("next-steps")).to_contain_text("will check your details")
    screenshot(phone, "pledge-thanks-phone")
    assert fits_width(phone)
    assert phone.js_errors == []

    donor = Donor.objects.get()
    assert donor.phone == "+919876543210"
    assert donor.unit == units.station_b
    assert donor.source == "pledge"
    assert donor.verified_at is not None and donor.verified_by is None
    assert donor.consent_at is not None
    # Both purposes ticked: two consents, each given by the donor themselves.
    assert {(c.purpose, c.source, c.recorded_by) for c in donor.consents.all()} == {
        ("registry", "pledge", None),
        ("reminders", "pledge", None),
    }


def test_a_bad_phone_number_is_explained_next_to_the_field(live_server, phone, screenshot, units):
    phone.goto(f"{live_server.url}/pledge/")
    fill_the_form(phone, phone="12345")
    phone.get_by_role("button", name="Pledge to donate").click()

    expect(phone.get_by_role("alert").first).to_contain_text("Please correct the fields")
    expect(phone.locator("#id_phone")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(phone.locator("#div_id_phone")).to_contain_text("not a valid mobile number")
    # What was typed is kept, so only the mistake needs fixing.
    expect(phone.get_by_label("Full name")).to_have_value("Sunita Devi")
    expect(phone.get_by_label("Nearest police station")).to_have_value(str(units.station_b.pk))
    screenshot(phone, "pledge-error-phone")
    assert fits_width(phone)
    assert not Donor.objects.exists()


def test_the_pledge_page_on_a_desktop(live_server, desktop, screenshot, units):
    desktop.goto(f"{live_server.url}/pledge/")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Pledge to donate blood")
    screenshot(desktop, "pledge-desktop")
    assert fits_width(desktop)
