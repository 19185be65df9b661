"""The help desk at 390 px and 1366 px: open the call list from the menu; a guardian with no
answer gets a follow-up day, a silent donor confirms, a donor who declined will try: each
row swaps in place (no reload, no jump to the top) and moves to "done today"; on the
follow-up day the guardian is back. Without JavaScript the same taps come back to the row's
section. Then a donor answers a request by the link in the message, without signing in."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from calldesk.models import CallLog
from tests.e2e.conftest import PHONE, _page, fits_width, sign_in
from tests.factories import DonorFactory, make_assignment, make_patient
from thalassemia.booking import assignment_set_status
from thalassemia.models import Assignment
from thalassemia.respond import respond_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def the_day(today, units):
    """Riya due in 2 days, her mother to call; Ravi proposed for her and silent; Suresh
    declined Kabir's transfusion and nobody has taken his place; Kabir's mother to call."""
    riya = make_patient(
        units.station_a,
        name="Riya Sharma",
        last_transfused_on=today - timedelta(days=19),
        guardians=[{"name": "Meena Sharma", "relation": "mother", "phone": "98123 45678"}],
    )
    ravi = make_assignment(
        riya.transfusions.get(status="due"),
        DonorFactory(name="Ravi Kumar", unit=units.station_a, blood_group="B+"),
        status="proposed",
    )
    kabir = make_patient(
        units.station_a,
        name="Kabir Khan",
        last_transfused_on=today - timedelta(days=17),
        guardians=[{"name": "Farida Khan", "relation": "mother", "phone": "98765 43210"}],
    )
    suresh = make_assignment(
        kabir.transfusions.get(status="due"),
        DonorFactory(name="Suresh Yadav", unit=units.station_a, blood_group="O+"),
    )
    assignment_set_status(assignment=suresh, status="declined")
    return ravi, suresh


def open_desk(page, base_url):
    if page.screen_name == "phone":
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Call desk"
    ).click()
    expect(page.get_by_role("heading", name="Call desk", level=1)).to_be_visible()


def test_outcomes_swap_in_place_move_to_done_today_and_follow_ups_come_back(
    live_server, screen, screenshot, staff_a, units
):
    today = timezone.localdate()
    ravi, suresh = the_day(today, units)
    name = screen.screen_name
    sign_in(screen, live_server.url, "staff_a")
    open_desk(screen, live_server.url)

    guardians = screen.get_by_test_id("section-guardian")
    donors = screen.get_by_test_id("section-donor")
    declined = screen.get_by_test_id("section-declined")
    meena = guardians.get_by_test_id("call-row").filter(has_text="Meena Sharma")
    expect(meena.get_by_test_id("phone")).to_have_attribute("href", "tel:+919812345678")
    expect(donors).to_contain_text("Ravi Kumar")
    expect(donors).to_contain_text("not asked yet")
    expect(declined).to_contain_text("Suresh Yadav")
    expect(declined).to_contain_text("nobody in their place yet")
    assert fits_width(screen)
    screenshot(screen, f"call-desk-{name}")

    # A marker on the window survives an in-place swap and dies with a page load.
    screen.evaluate("window.stillHere = true")
    row = declined.get_by_test_id("call-row")
    row.scroll_into_view_if_needed()
    scrolled = screen.evaluate("window.scrollY")
    row.get_by_label("Notes").fill("Call after 6 pm")
    row.get_by_test_id("outcome-will_try").click()
    logged = declined.get_by_test_id("call-row-logged")
    expect(logged).to_contain_text("Suresh Yadav · Will try")
    expect(screen.get_by_test_id("count-declined")).to_have_text("0")
    assert screen.evaluate("window.stillHere") is True
    assert screen.evaluate("window.scrollY") == scrolled
    done = screen.get_by_test_id("section-done")
    expect(done.get_by_test_id("done-row")).to_have_count(1)
    expect(done).to_contain_text("Call after 6 pm")

    follow_up = today + timedelta(days=2)
    row = guardians.get_by_test_id("call-row").filter(has_text="Farida Khan")
    row.get_by_label("Follow up on").fill(follow_up.isoformat())
    row.get_by_test_id("outcome-no_answer").click()
    expect(guardians.get_by_test_id("call-row-logged")).to_contain_text(
        f"back on {follow_up.day} {follow_up:%b}"
    )

    expect(screen.get_by_test_id("count-guardian")).to_have_text("1")
    donors.get_by_test_id("outcome-confirmed").click()
    expect(donors.get_by_test_id("call-row-logged")).to_contain_text("Ravi Kumar · Confirmed")
    # Riya has her donor: her mother needs no call, and her row leaves the page.
    expect(meena).to_have_count(0)
    expect(screen.get_by_test_id("count-guardian")).to_have_text("0")
    expect(done.get_by_test_id("done-row")).to_have_count(3)
    expect(done.get_by_test_id("done-follow-up")).to_have_text(
        f"Back on {follow_up.day} {follow_up:%b}"
    )
    assert screen.evaluate("window.stillHere") is True
    assert fits_width(screen)
    screenshot(screen, f"call-desk-done-{name}")
    ravi.refresh_from_db()
    assert ravi.status == "confirmed"
    assert CallLog.objects.count() == 3 and screen.js_errors == []

    # A reload: nothing left to call; Farida waits for her day.
    screen.reload()
    expect(screen.get_by_test_id("call-row")).to_have_count(0)
    expect(screen.get_by_test_id("section-later")).to_contain_text("Farida Khan")

    # Her follow-up day: she is back on the list, marked, and today's done list is empty.
    moment = timezone.make_aware(datetime.combine(follow_up, time(10)))
    with time_machine.travel(moment, tick=False):
        sign_in(screen, live_server.url, "staff_a")  # two days on, the session has lapsed
        screen.goto(f"{live_server.url}/calls/")
        back = screen.get_by_test_id("section-guardian").get_by_test_id("call-row")
        expect(back).to_contain_text("Farida Khan")
        expect(back.get_by_test_id("follow-up-due")).to_have_text("Follow-up today")
        expect(back.get_by_test_id("last-outcome")).to_have_text("No answer")
        expect(screen.get_by_test_id("section-done")).to_contain_text("No calls yet today.")
        assert fits_width(screen)
        screenshot(screen, f"call-desk-follow-up-{name}")


def test_without_javascript_an_outcome_comes_back_to_the_rows_section(
    live_server, browser, screenshot, staff_a, units
):
    ravi, _ = the_day(timezone.localdate(), units)
    context = browser.new_context(viewport=PHONE, locale="en-IN", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, "staff_a")
    page.goto(f"{live_server.url}/calls/")
    page.get_by_test_id("section-donor").get_by_test_id("outcome-declined").click()
    page.wait_for_url(f"{live_server.url}/calls/#section-donor")
    expect(page.get_by_test_id("section-done")).to_contain_text("Ravi Kumar")
    expect(page.get_by_test_id("section-donor")).to_contain_text("Nobody to call.")
    ravi.refresh_from_db()
    assert ravi.status == "declined"
    screenshot(page, "call-desk-no-js")
    context.close()


def test_a_donor_answers_by_the_link_without_signing_in(
    live_server, browser, screenshot, units, settings
):
    today = timezone.localdate()
    child = make_patient(
        units.station_a, name="Riya Sharma", last_transfused_on=today - timedelta(days=18)
    )
    linked = make_assignment(
        child.transfusions.get(status="due"),
        DonorFactory(
            name="Suresh Yadav", unit=units.station_a, blood_group="O+", preferred_language="en"
        ),
    )
    settings.SITE_URL = live_server.url
    context, donor_phone = _page(browser, PHONE)
    donor_phone.goto(respond_url(linked))
    expect(donor_phone.get_by_test_id("respond")).to_have_attribute("data-state", "ask")
    assert fits_width(donor_phone)
    screenshot(donor_phone, "respond-ask")
    donor_phone.get_by_test_id("confirm").click()
    expect(donor_phone.get_by_test_id("respond")).to_have_attribute("data-state", "done")
    linked.refresh_from_db()
    assert linked.status == "confirmed"
    assert Assignment.objects.get(pk=linked.pk).responded_at is not None
    donor_phone.goto(respond_url(linked))
    expect(donor_phone.get_by_test_id("respond")).to_have_attribute("data-state", "used")
    screenshot(donor_phone, "respond-used")
    context.close()
