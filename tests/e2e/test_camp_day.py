"""A whole camp day in headless Chromium at phone width: open the camp, find a donor by
phone, see a blood pressure out of range refused with the screening deferral offered,
register a new one, defer one, record two units, watch the totals change without a reload,
close the camp and check the numbers of its CSV report."""

import csv
import datetime
import io
import re

import pytest
from playwright.sync_api import expect

from camps.models import Camp
from donors.models import Deferral, Donation, Donor
from tests.e2e.conftest import PHONE, fits_width, sign_in
from tests.factories import CampFactory, DonationFactory, DonorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def totals(page):
    return {
        name: page.get_by_test_id(f"total-{name}").inner_text()
        for name in ("registered", "collected", "deferred")
    }


def settled(page):
    """Wait until htmx has swapped and processed what it answered: until then a new form
    is not yet htmx's, and a tap on it would post natively."""
    page.wait_for_function(
        "() => window.htmx && !document.querySelector("
        "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def find(page, number):
    page.get_by_label("Donor's mobile number").fill(number)
    page.get_by_role("button", name="Find").click()
    settled(page)


def test_a_camp_day_at_the_table(live_server, phone, screenshot, staff_a, units):
    camp = CampFactory(unit=units.station_a, name="Kotwali Police Lines camp", status="planned")
    asha = DonorFactory(
        name="Asha Verma", phone="+919876500001", unit=units.station_a, blood_group="A+"
    )
    bilal = DonorFactory(
        name="Bilal Khan", phone="+919876500002", unit=units.station_b, blood_group="B+"
    )
    DonationFactory(donor=bilal, donated_on=datetime.date.today() - datetime.timedelta(days=400))

    sign_in(phone, live_server.url, "staff_a")
    phone.get_by_role("button", name="Menu").click()
    phone.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Camps"
    ).click()
    phone.get_by_role("link", name=re.compile("Kotwali Police Lines camp")).click()
    phone.get_by_role("button", name="Open the camp").click()
    expect(phone.get_by_test_id("lookup-form")).to_be_visible()
    phone.evaluate("window.sameDocument = true")

    # An existing donor by phone, typed the way people say it.
    find(phone, "098765 00001")
    card = phone.get_by_test_id("donor-card")
    expect(card).to_contain_text("Asha Verma")
    expect(card).to_contain_text("May donate (pre-screen)")
    # Weight is asked once: the registration's value is there to check.
    expect(phone.get_by_label("Weight (kg)")).to_have_value(re.compile(r"^70(\.0)?$"))
    phone.get_by_label("Hb (g/dL)").fill("13.2")
    phone.get_by_label("Systolic").fill("150")
    phone.get_by_label("Diastolic").fill("95")
    phone.get_by_label("Bag number").fill("KNP-0001")
    phone.get_by_label("350 ml").check()
    phone.get_by_role("button", name="Record collected").click()
    # Blood pressure out of range: not collected, the screening deferral offered.
    refusal = phone.get_by_test_id("screening-refusal")
    expect(refusal).to_contain_text("Blood pressure 150/95 mmHg is outside 100–140 / 60–90.")
    expect(refusal.get_by_role("button", name="Defer (screening)")).to_be_visible()
    expect(phone.get_by_label("Reason")).to_have_value("screening")
    expect(phone.get_by_test_id("total-collected")).to_have_text("0")
    screenshot(phone, "camp-table-bp-refused-phone")
    assert fits_width(phone)
    # Rested and measured again by the medical officer: within range, collected.
    settled(phone)
    phone.get_by_label("Systolic").fill("132")
    phone.get_by_label("Diastolic").fill("84")
    phone.get_by_role("button", name="Record collected").click()
    expect(phone.get_by_test_id("recorded")).to_contain_text("bag KNP-0001")
    expect(phone.get_by_test_id("total-collected")).to_have_text("1")

    # A new donor in a few fields.
    find(phone, "91234 56789")
    form = phone.get_by_test_id("new-donor-form")
    expect(form).to_be_visible()
    form.get_by_label("Name").fill("Kavita Rao")
    form.get_by_label("Female").check()
    form.get_by_label("Date of birth").fill("1994-08-30")
    form.get_by_label("Blood group").select_option("O-")
    form.get_by_label("Weight (kg)").fill("62")
    form.get_by_label(re.compile("The donor agrees")).check()
    form.get_by_role("button", name="Register and continue").click()
    expect(phone.get_by_test_id("donor-card")).to_contain_text("Kavita Rao")
    settled(phone)
    expect(phone.get_by_label("Weight (kg)")).to_have_value(re.compile(r"^62(\.0)?$"))
    phone.get_by_label("Hb (g/dL)").fill("12.9")
    phone.get_by_label("Systolic").fill("118")
    phone.get_by_label("Diastolic").fill("76")
    phone.get_by_label("Bag number").fill("KNP-0002")
    phone.get_by_label("450 ml").check()
    phone.get_by_role("button", name="Record collected").click()
    expect(phone.get_by_test_id("recorded")).to_contain_text("bag KNP-0002")
    expect(phone.get_by_test_id("total-collected")).to_have_text("2")
    screenshot(phone, "camp-table-phone")
    assert fits_width(phone)

    # The same bag number again is refused with a message.
    find(phone, "9876500002")
    expect(phone.get_by_test_id("donor-card")).to_contain_text("Bilal Khan")
    phone.get_by_label("Hb (g/dL)").fill("13.8")
    phone.get_by_label("Systolic").fill("124")
    phone.get_by_label("Diastolic").fill("80")
    phone.get_by_label("Bag number").fill("KNP-0002")
    phone.get_by_label("350 ml").check()
    phone.get_by_role("button", name="Record collected").click()
    expect(phone.get_by_test_id("screening-form")).to_contain_text(
        "Bag KNP-0002 is already recorded at this blood centre."
    )
    # Deferred at screening, with a reason.
    settled(phone)
    phone.get_by_label("Reason").select_option("minor_illness")
    phone.get_by_role("button", name="Record deferred").click()
    expect(phone.get_by_test_id("recorded")).to_contain_text("Bilal Khan: deferred")
    expect(phone.get_by_test_id("total-deferred")).to_have_text("1")
    assert totals(phone) == {"registered": "3", "collected": "2", "deferred": "1"}
    expect(phone.get_by_test_id("totals-by-group")).to_contain_text("A+ · 1")
    expect(phone.get_by_test_id("totals-by-group")).to_contain_text("O− · 1".replace("−", "-"))
    assert phone.evaluate("window.sameDocument") is True  # no reload all along
    assert phone.js_errors == []

    # Close the camp: it becomes read-only.
    phone.get_by_role("link", name="Camp page").click()
    phone.on("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Close the camp").click()
    expect(phone.get_by_text("Camp closed: its records are now read-only.")).to_be_visible()
    expect(phone.get_by_role("link", name="Camp table")).to_have_count(0)
    screenshot(phone, "camp-detail-closed-phone")
    assert fits_width(phone)

    with phone.expect_download() as download_info:
        phone.get_by_test_id("report-csv").click()
    content = download_info.value.path().read_bytes().decode("utf-8-sig")
    rows = [row for row in csv.reader(io.StringIO(content)) if row]
    by_label = {row[0]: row for row in rows}
    assert by_label["Registered"][1] == "3"
    assert by_label["Units collected"][1] == "2"
    assert by_label["Deferred"][1] == "1"
    assert by_label["A+"][1:4] == ["1", "0", "1"]
    assert by_label["O-"][1:4] == ["0", "1", "1"]
    assert by_label["Total"][1:4] == ["1", "1", "2"]

    assert Camp.objects.get(pk=camp.pk).status == "closed"
    assert Donation.objects.filter(camp=camp, outcome="collected").count() == 2
    assert Deferral.objects.get(donor=bilal).category == "minor_illness"
    assert Donor.objects.get(phone="+919123456789").source == "camp"
    asha_unit = asha.donations.get()
    assert (asha_unit.bag_number, asha_unit.bp_systolic, asha_unit.bp_diastolic) == (
        "KNP-0001",
        132,
        84,
    )


