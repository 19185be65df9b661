"""A donor export over DONOR_EXPORT_IN_WORKER_ABOVE rows is written by a real Celery
worker: the page polls its progress, then offers a download link that only the requester
may use, each download in the audit log."""

import csv
import io
import time

import pytest

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from tests.donors.conftest import needs_worker
from tests.factories import DonorFactory

pytestmark = [pytest.mark.django_db(transaction=True), needs_worker]


def until_done(client, url, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        polled = client.get(url, HTTP_HX_REQUEST="true")
        if polled.status_code == 204:
            return client.get(polled["HX-Redirect"])
        assert polled.status_code == 200 and b"<progress" in polled.content
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.2)


def test_a_big_export_is_written_by_a_worker_and_downloaded_by_its_requester_alone(
    worker, settings, client_for, staff_a, circle_staff, units
):
    settings.DONOR_EXPORT_IN_WORKER_ABOVE = 2
    for n in range(3):
        DonorFactory(unit=units.station_a, name=f"Donor {n}", blood_group="B+")
    DonorFactory(unit=units.station_a, name="Other group", blood_group="O+")
    client = client_for(staff_a)

    small = client.get("/donors/export/?blood_group=O%2B")  # one row: straight away
    assert small.status_code == 200 and b"Other group" in b"".join(small.streaming_content)

    started = client.get("/donors/export/?blood_group=B%2B&format=csv")
    assert started.status_code == 302 and "/donors/export/job/?job=" in started.url
    assert client_for(circle_staff).get(started.url).status_code == 404
    ready = until_done(client, started.url)
    assert 'data-testid="export-download"' in ready.content.decode()

    download = client.get(f"{started.url}&download=1")
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    names = sorted(r["name"] for r in csv.DictReader(io.StringIO(text)))
    assert names == ["Donor 0", "Donor 1", "Donor 2"]  # the list's filter, kept
    assert client_for(circle_staff).get(f"{started.url}&download=1").status_code == 404
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=staff_a)
    assert [e.details.get("in_worker") for e in events.order_by("at", "pk")][1] is True
    assert events.filter(details__downloaded=True).count() == 1
