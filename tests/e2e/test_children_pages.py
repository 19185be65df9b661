"""Registering a child with a guardian, changing the plan with a preset, and finding the child
in the list, in headless Chromium at phone width and on a desktop."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import fits_width, sign_in
from tests.factories import HospitalFactory, make_patient
from thalassemia.models import Patient

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_register_a_child_then_change_the_plan_with_a_preset(
    live_server, phone, screenshot, coordinator, units
):
    HospitalFactory(name="Hallet Day-Care")
    today = timezone.localdate()
    sign_in(phone, live_server.url, "coordinator")
    phone.goto(f"{live_server.url}/children/")
    phone.get_by_role("link", name="Register a child").click()
    phone.locator("#id_name").fill("Ishaan Tiwari")
    phone.locator("#id_date_of_birth").fill("2018-02-14")
    phone.locator("#id_sex").select_option("M")
    phone.locator("#id_blood_group").select_option("AB+")
    phone.locator("#id_unit").select_option(label="Kotwali")
    phone.locator("#id_hospital").select_option(label="Hallet Day-Care")
    phone.locator("#id_plan-last_transfused_on").fill((today - timedelta(days=7)).isoformat())
    phone.locator("#id_plan-consent").check()
    phone.locator("#id_guardian-name").fill("Rekha Tiwari")
    phone.locator("#id_guardian-phone").fill("98390 12345")
    screenshot(phone, "child-create-phone")
    assert fits_width(phone)
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Ishaan Tiwari")
    expect(phone.get_by_test_id("plan")).to_contain_text("1 unit every 21 days")
    patient = Patient.objects.get(name="Ishaan Tiwari")
    assert patient.next_due_on == today + timedelta(days=14)

    phone.get_by_role("link", name="Change plan").click()
    screenshot(phone, "plan-phone")
    assert fits_width(phone)
    phone.get_by_test_id("preset-older").click()
    expect(phone.get_by_test_id("plan")).to_contain_text("2 units every 15 days")
    expect(phone.get_by_test_id("next-due-date")).to_contain_text(
        (today + timedelta(days=8)).strftime("%-d %b %Y")
    )
    phone.get_by_text("Plan history").click()
    expect(phone.get_by_text(re.compile(": 1 unit every 21 days"))).to_be_visible()


def test_the_children_list_filters_on_phone_and_desktop(
    live_server, phone, desktop, screenshot, coordinator, units
):
    today = timezone.localdate()
    make_patient(
        units.station_a,
        name="Late Child",
        blood_group="O-",
        last_transfused_on=today - timedelta(days=30),
    )
    make_patient(
        units.station_b,
        name="Soon Child",
        blood_group="A+",
        last_transfused_on=today - timedelta(days=18),
    )
    for page, name in ((phone, "children-list-phone"), (desktop, "children-list-desktop")):
        sign_in(page, live_server.url, "coordinator")
        page.goto(f"{live_server.url}/children/?due=overdue")
        children = page.get_by_test_id("patient-list")
        expect(children).to_contain_text("Late Child")
        expect(children).not_to_contain_text("Soon Child")
        expect(children).to_contain_text("Overdue 9 days")
        screenshot(page, name)
        assert fits_width(page)
        page.goto(f"{live_server.url}/children/due/")
        screenshot(page, name.replace("children-list", "due-soon"))
        assert fits_width(page)


def test_edit_a_child_and_add_a_second_guardian_at_phone_width(
    live_server, phone, screenshot, coordinator, units
):
    patient = make_patient(
        units.station_a, name="Tara", blood_group="O+", last_transfused_on=timezone.localdate()
    )
    sign_in(phone, live_server.url, "coordinator")
    phone.goto(f"{live_server.url}/children/{patient.pk}/edit/")
    phone.locator("#id_alloantibodies").fill("anti-E")
    screenshot(phone, "child-edit-phone")
    assert fits_width(phone)
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Child's record saved.")).to_be_visible()
    phone.get_by_role("link", name="Add", exact=True).click()
    phone.locator("#id_name").fill("Ramesh")
    phone.locator("#id_relation").select_option("father")
    phone.locator("#id_phone").fill("12345")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("is not a valid mobile number")).to_be_visible()
    screenshot(phone, "guardian-form-error-phone")
    assert fits_width(phone)
    phone.locator("#id_phone").fill("+91 98390 55555")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_test_id("guardians").get_by_text("Ramesh (Father)")).to_be_visible()
    phone.get_by_role("button", name="Stop messages").click()
    expect(phone.get_by_text("Messages stopped.")).to_be_visible()
    patient.refresh_from_db()
    assert patient.alloantibodies == "E"
