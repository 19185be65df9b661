"""On a phone (390 px): a citizen pledges, mistypes the code from the SMS and is told so
plainly, then types the right one and the number is verified."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from donors.models import Donor
from notifications.models import Message
from tests.e2e.conftest import fits_width
from tests.e2e.test_pledge import fill_the_form, tap_height

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def test_a_pledged_number_is_verified_with_the_code_from_the_sms(
    live_server, phone, screenshot, units
):
    phone.goto(f"{live_server.url}/pledge/")
    fill_the_form(phone, phone="98765 43210")
    phone.get_by_role("button", name="Pledge to donate").click()

    expect(phone).to_have_url(re.compile(r"/pledge/code/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Confirm your mobile number")
    expect(phone.get_by_text("ending in 3210")).to_be_visible()
    field = phone.get_by_label("Code from the SMS")
    assert field.get_attribute("inputmode") == "numeric"
    assert field.get_attribute("autocomplete") == "one-time-code"
    assert tap_height(field) >= 44
    assert Donor.objects.get().verified_at is None

    sms = Message.objects.get(topic="phone_code")  # the outbox row the SMS backend sends
    code = re.search(r"\b\d{6}\b", sms.body).group()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    field.fill(wrong)
    phone.get_by_role("button", name="Confirm my number").click()
    expect(phone.locator("#div_id_code")).to_contain_text("That code is not right")
    screenshot(phone, "pledge-code-wrong-phone")
    assert fits_width(phone)
    assert Donor.objects.get().verified_at is None

    phone.get_by_label("Code from the SMS").fill(code)
    phone.get_by_role("button", name="Confirm my number").click()

    expect(phone).to_have_url(re.compile(r"/pledge/thanks/$"))
    expect(phone.get_by_test_id("number-confirmed")).to_have_text(
        "Your mobile number is confirmed."
    )
    screenshot(phone, "pledge-code-verified-phone")
    assert fits_width(phone)
    assert phone.js_errors == []
    donor = Donor.objects.get()
    assert donor.verified_at is not None and donor.verified_by is None
