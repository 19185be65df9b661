"""What a fresh `make run` shows the admin: the demo force's dashboard with a year of curves,
on a desktop and at phone width, the charts drawn from the same figures as the tables."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import fits_width, sign_in
from tests.e2e.test_dashboard import charts_drawn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def months_drawn(page) -> list:
    return page.evaluate(
        "() => Chart.getChart(document.getElementById('chart-months')).data.datasets[0].data"
    )


def test_the_demo_dashboard_shows_a_year_of_curves(
    live_server, desktop, phone, screenshot, settings
):
    settings.DEBUG = True
    call_command("load_demo")
    today = timezone.localdate()
    year = f"/dashboard/?from={today - timedelta(days=365)}&to={today}"
    for page, name in ((desktop, "dashboard-demo-desktop"), (phone, "dashboard-demo-phone")):
        sign_in(page, live_server.url, "admin", "bloodbond-admin")
        page.goto(f"{live_server.url}{year}")
        page.wait_for_function(
            "() => window.Chart && Chart.getChart(document.getElementById('chart-camps'))"
        )
        drawn = charts_drawn(page)
        assert all(n > 0 for n in drawn.values()), drawn
        units = months_drawn(page)
        assert len(units) == 13 and all(n > 0 for n in units[1:]), units
        rows = page.get_by_test_id("table-months").locator("tbody tr")
        expect(rows).to_have_count(13)
        assert rows.nth(6).locator("td").first.inner_text() == str(units[6])
        expect(page.get_by_test_id("headline")).to_contain_text("units given")
        assert fits_width(page)
        screenshot(page, name)
        assert page.js_errors == []
