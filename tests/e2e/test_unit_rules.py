"""A force's own donor rules in the browser (issue 17): an admin gives a district Vietnam's
rules on its page, then that force's staff, on a phone at the camp table, find a donor by a
number typed as in Vietnam and record a 250 ml bag, which India's rules do not use."""

import pytest
from playwright.sync_api import expect

from accounts.models import PoliceUnit
from donors.models import Donation
from tests.e2e.conftest import fits_width, sign_in
from tests.factories import CampFactory, DonorFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def settled(page):
    page.wait_for_function(
        "() => window.htmx && !document.querySelector("
        "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def test_a_district_takes_vietnams_rules_and_its_camp_records_a_250_ml_bag(
    live_server, phone, browser, screenshot, admin_user, units
):
    sign_in(phone, live_server.url, "admin")
    phone.goto(f"{live_server.url}/units/{units.dehat.pk}/edit/")
    phone.get_by_label("Donor rules").select_option(label="Vietnam (Circular 26/2013)")
    screenshot(phone, "unit-rules-form-phone")
    assert fits_width(phone)
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Kanpur Dehat")
    expect(phone.locator("main")).to_contain_text("Vietnam (Circular 26/2013)")
    assert PoliceUnit.objects.get(pk=units.station_c.pk).rules_in_force == "vietnam"
    phone.goto(f"{live_server.url}/units/{units.station_c.pk}/")
    expect(phone.locator("main")).to_contain_text("from the unit above")
    screenshot(phone, "unit-rules-inherited-phone")
    assert fits_width(phone)

    station = PoliceUnit.objects.get(pk=units.station_c.pk)
    UserFactory(username="staff_c", role="staff", unit=station)
    camp = CampFactory(unit=station, name="Akbarpur camp", status="open")
    donor = DonorFactory(name="Nguyen Thi Lan", phone="+84912345678", unit=station, sex="F")
    assert donor.rules_profile == "vietnam"

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    staff = context.new_page()
    sign_in(staff, live_server.url, "staff_c")
    staff.goto(f"{live_server.url}/camps/{camp.pk}/table/")
    staff.get_by_label("Donor's mobile number").fill("091 234 5678")
    staff.get_by_role("button", name="Find").click()
    settled(staff)
    card = staff.get_by_test_id("donor-card")
    expect(card).to_contain_text("Nguyen Thi Lan")
    expect(staff.get_by_label("250 ml")).to_be_visible()
    staff.get_by_label("Hb (g/dL)").fill("13.0")
    staff.get_by_label("Weight (kg)").fill("43")  # VN-26: 42 kg for a woman
    staff.get_by_label("Systolic").fill("118")
    staff.get_by_label("Diastolic").fill("76")
    staff.get_by_label("Bag number").fill("BG-0001")
    staff.get_by_label("250 ml").check()
    screenshot(staff, "unit-rules-camp-card-phone")
    assert fits_width(staff)
    staff.get_by_role("button", name="Record collected").click()
    settled(staff)
    expect(staff.get_by_test_id("recorded")).to_contain_text("bag BG-0001")
    expect(staff.get_by_test_id("total-collected")).to_have_text("1")
    donation = Donation.objects.get(donor=donor)
    assert (donation.bag_volume_ml, donation.outcome) == (250, "collected")
    context.close()
