"""The camp table without signal, in headless Chromium at phone width with Playwright's
offline mode (issue 14): five donors recorded offline wait on the phone, survive a reload
without signal, and are saved once each when the signal returns; an entry the rules refuse
on sync is marked with the reason; a double tap during a sync whose first answer is lost
saves once. Screenshots of each state go to tests/artifacts/ (camp-offline-*.png)."""

import re

import pytest
from playwright.sync_api import expect

from camps.models import TableEntry
from donors.models import Donation, Donor
from tests.e2e.conftest import fits_width, sign_in
from tests.factories import CampFactory, DonationFactory, DonorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_table(page, base_url, camp):
    """Open the table with a signal and wait until the phone keeps its copies: the page and
    its files (service worker and cache) and the camp's expected donors."""
    page.goto(f"{base_url}/camps/{camp.pk}/table/")
    expect(page.locator("#camp-offline[data-ready='1']")).to_be_attached()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def fill_screening(form, bag):
    form.get_by_label("Hb (g/dL)").fill("13.5")
    form.get_by_label("Weight (kg)").fill("68")
    form.get_by_label("Systolic").fill("124")
    form.get_by_label("Diastolic").fill("82")
    form.get_by_label("Bag number").fill(bag)
    form.get_by_label("350 ml").check()


def find(page, number):
    page.get_by_label("Donor's mobile number").fill(number)
    page.get_by_role("button", name="Find").click()


def record_offline(page, number, bag):
    # Find draws a new card even for the donor already shown: fill the new one, not the
    # old one it is about to replace (the first donor's Hb landed in the old card at times).
    shown = page.get_by_test_id("offline-screening-form")
    before = shown.get_attribute("data-record-id") if shown.count() else None
    find(page, number)
    form = page.locator(
        "[data-testid=offline-screening-form]"
        + (f":not([data-record-id='{before}'])" if before else "")
    )
    expect(form).to_be_visible()
    fill_screening(form, bag)
    form.get_by_role("button", name="Record collected").click()
    expect(page.get_by_test_id("queued")).to_be_visible()


def entries(page, state):
    return page.locator(f"[data-testid=offline-entry][data-state={state}]")


def test_five_donors_recorded_offline_are_saved_once_each(
    live_server, phone, screenshot, staff_a, units
):
    camp = CampFactory(unit=units.station_a, name="Kotwali Police Lines camp")
    donors = [
        DonorFactory(name=f"Donor {i}", phone=f"+91987650010{i}", unit=units.station_a)
        for i in range(5)
    ]
    sign_in(phone, live_server.url, "staff_a")
    open_table(phone, live_server.url, camp)
    context = phone.context
    context.set_offline(True)

    # Found without signal from the list kept on the phone: name, group, may donate.
    find(phone, "098765 00100")
    card = phone.get_by_test_id("donor-card")
    expect(card).to_contain_text("Donor 0")
    expect(card).to_contain_text("May donate (pre-screen)")
    screenshot(phone, "camp-offline-card-phone")

    for i, donor in enumerate(donors):
        record_offline(phone, donor.phone[3:], f"KNP-{i}")
    banner = phone.get_by_test_id("offline-banner")
    expect(banner).to_have_text("Offline — 5 waiting")
    expect(entries(phone, "waiting")).to_have_count(5)
    expect(phone.get_by_test_id("total-waiting")).to_have_text(
        "5 waiting on this phone, not counted yet"
    )
    expect(phone.get_by_test_id("total-collected")).to_have_text("0")
    screenshot(phone, "camp-offline-waiting-phone")
    assert fits_width(phone)
    assert not Donation.objects.exists()

    # A reload without signal: the page comes from the phone, the queue is still there.
    phone.reload()
    expect(banner).to_have_text("Offline — 5 waiting")
    expect(entries(phone, "waiting")).to_have_count(5)
    expect(entries(phone, "waiting").first).to_contain_text("Donor 4: collected, bag KNP-4")
    phone.get_by_role("heading", name="Kotwali Police Lines camp").scroll_into_view_if_needed()
    screenshot(phone, "camp-offline-banner-phone")

    # The signal returns: every entry is sent, in order, and saved once.
    context.set_offline(False)
    expect(entries(phone, "saved")).to_have_count(5)
    expect(banner).to_be_hidden()
    expect(phone.get_by_test_id("total-collected")).to_have_text("5")
    expect(phone.get_by_test_id("total-waiting")).to_be_hidden()
    # The totals by group and the latest entries as the server counts them.
    expect(phone.get_by_test_id("camp-entries")).to_contain_text("Donor 4")
    expect(phone.get_by_test_id("totals-by-group")).to_contain_text("· 5")
    screenshot(phone, "camp-offline-saved-phone")
    assert Donation.objects.filter(camp=camp).count() == 5
    for i, donor in enumerate(donors):
        assert list(donor.donations.values_list("bag_number", flat=True)) == [f"KNP-{i}"]
    # In the order they were made.
    assert list(TableEntry.objects.order_by("id").values_list("donor__name", flat=True)) == [
        f"Donor {i}" for i in range(5)
    ]
    # Again online, nothing is sent twice.
    phone.reload()
    expect(entries(phone, "saved")).to_have_count(5)
    assert Donation.objects.filter(camp=camp).count() == 5
    assert phone.js_errors == []


