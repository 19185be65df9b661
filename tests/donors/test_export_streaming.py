"""The registry's CSV export streams: a state's million donors leave in pieces, read from
the database in chunks, with the same bytes, scope, audit and formula neutralisation as the
file built whole."""

import pytest

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from donors import spreadsheets as donor_sheets
from donors.models import Donor
from portal import exports
from tests.factories import DonationFactory, DonorFactory

EXPORT_URL = "/donors/export/"


@pytest.fixture
def registry(units):
    inside = [
        DonorFactory(name=f"Donor {n:03d}", unit=units.station_a if n % 2 else units.station_a2)
        for n in range(120)
    ]
    for donor in inside[:40]:
        DonationFactory(donor=donor)
    DonorFactory(name="=cmd|' /C calc'!A0", locality="@SUM(1+1)", unit=units.station_a)
    outside = DonorFactory(name="Outside Station B", unit=units.station_b)
    return inside, outside


def test_the_csv_streams_in_pieces_with_every_scoped_row(
    client_for, circle_staff, registry, monkeypatch
):
    monkeypatch.setattr(exports, "STREAM_CHUNK_CHARS", 1024)
    monkeypatch.setattr(donor_sheets, "EXPORT_CHUNK", 50)  # several round trips
    response = client_for(circle_staff).get(EXPORT_URL, {"format": "csv"})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="donors-')
    pieces = list(response.streaming_content)
    assert len(pieces) > 5
    text = b"".join(pieces).decode("utf-8-sig")
    names = [line.split(",", 1)[0] for line in text.splitlines()[1:]]
    scoped = Donor.objects.filter(unit__path__startswith=circle_staff.unit.path)
    assert len(names) == scoped.count() == 121
    assert "Outside Station B" not in text
    assert "'=cmd|' /C calc'!A0" in text and "'@SUM(1+1)" in text


def test_the_streamed_csv_has_the_bytes_of_the_file_built_whole(client_for, coordinator, registry):
    streamed = b"".join(client_for(coordinator).get(EXPORT_URL).streaming_content)

    donors = Donor.objects.all()
    rows = [
        [read(donor) for _header, read in donor_sheets.EXPORT_COLUMNS]
        for donor in donor_sheets.export_queryset(donors)
    ]
    whole = exports.render(
        exports.build_dataset(donor_sheets.EXPORT_HEADERS, rows, title="donors"), "csv"
    )
    assert streamed == whole


def test_a_streamed_export_is_audited_with_its_row_count(client_for, circle_staff, registry):
    response = client_for(circle_staff).get(EXPORT_URL, {"format": "csv", "q": "Donor 00"})
    b"".join(response.streaming_content)

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == circle_staff
    assert event.details["rows"] == 10  # Donor 000 … Donor 009
    assert event.details["format"] == "csv"
