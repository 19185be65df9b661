"""Importing donors from a spreadsheet in headless Chromium at phone width: a file with a bad
row is refused with the row's error, the corrected file checks clean and is imported."""

import re

import pytest
from playwright.sync_api import expect

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from donors.models import Donor
from tests.e2e.conftest import fits_width, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = "name,sex,date_of_birth,blood_group,phone,unit,is_police\n"
GOOD = "Asha Verma,F,1994-03-05,B+,98765 43210,station-a,no\n"


def csv_file(name, text):
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worker():
    """A real Celery worker in a thread: the import's check and apply run there."""
    from celery.contrib.testing.worker import start_worker

    from donation_portal.celery import app

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as w:
        yield w


def test_the_progress_page_polls_until_the_worker_has_checked_the_file_on_a_phone(
    live_server, phone, screenshot, staff_a
):
    """No worker yet: the page answers at once with a progress bar that keeps polling; when
    a worker starts and checks the file, the page moves on to the result by itself."""
    from celery.contrib.testing.worker import start_worker

    from donation_portal.celery import app

    app.control.purge()
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/donors/import/")
    phone.get_by_label("Spreadsheet (.csv or .xlsx)").set_input_files(
        csv_file("donors.csv", HEADER + GOOD)
    )
    phone.get_by_role("button", name="Check the file").click()
    progress = phone.get_by_test_id("import-progress")
    expect(progress).to_contain_text("Checking donors.csv")
    expect(progress.locator("progress")).to_be_visible()
    expect(progress).to_contain_text("Waiting for the file to be read")
    assert "?job=" in phone.url
    screenshot(phone, "donor-import-progress-phone")
    assert fits_width(phone)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        expect(phone.get_by_role("status")).to_contain_text("The row is ready to import.")
    expect(phone.get_by_test_id("valid-rows")).to_contain_text("Asha Verma")
    assert Donor.objects.count() == 0
    assert phone.js_errors == []


def test_staff_fix_a_bad_row_then_import_on_a_phone(
    live_server, phone, screenshot, staff_a, worker
):
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/donors/")
    phone.get_by_role("link", name="Import").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Import donors")
    screenshot(phone, "donor-import-phone")
    assert fits_width(phone)

    # A file whose second donor has a nine-digit phone number.
    bad = HEADER + GOOD + "Ravi Kumar,M,17/05/1988,O-,98765 4321,station-a,yes\n"
    phone.get_by_label("Spreadsheet (.csv or .xlsx)").set_input_files(csv_file("donors.csv", bad))
    phone.get_by_role("button", name="Check the file").click()
    expect(phone.get_by_role("alert")).to_contain_text("1 of 2 rows has a problem.")
    errors = phone.get_by_test_id("row-errors")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody tr").first).to_contain_text(
        re.compile(r"3\s+phone\s+“98765 4321” is not a valid mobile number")
    )
    expect(phone.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    screenshot(phone, "donor-import-errors-phone")
    assert fits_width(phone)
    assert Donor.objects.count() == 0

    fixed = bad.replace("98765 4321,", "98765 43211,")
    phone.get_by_label("Spreadsheet (.csv or .xlsx)").set_input_files(
        csv_file("donors-fixed.csv", fixed)
    )
    phone.get_by_role("button", name="Check the file").click()
    expect(phone.get_by_role("status")).to_contain_text("All 2 rows are ready to import.")
    expect(phone.get_by_test_id("valid-rows")).to_contain_text("Ravi Kumar")
    screenshot(phone, "donor-import-clean-phone")
    assert fits_width(phone)

    phone.get_by_role("button", name="Import 2 donors").click()
    expect(phone.get_by_test_id("import-outcome")).to_contain_text(
        "Imported 2 donors from donors-fixed.csv."
    )
    screenshot(phone, "donor-import-done-phone")
    assert fits_width(phone)
    assert set(Donor.objects.values_list("phone", flat=True)) == {
        "+919876543210",
        "+919876543211",
    }
    assert AuditEvent.objects.get(action=AuditAction.IMPORT).details["rows"] == 2
    assert phone.js_errors == []


def test_a_corrupt_workbook_gets_a_message_on_the_desktop(
    live_server, desktop, screenshot, staff_a, worker
):
    sign_in(desktop, live_server.url, "staff_a")
    desktop.goto(f"{live_server.url}/donors/import/")
    desktop.get_by_label("Spreadsheet (.csv or .xlsx)").set_input_files(
        {"name": "donors.xlsx", "mimeType": "application/octet-stream", "buffer": b"PK\x03\x04!"}
    )
    desktop.get_by_role("button", name="Check the file").click()
    expect(desktop.get_by_text("The file is not a valid Excel .xlsx workbook.")).to_be_visible()
    screenshot(desktop, "donor-import-corrupt-desktop")
