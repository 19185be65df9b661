"""Camp pages in headless Chromium: plan a camp, the list, the calendar, partners and the
import page fit a phone; the table on a desktop works from the keyboard."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from camps.models import Camp
from tests.e2e.conftest import fits_width, sign_in
from tests.factories import BloodCentreFactory, CampFactory, DonorFactory, HospitalContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_plan_a_camp_and_browse_camps_on_a_phone(live_server, phone, screenshot, staff_a, units):
    BloodCentreFactory(name="Hallet Blood Centre")
    HospitalContactFactory(name="Dr Mehta", hospital__name="LLR Day Care")
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/camps/")
    phone.get_by_role("link", name="Plan a camp").click()
    phone.get_by_label("Name").fill("Kotwali Diwali camp")
    held_on = datetime.date.today() + datetime.timedelta(days=3)
    phone.get_by_label("Date").fill(held_on.isoformat())
    phone.get_by_label("Starts at").fill("09:00")
    phone.get_by_label("Ends at").fill("13:00")
    phone.get_by_label("Venue").fill("Kotwali thana")
    phone.get_by_label("Partner blood centre").select_option(label="Hallet Blood Centre")
    screenshot(phone, "camp-form-phone")
    assert fits_width(phone)
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Kotwali Diwali camp")
    assert Camp.objects.get(name="Kotwali Diwali camp").unit == units.station_a
    screenshot(phone, "camp-detail-planned-phone")
    assert fits_width(phone)

    phone.goto(f"{live_server.url}/camps/?when=upcoming")
    expect(phone.get_by_test_id("camp-list")).to_contain_text("Kotwali Diwali camp")
    screenshot(phone, "camp-list-phone")
    assert fits_width(phone)
    phone.get_by_role("link", name="Calendar").click()
    phone.goto(f"{live_server.url}/camps/calendar/?month={held_on:%Y-%m}")
    expect(phone.get_by_test_id("calendar-list")).to_contain_text("Kotwali Diwali camp")
    screenshot(phone, "camp-calendar-phone")
    assert fits_width(phone)

    phone.goto(f"{live_server.url}/hospitals/")
    expect(phone.get_by_test_id("hospital-list")).to_contain_text("Dr Mehta")
    screenshot(phone, "hospital-list-phone")
    assert fits_width(phone)
    phone.goto(f"{live_server.url}/blood-centres/")
    phone.get_by_role("link", name=re.compile("Hallet")).click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Hallet")
    assert fits_width(phone)
    assert phone.js_errors == []


def test_the_table_on_a_desktop_by_keyboard(live_server, desktop, screenshot, staff_a, units):
    camp = CampFactory(unit=units.station_a, name="Desk camp")
    DonorFactory(name="Asha Verma", phone="+919876500001", unit=units.station_a)
    sign_in(desktop, live_server.url, "staff_a")
    desktop.goto(f"{live_server.url}/camps/{camp.pk}/table/")
    desktop.keyboard.type("9876500001")
    desktop.keyboard.press("Enter")
    expect(desktop.get_by_test_id("donor-card")).to_contain_text("Asha Verma")
    desktop.get_by_label("Weight (kg)").fill("68")
    desktop.get_by_label("Hb (g/dL)").fill("13.4")
    desktop.get_by_label("Systolic").fill("122")
    desktop.get_by_label("Diastolic").fill("78")
    desktop.get_by_label("Bag number").fill("D-1")
    desktop.get_by_label("450 ml").check()
    desktop.get_by_label("Bag number").press("Enter")  # Enter submits as "Record collected"
    expect(desktop.get_by_test_id("total-collected")).to_have_text("1")
    expect(desktop.get_by_label("Donor's mobile number")).to_be_focused()
    screenshot(desktop, "camp-table-desktop")

    # A mistyped bag number, corrected by the person who entered it.
    desktop.get_by_role("button", name="Correct").click()
    form = desktop.get_by_test_id("correct-form")
    form.get_by_label("Bag number").fill("D-2")
    form.get_by_role("button", name="Save correction").click()
    expect(desktop.get_by_test_id("camp-entries")).to_contain_text("D-2")

    desktop.goto(f"{live_server.url}/camps/{camp.pk}/")
    expect(desktop.get_by_test_id("units-table")).to_contain_text("450 ml")
    desktop.get_by_role("link", name="Import donor sheet").click()
    expect(desktop.get_by_test_id("upload-form")).to_be_visible()
    screenshot(desktop, "camp-import-desktop")


def test_the_eraktkosh_csv_downloads_from_the_camp_page(live_server, phone, staff_a, units):
    """The camp page's "e-RaktKosh CSV" button: a file with the documented header and a row
    per donation, as a blood centre uploads it."""
    import csv
    import io

    from camps import eraktkosh
    from tests.factories import DonationFactory

    camp = CampFactory(
        unit=units.station_a,
        name="Kotwali e-RaktKosh camp",
        status="closed",
        blood_centre=BloodCentreFactory(name="LLR Blood Centre", eraktkosh_id="BC-4411"),
    )
    donor = DonorFactory(
        unit=units.station_a,
        name="Sunita Devi",
        sex="F",
        blood_group="B+",
        phone="+919839012345",
        date_of_birth=datetime.date(1990, 5, 17),
    )
    DonationFactory(
        donor=donor,
        camp=camp,
        blood_centre=camp.blood_centre,
        donated_on=camp.held_on,
        bag_number="KPL-1",
    )
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/camps/{camp.pk}/")
    button = phone.get_by_role("link", name="e-RaktKosh CSV")
    expect(button).to_be_visible()
    with phone.expect_download() as info:
        button.click()
    assert "eraktkosh" in info.value.suggested_filename
    content = info.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert list(rows[0]) == eraktkosh.HEADERS
    assert len(rows) == 1
    row = rows[0]
    assert (row["donor_name"], row["sex"], row["blood_group"]) == ("Sunita Devi", "F", "B+")
    assert (row["date_of_birth"], row["mobile"]) == ("1990-05-17", "9839012345")
    assert (row["outcome"], row["bag_number"]) == ("collected", "KPL-1")
    assert (row["blood_centre_eraktkosh_id"], row["camp_name"]) == ("BC-4411", camp.name)
    assert row["camp_date"] == camp.held_on.isoformat()
    assert phone.js_errors == []
