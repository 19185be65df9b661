"""On a phone the donations of a donor and the donors of a camp read as stacked rows: the
Certificate button sits inside the card, nothing scrolls sideways; on a desktop they stay a
table."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import fits_width, sign_in
from tests.factories import BloodCentreFactory, CampFactory, DonationFactory, DonorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page, selector) -> bool:
    """The table's scrolling wrapper is no wider inside than it shows."""
    return page.eval_on_selector(
        selector,
        "t => { const w = t.closest('.table-responsive') || t;"
        " return w.scrollWidth <= w.clientWidth + 1; }",
    )


def inside_viewport(locator, width) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_donor_donations_stack_on_a_phone(
    live_server, phone, desktop, screenshot, coordinator, units
):
    centre = BloodCentreFactory(name="LLR (Hallet) Hospital Blood Centre")
    donor = DonorFactory(unit=units.station_a, name="Rajesh Kumar Yadav")
    DonationFactory(
        donor=donor,
        blood_centre=centre,
        donated_on=datetime.date(2026, 6, 1),
        bag_number="KPL-0001",
        bag_volume_ml=450,
    )
    DonationFactory(
        donor=donor,
        blood_centre=centre,
        donated_on=datetime.date(2026, 2, 1),
        outcome="deferred",
        bag_number="",
        bag_volume_ml=None,
        haemoglobin_g_dl=Decimal("11.9"),
    )
    sign_in(phone, live_server.url, "coordinator")
    phone.goto(f"{live_server.url}/donors/{donor.pk}/")
    table = phone.get_by_test_id("donations")
    table.scroll_into_view_if_needed()
    certificate = table.get_by_role("link", name="Certificate")
    expect(certificate).to_have_count(1)
    assert inside_viewport(certificate, 390)
    assert no_sideways_scroll(phone, "[data-testid=donations]")
    assert fits_width(phone)
    table.screenshot(path="tests/artifacts/donor-donations-phone.png")
    screenshot(phone, "donor-detail-donations-phone")

    sign_in(desktop, live_server.url, "coordinator")
    desktop.goto(f"{live_server.url}/donors/{donor.pk}/")
    header = desktop.get_by_test_id("donations").locator("thead")
    expect(header).to_be_visible()
    assert fits_width(desktop)
    screenshot(desktop, "donor-detail-donations-desktop")


def test_camp_donors_stack_on_a_phone(live_server, phone, screenshot, coordinator, units):
    camp = CampFactory(unit=units.station_a, name="Kotwali Police Lines camp", status="closed")
    DonationFactory(
        donor=DonorFactory(unit=units.station_a, name="Kavita Rao"),
        camp=camp,
        blood_centre=camp.blood_centre,
        donated_on=camp.held_on,
    )
    DonationFactory(
        donor=DonorFactory(unit=units.station_a, name="Bilal Khan"),
        camp=camp,
        blood_centre=camp.blood_centre,
        donated_on=camp.held_on,
        outcome="deferred",
        bag_number="",
        bag_volume_ml=None,
    )
    sign_in(phone, live_server.url, "coordinator")
    phone.goto(f"{live_server.url}/camps/{camp.pk}/")
    table = phone.get_by_test_id("camp-donors")
    table.scroll_into_view_if_needed()
    certificate = table.get_by_role("link", name="Certificate")
    expect(certificate).to_have_count(1)
    assert inside_viewport(certificate, 390)
    assert no_sideways_scroll(phone, "[data-testid=camp-donors]")
    assert fits_width(phone)
    table.screenshot(path="tests/artifacts/camp-donors-phone.png")
