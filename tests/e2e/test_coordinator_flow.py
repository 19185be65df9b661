"""A coordinator at phone width: open the due-soon board, match donors for a child, assign
one, record the confirmation, record the transfusion done and see the next due date."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import fits_width, sign_in
from tests.factories import DonorFactory, HospitalFactory, make_patient

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_due_soon_match_assign_confirm_record_done(
    live_server, phone, screenshot, coordinator, units
):
    today = timezone.localdate()
    hospital = HospitalFactory(name="Hallet Thalassaemia Day-Care")
    make_patient(
        units.station_a,
        name="Riya Sharma",
        blood_group="B+",
        hospital=hospital,
        last_transfused_on=today - timedelta(days=18),
        guardians=[{"name": "Meena Sharma", "relation": "mother", "phone": "98123 45678"}],
    )
    make_patient(
        units.station_b,
        name="Kabir",
        blood_group="O+",
        last_transfused_on=today - timedelta(days=30),
    )
    make_patient(
        units.station_a2,
        name="Anaya",
        units=2,
        interval=15,
        blood_group="A+",
        last_transfused_on=today - timedelta(days=5),
    )
    DonorFactory(name="Ravi Kumar", unit=units.station_a, blood_group="B+")
    DonorFactory(name="Suresh Yadav", unit=units.station_b, blood_group="O+")
    DonorFactory(name="Meena Sharma", unit=units.station_a, blood_group="B+", phone="+919812345678")

    sign_in(phone, live_server.url, "coordinator")
    phone.get_by_role("button", name="Menu").click()
    phone.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Children"
    ).click()
    expect(phone.get_by_test_id("due-overdue")).to_contain_text("Kabir")
    expect(phone.get_by_test_id("due-7")).to_contain_text("Riya Sharma")
    expect(phone.get_by_test_id("due-14")).to_contain_text("Anaya")
    screenshot(phone, "due-soon-phone")
    assert fits_width(phone)

    row = phone.get_by_test_id("due-7").get_by_test_id("due-row").filter(has_text="Riya Sharma")
    row.get_by_role("link", name="Match donors").click()
    suggestions = phone.get_by_test_id("suggestions")
    expect(suggestions).to_contain_text("Ravi Kumar")
    expect(suggestions).to_contain_text("Identical group B+")
    expect(suggestions).not_to_contain_text("Meena Sharma")  # a guardian is never proposed
    screenshot(phone, "match-phone")
    assert fits_width(phone)

    suggestions.get_by_test_id("suggestion").filter(has_text="Ravi Kumar").get_by_test_id(
        "assign"
    ).click()
    assignment = phone.get_by_test_id("assignment").filter(has_text="Ravi Kumar")
    expect(assignment).to_contain_text("Proposed")
    assignment.get_by_role("button", name="Confirmed").click()
    expect(phone.get_by_test_id("assignment").filter(has_text="Ravi Kumar")).to_contain_text(
        "Confirmed"
    )
    expect(phone.get_by_test_id("assignments")).to_contain_text("1 of 1 confirmed")

    phone.get_by_role("link", name="Record done or missed").click()
    phone.get_by_label("Pre-transfusion haemoglobin (g/dL)").fill("9.2")
    screenshot(phone, "record-phone")
    assert fits_width(phone)
    phone.get_by_role("button", name="Record as done").click()
    next_due = today + timedelta(days=21)
    expect(phone.get_by_test_id("next-due-date")).to_contain_text(next_due.strftime("%-d %b %Y"))
    expect(phone.get_by_text("Transfusion recorded.")).to_be_visible()
    screenshot(phone, "child-detail-phone")
    assert fits_width(phone)
