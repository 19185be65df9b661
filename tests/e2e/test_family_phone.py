"""Issue 15 at phone width (390 px) in headless Chromium: a family sharing one mobile at the
camp table (the lookup lists everyone on the number, staff pick the person, the card and
the record are that person's), and the merge page's likely duplicates for a coordinator."""

import datetime

import pytest
from playwright.sync_api import expect

from donors.models import Donation, Donor
from tests.e2e.conftest import fits_width, sign_in
from tests.factories import CampFactory, DonationFactory, DonorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_camp_table_lists_a_family_on_one_number(
    live_server, phone, screenshot, staff_a, units
):
    camp = CampFactory(unit=units.station_a, name="Family camp")
    DonorFactory(unit=units.station_a, name="Arun Rao", phone="+919876512121", blood_group="B+")
    meena = DonorFactory(
        unit=units.station_a,
        name="Meena Rao",
        phone="+919876512121",
        blood_group="O+",
        date_of_birth=datetime.date(1993, 2, 9),
    )
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/camps/{camp.pk}/table/")
    phone.get_by_label("Donor's mobile number").fill("98765 12121")
    phone.get_by_role("button", name="Find").click()

    choices = phone.get_by_test_id("shared-phone-donor")
    expect(choices).to_have_count(2)
    expect(phone.get_by_test_id("shared-phone")).to_contain_text("Several donors share this number")
    assert fits_width(phone)
    screenshot(phone, "camp-table-shared-phone-phone")

    choices.filter(has_text="Meena Rao").click()
    expect(phone.get_by_test_id("donor-name")).to_have_text("Meena Rao")
    phone.get_by_label("Reason").select_option("tattoo")
    phone.get_by_role("button", name="Record deferred").click()
    expect(phone.get_by_text("Meena Rao").first).to_be_visible()
    expect(phone.get_by_test_id("total-deferred")).to_have_text("1")
    assert Donation.objects.get(camp=camp).donor == meena
    assert fits_width(phone)
    assert phone.js_errors == []


def test_a_coordinator_merges_a_likely_duplicate(
    live_server, phone, screenshot, coordinator, units
):
    keep = DonorFactory(name="Ravi Kumar", phone="+919876511111", unit=units.station_a)
    duplicate = DonorFactory(name="Ravi K.", phone="+919876511111", unit=units.station_a)
    DonorFactory(name="Sunita Devi", phone="+919876511111", unit=units.station_a)  # his wife
    DonationFactory(donor=duplicate, donated_on=datetime.date(2025, 6, 5))
    sign_in(phone, live_server.url, "coordinator")
    # The way in a coordinator finds: the donor list's "Likely duplicates" link.
    phone.goto(f"{live_server.url}/donors/")
    phone.get_by_role("link", name="Likely duplicates").click()
    expect(phone).to_have_url(f"{live_server.url}/donors/merge/")

    pairs = phone.get_by_test_id("likely-pair")
    expect(pairs).to_have_count(1)
    expect(pairs.first).to_contain_text("Ravi K.")
    expect(phone.get_by_test_id("likely-duplicates")).not_to_contain_text("Sunita")
    assert fits_width(phone)
    screenshot(phone, "donor-merge-likely-phone")

    pairs.first.get_by_role("link", name="Compare").click()
    phone.get_by_role("button", name="Show both").click()
    phone.get_by_role("button", name="Merge these two").click()
    expect(phone.get_by_text("Donor records merged.")).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Ravi Kumar")
    assert not Donor.objects.filter(pk=duplicate.pk).exists()
    assert Donation.objects.get().donor == keep
    assert Donor.objects.filter(phone="+919876511111").count() == 2  # Ravi and his wife
    screenshot(phone, "donor-merged-family-phone")
    assert phone.js_errors == []
