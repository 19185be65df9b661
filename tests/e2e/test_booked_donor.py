"""The booked-donor story at phone width (issue 11): a coordinator confirms a donor for a
child; the donor turns up at a police camp three days before; the camp table warns, the
constable records anyway; the child's page shows the gap and the coordinator's message is
in the outbox."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, _page, fits_width, sign_in
from tests.factories import CampFactory, DonorFactory, make_patient
from thalassemia.models import Assignment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_screening(page):
    """Hb 13.5, weight 65, and BP 120/80 where the table asks for blood pressure."""
    page.get_by_label("Hb (g/dL)").fill("13.5")
    page.get_by_label("Weight (kg)").fill("65")
    for pattern, value in ((r"systolic", "120"), (r"diastolic", "80")):
        field = page.get_by_label(re.compile(pattern, re.I))
        if field.count():
            field.first.fill(value)


def test_a_booked_donor_at_a_camp_table(
    live_server, browser, phone, screenshot, coordinator, staff_a, units
):
    today = timezone.localdate()
    child = make_patient(
        units.station_a,
        name="Riya Sharma",
        blood_group="B+",
        last_transfused_on=today - timedelta(days=18),
    )
    booked_on = child.next_due_on
    DonorFactory(name="Ravi Kumar", unit=units.station_a, blood_group="B+", phone="+919812300077")
    camp = CampFactory(unit=units.station_a, name="Kotwali Police Lines camp", held_on=today)

    # 1. The coordinator confirms Ravi for Riya's transfusion.
    sign_in(phone, live_server.url, "coordinator")
    phone.goto(live_server.url + reverse("thalassemia:detail", args=[child.pk]))
    phone.get_by_role("link", name="Match donors").click()
    phone.get_by_test_id("suggestion").filter(has_text="Ravi Kumar").get_by_test_id(
        "assign"
    ).click()
    phone.get_by_test_id("assignment").filter(has_text="Ravi Kumar").get_by_role(
        "button", name="Confirmed"
    ).click()
    expect(phone.get_by_test_id("assignments")).to_contain_text("1 of 1 confirmed")
    phone.goto(live_server.url + reverse("thalassemia:detail", args=[child.pk]))
    expect(phone.get_by_test_id("open-confirmed")).to_have_text("1 of 1 confirmed")
    screenshot(phone, "booked-1-confirmed-phone")
    assert fits_width(phone)

    # 2. Staff look Ravi up at the camp table and see the warning.
    context, table = _page(browser, PHONE)
    try:
        sign_in(table, live_server.url, "staff_a")
        table.goto(live_server.url + reverse("camps:table", args=[camp.pk]))
        table.get_by_label("Donor's mobile number").fill("98123 00077")
        table.get_by_role("button", name="Find").click()
        warning = table.get_by_test_id("booking-warning")
        expect(warning).to_contain_text(
            f"Booked to give for Riya on {booked_on.day} {booked_on:%b}: "
            "recording a donation now releases that booking."
        )
        expect(warning).not_to_contain_text("Sharma")  # staff see the child's first name only
        screenshot(table, "booked-2-warning-phone")
        assert fits_width(table)

        # 3. Without the tick nothing is recorded; with it the unit is.
        fill_screening(table)
        table.get_by_label("Bag number").fill("KNP-9001")
        table.get_by_label("350 ml").check()
        table.get_by_role("button", name="Record collected").click()
        expect(table.get_by_test_id("record-anyway-error")).to_be_visible()
        expect(table.get_by_test_id("booking-warning")).to_be_visible()
        fill_screening(table)
        table.get_by_label("Bag number").fill("KNP-9001")
        table.get_by_label("350 ml").check()
        table.get_by_label("Record anyway").check()
        screenshot(table, "booked-3-record-anyway-phone")
        table.get_by_role("button", name="Record collected").click()
        expect(table.get_by_test_id("recorded")).to_contain_text("bag KNP-9001")
        screenshot(table, "booked-3-recorded-phone")
        assert table.js_errors == []
    finally:
        context.close()

    # 4. The child's page shows the gap; the coordinator's message is in the outbox.
    assert Assignment.objects.get().status == "released"
    phone.goto(live_server.url + reverse("thalassemia:detail", args=[child.pk]))
    expect(phone.get_by_test_id("open-confirmed")).to_have_text("0 of 1 confirmed")
    expect(phone.get_by_test_id("open-assignments")).to_contain_text("Released")
    screenshot(phone, "booked-4-gap-phone")
    assert fits_width(phone)
    phone.goto(f"{live_server.url}/messages/")
    message = phone.get_by_test_id("message").filter(has_text="Ravi Kumar")
    expect(message).to_contain_text("Ravi Kumar can no longer give for Riya Sharma")
    screenshot(phone, "booked-4-outbox-phone")
    assert fits_width(phone)
    assert phone.js_errors == []
