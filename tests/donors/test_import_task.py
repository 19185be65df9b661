"""The donor import runs in a Celery worker (issue 13): the upload page answers at once
with a progress page that htmx polls, a real worker checks and then writes the sheet, and
the page shows the result. A job is its uploader's alone."""

import time

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from donors import spreadsheets as donor_sheets
from donors.models import Donor
from tests.donors.conftest import needs_worker

pytestmark = [pytest.mark.django_db(transaction=True), needs_worker]

IMPORT_URL = "/donors/import/"
POLL = {"HTTP_HX_REQUEST": "true"}


def sheet(*phones, unit="station-a"):
    dataset = tablib.Dataset(headers=donor_sheets.IMPORT_COLUMNS)
    for n, phone in enumerate(phones):
        values = {
            "name": f"Donor {n}",
            "sex": "F",
            "date_of_birth": "1994-03-05",
            "blood_group": "B+",
            "phone": phone,
            "unit": unit,
        }
        dataset.append([values.get(column, "") for column in donor_sheets.IMPORT_COLUMNS])
    return SimpleUploadedFile("donors.csv", dataset.export("csv").encode(), "text/csv")


def until_done(client, url, seconds=60):
    """Poll the job as the page's htmx does until the server sends the page on."""
    deadline = time.monotonic() + seconds
    while True:
        polled = client.get(url, **POLL)
        if polled.status_code == 204:
            assert polled["HX-Redirect"] == url
            return client.get(url)
        assert polled.status_code == 200
        assert b"<progress" in polled.content and b'hx-trigger="every 1s"' in polled.content
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.2)


def test_a_real_worker_checks_then_imports_while_the_page_polls(worker, client_for, staff_a):
    client = client_for(staff_a)
    started = client.post(IMPORT_URL, {"file": sheet("9876543210", "9876543211")})
    assert started.status_code == 302 and "?job=" in started.url
    first = client.get(started.url)  # the page itself, before or after the worker is done
    assert first.status_code == 200

    checked = until_done(client, started.url)
    assert checked.context["report"].ok and checked.context["report"].valid_rows == 2
    assert Donor.objects.count() == 0
    token = checked.context["token"]
    assert token

    applying = client.post(IMPORT_URL, {"token": token})
    assert applying.status_code == 302 and "?job=" in applying.url
    done = until_done(client, applying.url)
    assert "Imported 2 donors from donors.csv." in done.content.decode()
    assert set(Donor.objects.values_list("phone", flat=True)) == {"+919876543210", "+919876543211"}

    again = client.post(IMPORT_URL, {"token": token}, follow=True)  # the back button
    assert "already imported or has expired" in again.content.decode()
    assert Donor.objects.count() == 2


def test_bad_rows_come_back_from_the_worker_and_nothing_is_imported(worker, client_for, staff_a):
    client = client_for(staff_a)
    started = client.post(IMPORT_URL, {"file": sheet("9876543210", "12345")})
    checked = until_done(client, started.url)
    report = checked.context["report"]
    assert not report.ok
    assert [(e.row, e.field) for e in report.errors] == [(3, "phone")]
    assert checked.context["token"] is None
    assert 'data-testid="row-errors"' in checked.content.decode()
    assert Donor.objects.count() == 0


def test_a_job_is_its_uploaders_alone(worker, client_for, staff_a, circle_staff):
    started = client_for(staff_a).post(IMPORT_URL, {"file": sheet("9876543210")})
    other = client_for(circle_staff)
    assert other.get(started.url).status_code == 404
    assert other.get(started.url, **POLL).status_code == 404
    assert client_for(staff_a).get(f"{IMPORT_URL}?job=made-up").status_code == 404
    checked = until_done(client_for(staff_a), started.url)
    response = other.post(IMPORT_URL, {"token": checked.context["token"]}, follow=True)
    assert "already imported or has expired" in response.content.decode()
    assert Donor.objects.count() == 0


def kept_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()]


def test_with_the_broker_down_the_upload_page_says_so_and_keeps_nothing(
    worker, client_for, staff_a, settings
):
    """Issue 13: a click that queues a task must not answer 500 when Redis is down."""
    from tests.broker import broker_down

    client = client_for(staff_a)
    with broker_down():
        response = client.post(IMPORT_URL, {"file": sheet("9876543210")}, follow=True)
    assert response.status_code == 200
    assert "The file could not be checked just now. Try again in a minute." in (
        response.content.decode()
    )
    assert kept_files(settings.MEDIA_ROOT) == []
    # Once the broker is back the same upload is checked.
    started = client.post(IMPORT_URL, {"file": sheet("9876543210")})
    assert until_done(client, started.url).context["report"].ok


def test_with_the_broker_down_the_import_button_says_so_and_works_again_after(
    worker, client_for, staff_a
):
    """The apply's claim on the check is given back: the same Import button imports once
    the broker answers again (before, the check was spent and the file had to be sent
    again)."""
    from tests.broker import broker_down

    client = client_for(staff_a)
    checked = until_done(client, client.post(IMPORT_URL, {"file": sheet("9876543210")}).url)
    token = checked.context["token"]
    with broker_down():
        refused = client.post(IMPORT_URL, {"token": token}, follow=True)
    assert refused.status_code == 200
    assert "The file could not be imported just now. Try again in a minute." in (
        refused.content.decode()
    )
    assert refused.context["token"] == token  # the check's page, its Import button back
    assert Donor.objects.count() == 0
    done = until_done(client, client.post(IMPORT_URL, {"token": token}).url)
    assert done.status_code == 200
    assert list(Donor.objects.values_list("phone", flat=True)) == ["+919876543210"]
