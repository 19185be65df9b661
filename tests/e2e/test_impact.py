"""The public impact page on a phone (390 px), from the pledge page's link: no sign-in, the
monthly chart drawn with the months of 5 or more units, small counts shown as "<5", no
sideways scrolling, and nothing the Content-Security-Policy refused."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dashboard.rollups import figures_refresh
from tests.e2e.conftest import fits_width
from tests.factories import CampFactory, DonationFactory, DonorFactory, make_patient

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def records(units):
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    for i in range(4):  # months of 6, 7, 8 and 9 units
        day = min(start + timedelta(days=31 * i), today)
        camp = CampFactory(unit=units.station_a, name=f"Camp {i}", held_on=day, status="closed")
        for _ in range(6 + i):
            donor = DonorFactory(unit=units.station_a)
            DonationFactory(donor=donor, donated_on=day, camp=camp, blood_centre=camp.blood_centre)
    DonationFactory(donor=DonorFactory(unit=units.station_c), donated_on=today)
    make_patient(units.station_a, name="Child", last_transfused_on=today - timedelta(days=10))
    figures_refresh()


def test_the_impact_page_on_a_phone(live_server, phone, screenshot, units, records):
    phone.goto(f"{live_server.url}/pledge/")
    phone.get_by_test_id("impact-link").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Our impact")
    expect(phone.get_by_test_id("impact-camps")).to_have_text("<5")
    phone.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-impact-months'))"
    )
    drawn = phone.evaluate(
        "() => Chart.getChart(document.getElementById('chart-impact-months')).data.datasets[0]"
        ".data.filter(v => v !== null && v > 0).length"
    )
    assert drawn >= 1
    phone.get_by_role("link", name="Kanpur Dehat District").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kanpur Dehat District")
    expect(phone.get_by_test_id("impact-units")).to_have_text("<5")
    phone.get_by_role("link", name="All forces").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Our impact")
    assert fits_width(phone)
    screenshot(phone, "impact-phone")
    assert phone.js_errors == []


def test_the_impact_page_has_no_serious_accessibility_violation(
    live_server, browser, units, records
):
    from tests.e2e.conftest import PHONE
    from tests.e2e.test_axe import axe

    # axe is added as a script tag, which the Content-Security-Policy would refuse.
    context = browser.new_context(viewport=PHONE, locale="en-IN", bypass_csp=True)
    page = context.new_page()
    found = {}
    for path in ("/impact/", f"/impact/{units.knp.pk}/", f"/impact/{units.kotwali_circle.pk}/"):
        page.goto(live_server.url + path)
        expect(page.locator("main")).to_be_visible()
        found[path] = axe(page)
    context.close()
    assert found == dict.fromkeys(found, [])


def test_a_visitor_past_the_limit_is_told_to_wait_on_any_screen(
    live_server, screen, screenshot, units, records, settings
):
    settings.IMPACT_RATE_LIMIT = "1/h"
    screen.goto(f"{live_server.url}/impact/")
    expect(screen.get_by_test_id("impact-as-of")).to_contain_text("Figures as of")
    screenshot(screen, f"impact-{screen.screen_name}")

    answer = screen.goto(f"{live_server.url}/impact/{units.knp.pk}/")

    assert answer.status == 429 and int(answer.headers["retry-after"]) > 0
    expect(screen.get_by_role("heading", level=1)).to_have_text("Please try again later")
    assert fits_width(screen)
    screenshot(screen, f"impact-limited-{screen.screen_name}")
    # The page already counted still opens, from the link the refusal offers.
    screen.get_by_role("link", name="Back to our impact").click()
    expect(screen.get_by_role("heading", level=1)).to_have_text("Our impact")
    assert screen.js_errors == []
