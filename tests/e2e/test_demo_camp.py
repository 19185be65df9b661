"""What `make run` shows: after load_demo, the Kotwali desk officer finds the open camp live
at phone width, with its totals, its donors, and a demo donor to look up at the table."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from camps.models import Camp
from tests.e2e.conftest import fits_width, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_demo_camp_is_live_at_phone_width(live_server, phone, screenshot, settings):
    settings.DEBUG = True
    call_command("load_demo")
    camp = Camp.objects.get(name="Kotwali Police Lines camp")
    sign_in(phone, live_server.url, "kotwali", "bloodbond-staff")
    phone.goto(f"{live_server.url}/camps/{camp.pk}/")
    expect(phone.get_by_test_id("total-registered")).to_have_text("5")
    expect(phone.get_by_test_id("total-collected")).to_have_text("4")
    expect(phone.get_by_test_id("total-deferred")).to_have_text("1")
    expect(phone.get_by_test_id("camp-donors")).to_contain_text("Kavita Mishra")
    assert fits_width(phone)
    screenshot(phone, "camp-demo-detail-phone")
    phone.get_by_role("link", name="Camp table").click()
    phone.get_by_label("Donor's mobile number").fill("90000 00306")
    phone.get_by_role("button", name="Find").click()
    expect(phone.get_by_text("Deepak Tiwari")).to_be_visible()
    assert fits_width(phone)
    screenshot(phone, "camp-demo-table-phone")
