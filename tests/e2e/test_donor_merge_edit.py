"""At phone width (390 px) in headless Chromium: edit a donor, merge two records of one person,
withdraw a consent on the donor page, stop reminders from a message's link, and erase a
donor's personal data on request."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from donors.consent import opt_out_url
from donors.models import Consent, Donation, Donor
from tests.e2e.conftest import fits_width, sign_in
from tests.factories import DeferralFactory, DonationFactory, DonorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def asha(units):
    donor = DonorFactory(
        name="Asha Verma",
        phone="+919876500001",
        unit=units.station_a,
        blood_group="A+",
        email="",
        preferred_language="en",
    )
    Consent.objects.create(donor=donor, purpose="registry", source="staff")
    Consent.objects.create(donor=donor, purpose="reminders", source="staff")
    return donor


def test_edit_a_donor_on_a_phone(live_server, phone, screenshot, staff_a, asha):
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/donors/{asha.pk}/")
    phone.get_by_role("link", name="Edit").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Edit Asha Verma")
    assert fits_width(phone)
    screenshot(phone, "donor-edit-phone")

    phone.get_by_label("Name").fill("Asha Verma Singh")
    phone.get_by_label("Email").fill("asha@example.in")
    phone.get_by_label("Mobile phone").fill("98765 00009")
    phone.get_by_role("button", name="Save").click()

    expect(phone.get_by_role("heading", level=1)).to_contain_text("Asha Verma Singh")
    expect(phone.get_by_text("Donor record saved.")).to_be_visible()
    asha.refresh_from_db()
    assert (asha.email, asha.phone) == ("asha@example.in", "+919876500009")
    assert phone.js_errors == []


def test_a_bad_edit_is_explained_and_changes_nothing(live_server, phone, screenshot, staff_a, asha):
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/donors/{asha.pk}/edit/")
    phone.get_by_label("Mobile phone").fill("12345")
    phone.get_by_label("Weight (kg)").fill("300")
    phone.get_by_role("button", name="Save").click()

    expect(phone.locator("#div_id_phone")).to_contain_text("not a valid mobile number")
    expect(phone.locator("#div_id_weight_kg")).to_contain_text("between 30 and 250")
    screenshot(phone, "donor-edit-error-phone")
    assert fits_width(phone)
    asha.refresh_from_db()
    assert asha.phone == "+919876500001"


def test_an_admin_merges_two_records_on_a_phone(live_server, phone, screenshot, admin_user, units):
    keep = DonorFactory(name="Ravi Kumar", phone="+919876511111", unit=units.station_a, email="")
    duplicate = DonorFactory(
        name="Ravi K.", phone="+919876522222", unit=units.station_a, email="ravi@example.in"
    )
    DonationFactory(donor=keep, donated_on=datetime.date(2025, 1, 5))
    DonationFactory(donor=duplicate, donated_on=datetime.date(2025, 6, 5))
    DeferralFactory(donor=duplicate)
    sign_in(phone, live_server.url, "admin")
    phone.goto(f"{live_server.url}/donors/merge/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Merge two records of one person")
    assert fits_width(phone)

    phone.get_by_label("Keep donor number").fill(str(keep.pk))
    phone.get_by_label("Merge in and remove donor number").fill(str(duplicate.pk))
    phone.get_by_role("button", name="Show both").click()
    expect(phone.get_by_text("Ravi K.")).to_be_visible()
    expect(phone.get_by_text("+91 98765 22222")).to_be_visible()
    screenshot(phone, "donor-merge-preview-phone")
    assert fits_width(phone)
    assert Donor.objects.filter(pk=duplicate.pk).exists()  # nothing merged before the confirm

    phone.get_by_role("button", name="Merge these two").click()
    expect(phone.get_by_text("Donor records merged.")).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Ravi Kumar")
    screenshot(phone, "donor-merged-phone")
    assert not Donor.objects.filter(pk=duplicate.pk).exists()
    assert Donation.objects.filter(donor=keep).count() == 2
    assert phone.js_errors == []


def test_merging_a_record_with_itself_is_explained(live_server, phone, admin_user, asha):
    sign_in(phone, live_server.url, "admin")
    phone.goto(f"{live_server.url}/donors/merge/?keep={asha.pk}&duplicate={asha.pk}")
    phone.get_by_role("button", name="Show both").click()
    expect(phone.get_by_text("Choose two different donors.")).to_be_visible()
    assert fits_width(phone)


def test_staff_withdraw_reminders_on_the_donor_page(live_server, phone, screenshot, staff_a, asha):
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/donors/{asha.pk}/")
    reminders = phone.get_by_test_id("consent-reminders")
    expect(reminders).to_contain_text("given")
    reminders.get_by_role("button", name=re.compile("Withdraw")).click()

    expect(phone.get_by_text("Consent withdrawn: Reminders")).to_be_visible()
    expect(phone.get_by_test_id("consent-reminders")).to_contain_text("withdrawn")
    expect(phone.get_by_test_id("consent-registry")).to_contain_text("given")
    expect(phone.get_by_test_id("consents")).to_contain_text("No messages since")
    screenshot(phone, "donor-consent-withdrawn-phone")
    assert fits_width(phone)
    asha.refresh_from_db()
    assert asha.opted_out_at is not None


def test_a_donor_stops_reminders_from_the_link_in_a_message(
    live_server, phone, screenshot, settings, asha
):
    settings.SITE_URL = live_server.url
    phone.goto(opt_out_url(asha))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Stop reminders?")
    expect(phone.locator("body")).not_to_contain_text("Asha")
    screenshot(phone, "opt-out-ask-phone")
    assert fits_width(phone)
    asha.refresh_from_db()
    assert asha.opted_out_at is None  # opening the link changed nothing

    phone.get_by_role("button", name="Stop reminders").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("You will get no more reminders")
    expect(phone.locator("body")).not_to_contain_text("Asha")
    screenshot(phone, "opt-out-done-phone")
    assert fits_width(phone)
    assert phone.js_errors == []
    asha.refresh_from_db()
    assert asha.opted_out_at is not None
    assert not asha.consents.filter(purpose="reminders", withdrawn_at__isnull=True).exists()


def test_a_mangled_link_is_explained(live_server, phone, screenshot):
    phone.goto(f"{live_server.url}/stop/not-a-real-token/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("This link does not work")
    screenshot(phone, "opt-out-invalid-phone")
    assert fits_width(phone)


def test_an_admin_erases_a_donor_on_request(
    live_server, phone, desktop, screenshot, admin_user, asha
):
    DonationFactory(donor=asha, donated_on=datetime.date(2025, 3, 1))
    sign_in(phone, live_server.url, "admin")
    phone.goto(f"{live_server.url}/donors/{asha.pk}/")
    expect(phone.get_by_test_id("rights")).to_be_visible()
    screenshot(phone, "donor-detail-admin-phone")
    assert fits_width(phone)
    phone.get_by_role("link", name="Erase personal data").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Erase personal data")
    expect(phone.get_by_test_id("erase-summary")).to_contain_text("Asha Verma")
    expect(phone.locator("main, body").first).to_contain_text("1 donation recorded")
    screenshot(phone, "donor-erase-confirm-phone")
    assert fits_width(phone)
    phone.get_by_role("button", name="Erase this donor's personal data").click()

    expect(phone.get_by_text("Personal data erased.")).to_be_visible()
    expect(phone.get_by_test_id("erased")).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_contain_text(f"Erased donor #{asha.pk}")
    expect(phone.locator("body")).not_to_contain_text("98765")
    expect(phone.get_by_role("link", name="Edit")).to_have_count(0)
    screenshot(phone, "donor-erased-phone")
    assert fits_width(phone)

    # The list no longer shows the person; the filter brings the anonymous record back.
    phone.goto(f"{live_server.url}/donors/")
    expect(phone.get_by_test_id("donor-list")).not_to_contain_text("Erased donor")
    phone.goto(f"{live_server.url}/donors/?erased=only")
    expect(phone.get_by_test_id("donor-list")).to_contain_text(f"Erased donor #{asha.pk}")
    assert fits_width(phone)
    assert phone.js_errors == []

    sign_in(desktop, live_server.url, "admin")
    desktop.goto(f"{live_server.url}/donors/{asha.pk}/")
    expect(desktop.get_by_test_id("erased")).to_be_visible()
    screenshot(desktop, "donor-erased-desktop")
    assert Donor.objects.get(pk=asha.pk).donations.count() == 1
