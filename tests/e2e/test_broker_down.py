"""The pages that hand work to Celery, in headless Chromium at 390 px with the broker's URL
pointing at a closed port (tests/broker.py: kombu's own refused connection, no mock). Each
answers a page that says what happened in words, never a 500: the camp table records and
the donor's thank-you waits in the outbox, a resend says the message waits, a spreadsheet
check asks to try again."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from donors.choices import ConsentPurpose, ConsentSource
from donors.consent import consent_give
from donors.models import Donation, Donor
from notifications import services
from notifications.choices import MessageState
from notifications.models import Message
from tests.broker import broker_down
from tests.e2e.conftest import fits_width, sign_in
from tests.e2e.test_camp_day import fill_screening, find, settled
from tests.factories import CampFactory, DonorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_camp_table_records_and_the_thank_you_waits(
    live_server, phone, screenshot, staff_a, units
):
    camp = CampFactory(unit=units.station_a, name="Kotwali camp, Redis down")
    donor = DonorFactory(name="Asha Verma", phone="+919876500021", unit=units.station_a)
    consent_give(donor=donor, purpose=ConsentPurpose.REMINDERS, source=ConsentSource.STAFF)
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/camps/{camp.pk}/table/")
    with broker_down():
        find(phone, "9876500021")
        expect(phone.get_by_test_id("donor-card")).to_contain_text("Asha Verma")
        fill_screening(phone, "KNP-0301")
        phone.get_by_role("button", name="Record collected").click()
        expect(phone.get_by_test_id("recorded")).to_contain_text("bag KNP-0301")
        settled(phone)
    expect(phone.get_by_test_id("total-collected")).to_have_text("1")
    assert Donation.objects.filter(camp=camp, donor=donor).count() == 1
    thanks = Message.objects.get(topic="donation_thanks")
    assert thanks.state == MessageState.PENDING  # beat's dispatch sends it later
    screenshot(phone, "broker-down-camp-table-phone")
    assert fits_width(phone)
    assert phone.js_errors == []


def test_a_resend_says_the_message_waits(live_server, phone, screenshot, coordinator, units):
    row, _ = services.message_enqueue(
        topic="transfusion_due",
        subject_key="transfusion:1",
        recipient_key="guardian:1",
        recipient_name="Guardian failed",
        phone="+919812345678",
        channel="sms",
        template="guardian_transfusion_due",
        due_on=dt.date(2026, 12, 1),
        unit=units.station_a,
        context={"child": {"name": "Riya Sharma"}, "on": dt.date(2026, 12, 1)},
    )
    Message.objects.filter(pk=row.pk).update(state=MessageState.FAILED, last_error="HTTP 500")
    sign_in(phone, live_server.url, "coordinator")
    phone.goto(f"{live_server.url}/messages/?state=failed")
    expect(phone.get_by_test_id("message")).to_have_count(1)
    with broker_down():
        phone.get_by_test_id("resend").click()
        expect(phone.locator(".alert")).to_contain_text(
            "the sending service cannot be reached just now"
        )
    expect(phone.locator(".alert")).to_contain_text("no need to resend it again")
    row.refresh_from_db()
    assert row.state == MessageState.PENDING
    screenshot(phone, "broker-down-resend-phone")
    assert fits_width(phone)
    assert phone.js_errors == []


def test_a_spreadsheet_check_asks_to_try_again(live_server, phone, screenshot, staff_a):
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/donors/import/")
    sheet = (
        "name,sex,date_of_birth,blood_group,phone,unit,is_police\n"
        "Asha Verma,F,1994-03-05,B+,98765 43210,station-a,no\n"
    )
    phone.get_by_label("Spreadsheet (.csv or .xlsx)").set_input_files(
        {"name": "donors.csv", "mimeType": "text/csv", "buffer": sheet.encode()}
    )
    with broker_down():
        phone.get_by_role("button", name="Check the file").click()
        expect(phone.get_by_role("alert")).to_contain_text(
            "The file could not be checked just now. Try again in a minute."
        )
    expect(phone.get_by_role("heading", level=1)).to_have_text("Import donors")
    expect(phone.get_by_role("button", name="Check the file")).to_be_visible()
    assert Donor.objects.count() == 0
    screenshot(phone, "broker-down-import-phone")
    assert fits_width(phone)
    assert phone.js_errors == []
