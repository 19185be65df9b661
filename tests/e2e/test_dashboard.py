"""The dashboard in headless Chromium, on a desktop and at phone width: the charts are drawn
with data, the filter changes the URL, the tables carry the same numbers."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import fits_width, sign_in
from tests.factories import CampFactory, DonationFactory, DonorFactory, make_patient

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHARTS = ("chart-months", "chart-groups", "chart-camps")


@pytest.fixture
def records(units):
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    groups = ["A+", "B+", "O+", "O-", "AB+"]
    for i in range(10):
        unit = [units.station_a, units.station_a2, units.station_b][i % 3]
        day = min(start + timedelta(days=30 * i), today)
        camp = CampFactory(unit=unit, name=f"Camp {i}", held_on=day, status="closed")
        for j in range(i % 4 + 1):
            donor = DonorFactory(unit=unit, blood_group=groups[(i + j) % 5])
            DonationFactory(donor=donor, donated_on=day, camp=camp, blood_centre=camp.blood_centre)
    for i, group in enumerate(["B+", "A+", "O+", "B+"]):
        make_patient(
            [units.station_a, units.station_b][i % 2],
            name=f"Child {i}",
            blood_group=group,
            units=1 + i % 2,
            interval=21 if i % 2 == 0 else 15,
            last_transfused_on=today - timedelta(days=17),
        )


def charts_drawn(page) -> dict:
    return page.evaluate(
        """ids => Object.fromEntries(ids.map(id => {
            const chart = Chart.getChart(document.getElementById(id));
            return [id, chart ? chart.data.datasets[0].data.length : 0];
        }))""",
        list(CHARTS),
    )


def test_the_admin_dashboard_on_a_desktop(live_server, desktop, screenshot, admin_user, records):
    sign_in(desktop, live_server.url, "admin")
    desktop.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Dashboard"
    ).click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Dashboard")
    today = timezone.localdate()
    expect(desktop.locator("#id_from")).to_have_value(f"{today.year}-01-01")
    expect(desktop.locator("#id_to")).to_have_value(today.isoformat())
    desktop.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-months'))"
    )
    drawn = charts_drawn(desktop)
    assert all(n > 0 for n in drawn.values()), drawn
    expect(desktop.get_by_test_id("headline")).to_contain_text("units given")
    expect(desktop.get_by_test_id("at-risk-row")).to_have_count(4)
    screenshot(desktop, "dashboard-desktop")
    assert fits_width(desktop)
    assert desktop.js_errors == []


def test_the_filter_changes_the_url_at_phone_width(
    live_server, phone, screenshot, coordinator, units, records
):
    sign_in(phone, live_server.url, "coordinator")
    phone.goto(f"{live_server.url}/dashboard/")
    total = int(phone.get_by_test_id("card-units").locator(".figure-number").inner_text())
    phone.locator("#id_unit").select_option(label="\u2003\u2003Cantt Circle")
    phone.get_by_role("button", name="Show").click()
    phone.wait_for_url(f"**/dashboard/?*unit={units.cantt_circle.pk}*")
    narrowed = int(phone.get_by_test_id("card-units").locator(".figure-number").inner_text())
    assert 0 < narrowed < total
    phone.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-camps'))"
    )
    drawn = charts_drawn(phone)
    assert all(n > 0 for n in drawn.values()), drawn
    expect(phone.get_by_test_id("table-units")).to_contain_text("Cantt")
    expect(phone.get_by_test_id("table-units")).not_to_contain_text("Kotwali")
    screenshot(phone, "dashboard-phone")
    assert fits_width(phone)
    assert phone.js_errors == []