def open_table(page, live_server, camp):
    sign_in(page, live_server.url, "staff_a")
    page.goto(f"{live_server.url}/camps/{camp.pk}/table/")
    expect(page.get_by_test_id("lookup-form")).to_be_visible()


def fill_screening(page, bag):
    page.get_by_label("Hb (g/dL)").fill("13.2")
    page.get_by_label("Systolic").fill("124")
    page.get_by_label("Diastolic").fill("80")
    page.get_by_label("Bag number").fill(bag)
    page.get_by_label("350 ml").check()


def assert_whole_table_page(page, camp):
    """The table page itself, never the bare partial of /table/record/."""
    assert page.url.endswith(f"/camps/{camp.pk}/table/"), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(camp.name)
    expect(page.get_by_test_id("lookup-form")).to_be_visible()


def test_a_quick_double_tap_on_a_card_htmx_has_not_processed_records_once(
    live_server, phone, screenshot, staff_a, units
):
    """The bug from a camp day: "Record collected" tapped twice right after the card was
    swapped in, before htmx processed its form. The card's form is replaced by a copy htmx
    has never seen (what it is in that moment), then tapped twice quickly: one entry, and
    the table page stays (the tap is handed to htmx; had it gone natively, the server would
    answer the whole page)."""
    camp = CampFactory(unit=units.station_a, name="Kotwali double tap camp")
    donor = DonorFactory(name="Asha Verma", phone="+919876500011", unit=units.station_a)
    open_table(phone, live_server, camp)
    phone.evaluate("window.sameDocument = true")
    find(phone, "9876500011")
    expect(phone.get_by_test_id("donor-card")).to_contain_text("Asha Verma")
    fill_screening(phone, "KNP-0101")
    phone.evaluate(
        "() => { const f = document.querySelector('[data-testid=screening-form]');"
        " f.replaceWith(f.cloneNode(true)); }"
    )
    phone.get_by_role("button", name="Record collected").dblclick()

    expect(phone.get_by_test_id("recorded")).to_contain_text("bag KNP-0101")
    expect(phone.get_by_test_id("total-collected")).to_have_text("1")
    settled(phone)
    assert_whole_table_page(phone, camp)
    assert phone.evaluate("window.sameDocument") is True
    assert Donation.objects.filter(camp=camp, donor=donor).count() == 1
    screenshot(phone, "camp-table-double-tap-phone")
    assert fits_width(phone)
    assert phone.js_errors == []


