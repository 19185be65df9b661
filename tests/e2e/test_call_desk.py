"""The help desk at phone width: open the call list from the menu, call a silent donor who
confirms (one tap), log "no answer" with a follow-up for a guardian; then a donor answers a
request by the link in the message, without signing in."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import fits_width, sign_in
from tests.factories import DonorFactory, make_assignment, make_patient
from thalassemia.models import Assignment
from thalassemia.respond import respond_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_call_desk_one_tap_outcomes_and_the_answer_link(
    live_server, phone, screenshot, staff_a, units, settings
):
    today = timezone.localdate()
    child = make_patient(
        units.station_a,
        name="Riya Sharma",
        last_transfused_on=today - timedelta(days=18),
        guardians=[{"name": "Meena Sharma", "relation": "mother", "phone": "98123 45678"}],
    )
    transfusion = child.transfusions.get(status="due")
    silent = make_assignment(
        transfusion, DonorFactory(name="Ravi Kumar", unit=units.station_a, blood_group="B+")
    )
    Assignment.objects.filter(pk=silent.pk).update(asked_at=timezone.now() - timedelta(days=2))
    linked = make_assignment(
        transfusion,
        DonorFactory(
            name="Suresh Yadav", unit=units.station_a, blood_group="O+", preferred_language="en"
        ),
    )

    sign_in(phone, live_server.url, "staff_a")
    phone.get_by_role("button", name="Menu").click()
    phone.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Call desk"
    ).click()
    donors = phone.get_by_test_id("section-donor")
    expect(donors).to_contain_text("Ravi Kumar")
    guardians = phone.get_by_test_id("section-guardian")
    expect(guardians.get_by_test_id("phone")).to_have_attribute("href", "tel:+919812345678")
    assert fits_width(phone)
    screenshot(phone, "call-desk-phone")

    row = phone.get_by_test_id("section-guardian").get_by_test_id("call-row").first
    row.locator("input[name=follow_up_on]").fill((today + timedelta(days=1)).isoformat())
    row.get_by_test_id("outcome-no_answer").click()
    expect(phone.get_by_test_id("section-guardian").get_by_test_id("last-outcome")).to_have_text(
        "No answer"
    )
    assert fits_width(phone)
    screenshot(phone, "call-desk-logged")

    donors.get_by_test_id("outcome-confirmed").first.click()
    expect(phone.locator(".alert")).to_contain_text("Ravi Kumar: Confirmed")
    silent.refresh_from_db()
    assert silent.status == "confirmed"
    # The child now has its donor: the guardian leaves the list.
    expect(phone.get_by_test_id("section-guardian")).to_contain_text("Nobody to call.")

    # The donor's link, opened on another phone with nobody signed in.
    settings.SITE_URL = live_server.url
    donor_phone = phone.context.browser.new_page(viewport={"width": 390, "height": 844})
    donor_phone.goto(respond_url(linked))
    expect(donor_phone.get_by_test_id("respond")).to_have_attribute("data-state", "ask")
    assert fits_width(donor_phone)
    screenshot(donor_phone, "respond-ask")
    donor_phone.get_by_test_id("confirm").click()
    expect(donor_phone.get_by_test_id("respond")).to_have_attribute("data-state", "done")
    linked.refresh_from_db()
    assert linked.status == "confirmed"
    donor_phone.goto(respond_url(linked))
    expect(donor_phone.get_by_test_id("respond")).to_have_attribute("data-state", "used")
    screenshot(donor_phone, "respond-used")
    donor_phone.close()