def test_an_entry_the_rules_refuse_on_sync_is_marked_with_the_reason(
    live_server, phone, screenshot, staff_a, units
):
    camp = CampFactory(unit=units.station_a)
    asha = DonorFactory(name="Asha Verma", phone="+919876500201", unit=units.station_a)
    ravi = DonorFactory(name="Ravi Kumar", phone="+919876500202", unit=units.station_a)
    sign_in(phone, live_server.url, "staff_a")
    open_table(phone, live_server.url, camp)
    phone.context.set_offline(True)
    record_offline(phone, "9876500201", "KNP-201")
    record_offline(phone, "9876500202", "KNP-202")
    # A walk-in whose number is not on the phone: registered and recorded, both waiting.
    find(phone, "9876500299")
    form = phone.get_by_test_id("offline-new-donor-form")
    form.get_by_label("Name").fill("Sita Devi")
    form.get_by_label("Female").check()
    form.get_by_label("Date of birth").fill("1995-04-02")
    form.get_by_label("The donor agrees to be in the registry").check()
    fill_screening(form, "KNP-299")
    form.get_by_role("button", name="Record collected").click()
    expect(phone.get_by_test_id("offline-banner")).to_have_text("Offline — 4 waiting")
    # Meanwhile Ravi gave blood at the district hospital this morning.
    DonationFactory(donor=ravi, donated_on=camp.held_on)

    phone.context.set_offline(False)
    expect(entries(phone, "saved")).to_have_count(3)
    refused = entries(phone, "refused")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("Ravi Kumar: collected, bag KNP-202")
    expect(refused.get_by_test_id("refusal-reasons")).to_contain_text(
        re.compile("Not eligible, so not recorded as collected")
    )
    screenshot(phone, "camp-offline-refused-phone")
    assert list(asha.donations.values_list("bag_number", flat=True)) == ["KNP-201"]
    assert not ravi.donations.filter(camp=camp).exists()
    sita = Donor.objects.get(phone="+919876500299")
    assert (sita.name, sita.source, sita.unit) == ("Sita Devi", "camp", camp.unit)
    assert list(sita.donations.values_list("bag_number", flat=True)) == ["KNP-299"]
    # The constable resolves it on the table: dismissed, the list moves on.
    refused.get_by_role("button", name="Dismiss").click()
    expect(entries(phone, "refused")).to_have_count(0)
    assert phone.js_errors == []


def test_a_double_tap_during_a_flaky_sync_saves_once(live_server, phone, staff_a, units):
    camp = CampFactory(unit=units.station_a)
    donor = DonorFactory(name="Asha Verma", phone="+919876500301", unit=units.station_a)
    sign_in(phone, live_server.url, "staff_a")
    open_table(phone, live_server.url, camp)
    attempts = []

    def flaky(route):
        # The first attempt reaches the server and is saved there, but its answer is lost.
        attempts.append(route.request.post_data)
        if len(attempts) == 1:
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    phone.route(re.compile(r".*/table/sync/$"), flaky)
    phone.context.set_offline(True)
    find(phone, "9876500301")
    form = phone.get_by_test_id("offline-screening-form")
    fill_screening(form, "KNP-301")
    button = form.get_by_role("button", name="Record collected")
    button.evaluate("b => { b.click(); b.click(); }")  # a double tap
    expect(phone.get_by_test_id("offline-banner")).to_have_text("Offline — 1 waiting")

    phone.context.set_offline(False)
    expect(entries(phone, "saved")).to_have_count(1, timeout=40_000)
    assert len(attempts) >= 2  # the lost answer was retried under the same id
    assert len(set(attempts)) == 1
    assert list(donor.donations.values_list("bag_number", flat=True)) == ["KNP-301"]
    assert TableEntry.objects.count() == 1
    assert phone.js_errors == []


def test_the_table_form_whose_answer_is_lost_waits_and_saves_once(
    live_server, phone, staff_a, units
):
    """With a signal that drops mid-request: "Record collected" on the server's card got no
    answer. The entry waits on the phone under the card's id and is saved once."""
    camp = CampFactory(unit=units.station_a)
    donor = DonorFactory(name="Asha Verma", phone="+919876500401", unit=units.station_a)
    sign_in(phone, live_server.url, "staff_a")
    open_table(phone, live_server.url, camp)
    find(phone, "9876500401")
    expect(phone.get_by_test_id("donor-card")).to_contain_text("Asha Verma")
    lost = []

    def drop_first(route):
        lost.append(1)
        if len(lost) == 1:
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    phone.route(re.compile(r".*/table/record/$"), drop_first)
    fill_screening(phone.get_by_test_id("screening-form"), "KNP-401")
    phone.get_by_role("button", name="Record collected").click()
    expect(entries(phone, "saved")).to_have_count(1)
    expect(entries(phone, "saved")).to_contain_text("Asha Verma: collected, bag KNP-401.")
    assert list(donor.donations.values_list("bag_number", flat=True)) == ["KNP-401"]
    assert phone.js_errors == []
