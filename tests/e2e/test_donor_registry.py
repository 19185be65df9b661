"""The registry in headless Chromium at phone width: find a donor by phone, see why they may
not give, record a deferral, register a new donor, and be stopped from a duplicate."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from donors.models import Deferral, Donor
from tests.e2e.conftest import fits_width, sign_in
from tests.factories import DonationFactory, DonorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def asha(units):
    return DonorFactory(
        name="Asha Verma", phone="+919876500001", unit=units.station_a, blood_group="A+"
    )


def test_find_a_donor_by_phone_and_record_a_deferral(
    live_server, phone, screenshot, staff_a, asha, units
):
    DonorFactory(name="Bilal Khan", phone="+919876500002", unit=units.station_b)
    sign_in(phone, live_server.url, "staff_a")
    phone.get_by_role("button", name="Menu").click()
    phone.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Donors"
    ).click()
    phone.get_by_label("Name or mobile").first.fill("98765 00001")
    phone.get_by_role("button", name="Find").click()
    donors = phone.get_by_test_id("donor-list")
    expect(donors).to_contain_text("Asha Verma")
    expect(donors).to_contain_text("May donate (pre-screen)")
    screenshot(phone, "donor-list-phone")
    assert fits_width(phone)

    donors.get_by_role("link", name=re.compile("Asha Verma")).click()
    expect(phone.get_by_test_id("eligibility")).to_contain_text("May donate (pre-screen)")
    phone.get_by_text("Record a deferral").click()
    phone.get_by_label("Category").select_option("malaria")
    phone.get_by_role("button", name="Save deferral").click()
    eligibility = phone.get_by_test_id("eligibility")
    expect(eligibility).to_contain_text("Deferred (Malaria) until")
    expect(eligibility).to_contain_text("May donate again from")
    screenshot(phone, "donor-detail-deferred-phone")
    assert fits_width(phone)
    deferral = Deferral.objects.get(donor=asha)
    assert (deferral.until - deferral.starts_on).days == 90


def test_register_a_new_donor_and_refuse_a_duplicate(live_server, phone, screenshot, staff_a, asha):
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/donors/?q=91234%2056789")
    expect(phone.get_by_test_id("donor-list")).to_contain_text("No donor matches.")
    phone.get_by_role("link", name="Register a new donor").click()
    expect(phone.get_by_label("Mobile phone")).to_have_value("91234 56789")
    phone.get_by_label("Name").fill("Kavita Rao")
    phone.get_by_label("Sex").select_option("F")
    phone.get_by_label("Date of birth").fill("1994-08-30")
    phone.get_by_label("Blood group").select_option("AB-")
    phone.get_by_label("Weight (kg)").fill("52")
    phone.get_by_label("The donor agrees to be in the registry").check()
    screenshot(phone, "donor-create-phone")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Kavita Rao")
    assert Donor.objects.get(name="Kavita Rao").phone == "+919123456789"

    # The same person again (number typed another way, name in other case and spacing)
    # leads to the existing record.
    phone.goto(f"{live_server.url}/donors/new/")
    phone.get_by_label("Name").fill("kavita  RAO")
    phone.get_by_label("Mobile phone").fill("091234-56789")
    phone.get_by_label("Sex").select_option("F")
    phone.get_by_label("Date of birth").fill("1994-08-30")
    phone.get_by_label("The donor agrees to be in the registry").check()
    phone.get_by_role("button", name="Save").click()
    expect(
        phone.get_by_text("This person is already registered on this mobile number:")
    ).to_be_visible()
    screenshot(phone, "donor-duplicate-phone")
    phone.get_by_role("link", name="Kavita Rao").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Kavita Rao")
    assert Donor.objects.filter(name__contains="Rao").count() == 1


def test_a_donor_who_gave_recently_shows_the_date_they_may_give_again(
    live_server, desktop, screenshot, coordinator, asha
):
    DonationFactory(donor=asha, donated_on=datetime.date.today() - datetime.timedelta(days=10))
    sign_in(desktop, live_server.url, "coordinator")
    desktop.goto(f"{live_server.url}/donors/{asha.pk}/")
    expect(desktop.get_by_test_id("eligibility")).to_contain_text("Last whole-blood donation on")
    screenshot(desktop, "donor-detail-desktop")


def test_filter_the_list_by_a_unit_typed_into_its_search_box(
    live_server, screen, screenshot, coordinator, asha, units
):
    """No select of every unit (a state has 1,000): a few letters fetch the matching units
    of the user's scope as the box's suggestions; the code of one filters the list."""
    DonorFactory(name="Bilal Khan", phone="+919876500002", unit=units.station_b)
    sign_in(screen, live_server.url, "coordinator")
    screen.goto(f"{live_server.url}/donors/")
    screen.get_by_text("Search and filter").click()
    box = screen.get_by_label("Police unit")
    box.fill("kotw")
    suggestions = screen.locator("#id_unit-options option")
    expect(suggestions).to_have_count(2)  # the circle and its station, nothing else
    expect(screen.locator('#id_unit-options option[value="kotwali-circle"]')).to_have_count(1)
    box.fill("kotwali-circle")  # as picking the suggestion does
    screen.get_by_role("button", name="Apply").click()
    donors = screen.get_by_test_id("donor-list")
    expect(donors).to_contain_text("Asha Verma")
    expect(donors).not_to_contain_text("Bilal Khan")
    expect(screen.get_by_test_id("unit-filter-hint")).to_contain_text(
        "Kotwali Circle (Circle) and every unit below it."
    )
    screenshot(screen, f"donor-list-unit-filter-{screen.screen_name}")
    assert fits_width(screen)
    assert screen.js_errors == []
