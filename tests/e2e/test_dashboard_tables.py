"""The dashboard's tables in headless Chromium at 390 px: "Units by camp" lists the camps in
order, the most units first, and fits the phone; each "… more in the exports" note (camps,
units by police unit, camps held by police unit) links to the CSV export that holds the rest,
and the children-at-risk note to the children's list."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dashboard.rollups import figures_refresh
from tests.e2e.conftest import fits_width, sign_in
from tests.factories import CampFactory, DonationFactory, DonorFactory, make_patient

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG_NAME = "Kanpur Nagar Police Lines and Rotary Club Voluntary Blood Donation Camp"


@pytest.fixture
def many(units, settings, monkeypatch):
    """Five camps (camp i gave i + 1 units; the biggest has a long name) at three
    stations, five children due within the week; the page shows three camps, two units and
    three children, as a state's dashboard shows 30 of its thousands."""
    settings.DASHBOARD_CAMPS_SHOWN = 3
    monkeypatch.setattr("dashboard.views.UNITS_SHOWN", 2)
    monkeypatch.setattr("dashboard.views.AT_RISK_SHOWN", 3)
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    stations = [units.station_c, units.station_a2, units.station_a, units.station_b]
    camps = []
    for i in range(5):
        name = LONG_NAME if i == 4 else f"Camp {i}"
        camp = CampFactory(unit=stations[i % 4], name=name, held_on=start, status="closed")
        for _ in range(i + 1):
            DonationFactory(
                donor=DonorFactory(unit=camp.unit),
                donated_on=start,
                camp=camp,
                blood_centre=camp.blood_centre,
            )
        camps.append(camp)
    for i in range(5):  # due in 1 … 5 days, no donor confirmed
        make_patient(
            units.station_a, name=f"Child {i}", last_transfused_on=today - timedelta(days=20 - i)
        )
    figures_refresh()
    return camps


def download(page, link) -> str:
    with page.expect_download() as info:
        link.click()
    return info.value.path().read_bytes().decode("utf-8-sig")


def test_units_by_camp_and_the_more_notes_at_phone_width(
    live_server, phone, screenshot, admin_user, units, many
):
    sign_in(phone, live_server.url, "admin")
    phone.goto(f"{live_server.url}/dashboard/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Dashboard")

    # Units by camp: the camps with the most units, in order; the rest in the exports.
    table = phone.get_by_test_id("table-by-camp")
    table.scroll_into_view_if_needed()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    names = [rows.nth(i).locator("th").inner_text() for i in range(3)]
    units_given = [rows.nth(i).locator("td").first.inner_text() for i in range(3)]
    # Each camp is named with its day, "Camp 3 (01 Jan 2026)".
    assert [name.rsplit(" (", 1)[0] for name in names] == [LONG_NAME, "Camp 3", "Camp 2"]
    assert units_given == ["5", "4", "3"]
    # Usable at 390 px: the page does not scroll sideways (a wide table scrolls in its own
    # box), and the long name wraps inside the screen.
    assert fits_width(phone)
    box = table.locator("tbody tr").first.locator("th").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    screenshot(phone, "dashboard-units-by-camp-phone")

    note = phone.get_by_test_id("camps-more")
    expect(note).to_contain_text("2 more camps are in the CSV and XLSX exports")
    exported = download(phone, note.get_by_role("link"))
    assert all(camp.name in exported for camp in many)  # every camp, the two left out too

    # The two tables by police unit: two of four stations shown, the rest in the export.
    note = phone.get_by_test_id("units-more")
    expect(note).to_contain_text("2 more units are in the CSV and XLSX exports")
    exported = download(phone, note.get_by_role("link"))
    assert all(name in exported for name in ("Akbarpur", "Moolganj", "Kotwali", "Cantt"))
    note = phone.get_by_test_id("camp-units-more")
    expect(note).to_contain_text("2 more units are in the CSV and XLSX exports")
    rows = list(csv.reader(io.StringIO(download(phone, note.get_by_role("link")))))
    assert any("Akbarpur" in row for row in rows)

    # The children at risk: three shown, the note leads to the children's list.
    expect(phone.get_by_test_id("at-risk-row")).to_have_count(3)
    note = phone.get_by_test_id("at-risk-more")
    expect(note).to_contain_text("2 more children are on the children’s list")
    note.get_by_role("link").click()
    phone.wait_for_url("**/children/**")
    for i in range(5):
        expect(phone.get_by_role("main")).to_contain_text(f"Child {i}")
    assert fits_width(phone)
    assert phone.js_errors == []
