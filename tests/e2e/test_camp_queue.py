"""The camp day on phones: a donor scans the camp's QR code, fills in the join page at 390 px
and gets a number; the constable at the table sees the queue and calls the next number."""

import re

import pytest
from playwright.sync_api import expect

from camps.queue import join_code
from tests.e2e.conftest import fits_width, sign_in
from tests.factories import CampFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_donor_joins_the_queue_and_the_table_calls_them(
    live_server, browser, phone, screenshot, staff_a, settings
):
    settings.SITE_URL = live_server.url
    camp = CampFactory(unit=staff_a.unit, name="Kotwali Police Lines camp", venue="Police Lines")
    url = f"{live_server.url}/camps/{join_code(camp)}/join/"

    phone.goto(url)
    expect(phone.get_by_test_id("join-qr").locator("svg")).to_be_visible()
    assert fits_width(phone)
    screenshot(phone, "camp-join-phone")
    phone.get_by_label("Full name").fill("Kavita Rawat")
    phone.get_by_label("Mobile number").fill("98765 11111")
    phone.get_by_label("Female").check()
    phone.get_by_label("Date of birth").fill("1995-04-02")
    phone.get_by_label("I agree to be in the donor registry").check()
    phone.get_by_role("button", name="Get my number").click()
    expect(phone.get_by_test_id("queue-number")).to_have_text("1")
    expect(phone.get_by_text("You are next.")).to_be_visible()
    assert fits_width(phone)
    screenshot(phone, "camp-join-number-phone")
    assert phone.js_errors == []

    # The constable's phone at the table.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-IN")
    table = context.new_page()
    sign_in(table, live_server.url, "staff_a")
    table.goto(f"{live_server.url}/camps/{camp.pk}/table/")
    queue = table.get_by_test_id("camp-queue")
    expect(queue).to_contain_text("Queue: 1 waiting")
    expect(table.get_by_test_id("queue-waiting")).to_contain_text("Kavita Rawat")
    assert fits_width(table)
    screenshot(table, "camp-queue-table-phone")
    table.get_by_test_id("queue-call-next").click()
    expect(table.get_by_test_id("queue-now-calling")).to_contain_text("Kavita Rawat")
    expect(queue).to_contain_text("Queue: 0 waiting")
    table.get_by_role("button", name="Open card").click()
    expect(table.locator("#table-result")).to_contain_text("Kavita Rawat")
    assert fits_width(table)
    screenshot(table, "camp-queue-called-phone")
    context.close()

    # The donor's page, on its next refresh, says they were called.
    phone.reload()
    expect(phone.get_by_text("Your number has been called")).to_be_visible()


def test_share_totals_gives_a_text_to_copy_at_phone_width(live_server, phone, screenshot, staff_a):
    camp = CampFactory(unit=staff_a.unit, name="Kotwali Police Lines camp", venue="Police Lines")
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/camps/{camp.pk}/table/")
    phone.get_by_test_id("share-totals").click()
    text = phone.get_by_test_id("share-text")
    expect(text).to_have_value(re.compile(r"^\*Kotwali Police Lines camp\*"))
    expect(text).to_have_value(re.compile(r"Units collected: 0"))
    phone.get_by_test_id("share-copy").click()
    expect(phone.get_by_test_id("share-status")).to_have_text("Copied: paste it in WhatsApp.")
    assert fits_width(phone)
    screenshot(phone, "camp-share-totals-phone")
    assert phone.js_errors == []
