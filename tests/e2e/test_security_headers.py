"""The Content-Security-Policy forbids inline script: the pages that used it still work in a
real browser (the API docs, a confirmation before closing a camp), with no violation."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import CampFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_load_under_the_policy(live_server, desktop, staff_a, screenshot):
    sign_in(desktop, live_server.url, "staff_a")
    desktop.goto(f"{live_server.url}/api/v1/docs/")
    expect(desktop.locator(".swagger-ui .opblock").first).to_be_visible()
    screenshot(desktop, "api-docs-desktop")
    assert desktop.js_errors == []


def test_closing_a_camp_still_asks_first(live_server, phone, staff_a, units):
    camp = CampFactory(unit=units.station_a, name="Kotwali camp", status="open")
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/camps/{camp.pk}/")
    phone.once("dialog", lambda dialog: dialog.dismiss())
    phone.get_by_role("button", name="Close the camp").click()
    camp.refresh_from_db()
    assert camp.status == "open"  # dismissed: nothing happened
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Close the camp").click()
    expect(phone.get_by_text("Closed").first).to_be_visible()
    camp.refresh_from_db()
    assert camp.status == "closed"
    assert phone.js_errors == []