@pytest.fixture
def phone_without_htmx(browser):
    """A phone whose htmx never loads. The table's service worker is blocked: requests it
    fetches would bypass the route that aborts htmx."""
    context = browser.new_context(viewport=PHONE, locale="en-IN", service_workers="block")
    context.set_default_timeout(15_000)
    context.route("**/htmx.min.js", lambda route: route.abort())
    yield context.new_page()
    context.close()


def test_without_htmx_every_step_lands_on_the_whole_table_page(
    live_server, phone_without_htmx, screenshot, staff_a, units
):
    """htmx not loaded at all (a slow phone that has not fetched it yet): the lookup, the
    registration and a double-tapped "Record collected" go natively, and each lands on the
    table page with the step in place or a message; one entry."""
    phone = phone_without_htmx
    camp = CampFactory(unit=units.station_a, name="Kotwali no-script camp")
    open_table(phone, live_server, camp)
    assert phone.evaluate("typeof window.htmx") == "undefined"

    phone.get_by_label("Donor's mobile number").fill("91234 56700")
    phone.get_by_role("button", name="Find").click()
    form = phone.get_by_test_id("new-donor-form")
    expect(form).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_have_text(camp.name)
    form.get_by_label("Name").fill("Kavita Rao")
    form.get_by_label("Female").check()
    form.get_by_label("Date of birth").fill("1994-08-30")
    form.get_by_label("Blood group").select_option("O-")
    form.get_by_label("Weight (kg)").fill("62")
    form.get_by_label(re.compile("The donor agrees")).check()
    form.get_by_role("button", name="Register and continue").click()
    expect(phone.get_by_text("Kavita Rao registered.")).to_be_visible()
    expect(phone.get_by_test_id("donor-card")).to_contain_text("Kavita Rao")

    fill_screening(phone, "KNP-0201")
    phone.get_by_role("button", name="Record collected").dblclick()
    expect(phone.get_by_text(re.compile(r"Kavita Rao: collected, bag KNP-0201"))).to_be_visible()
    assert_whole_table_page(phone, camp)
    expect(phone.get_by_test_id("total-collected")).to_have_text("1")
    expect(phone.get_by_test_id("camp-entries")).to_contain_text("KNP-0201")
    donor = Donor.objects.get(phone="+919123456700")
    assert Donation.objects.filter(camp=camp, donor=donor).count() == 1
    screenshot(phone, "camp-table-no-htmx-phone")
    assert fits_width(phone)
