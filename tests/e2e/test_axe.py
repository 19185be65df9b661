"""axe-core (vendored, static/vendor/axe/) on the main pages at 390 px and 1366 px: no
"serious" or "critical" violation (contrast of every text, labels, names, landmarks…).

The portal has one colour theme (Bootstrap's light one; no dark mode is offered), so each
page is checked once per width. The script is injected by Playwright, not served to users:
the context bypasses the Content-Security-Policy only so the injection may run; the pages'
own scripts are checked under the policy by every other browser test."""

import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.choices import Role
from calldesk.selectors import call_list
from calldesk.services import call_log_record
from tests.e2e.conftest import LAPTOP, PHONE, sign_in
from tests.factories import (
    CampFactory,
    DonationFactory,
    DonorFactory,
    UserFactory,
    make_assignment,
    make_patient,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe" / "axe.min.js"
BLOCKING = ("serious", "critical")


def world(units):
    """A force admin (who sees every page, people included, and calls) and a little of each
    thing the pages list."""
    admin = UserFactory(username="knp_admin", role=Role.FORCE_ADMIN, unit=units.knp)
    today = timezone.localdate()
    asha = DonorFactory(name="Asha Verma", unit=units.station_a, blood_group="B+")
    DonationFactory(donor=asha, donated_on=today - datetime.timedelta(days=200))
    DonorFactory(name="Bilal Khan", unit=units.station_a2, blood_group="O+")
    camp = CampFactory(unit=units.station_a, name="Kotwali Police Lines camp")
    CampFactory(
        unit=units.station_a,
        name="Moolganj camp",
        status="planned",
        held_on=today + datetime.timedelta(days=5),
    )
    child = make_patient(
        units.station_a,
        name="Riya Sharma",
        last_transfused_on=today - datetime.timedelta(days=19),
        guardians=[{"name": "Meena Sharma", "relation": "mother", "phone": "98123 45678"}],
    )
    make_patient(
        units.station_a,
        name="Kabir Khan",
        last_transfused_on=today - datetime.timedelta(days=16),
        guardians=[{"name": "Farida Khan", "relation": "mother", "phone": "98765 43210"}],
    )
    for name in ("Ravi Kumar", "Sunil Verma"):
        make_assignment(
            child.transfusions.get(status="due"),
            DonorFactory(name=name, unit=units.station_a, blood_group="B+"),
            status="proposed",
        )
    first, second = call_list(admin)[:2]
    call_log_record(row=first, outcome="no_answer", notes="Busy", actor=admin)
    call_log_record(
        row=second,
        outcome="will_try",
        follow_up_on=today + datetime.timedelta(days=2),
        actor=admin,
    )
    return {
        "login": "/accounts/login/",
        "pledge": "/pledge/",
        "home": "/",
        "dashboard": "/dashboard/",
        "donors": "/donors/",
        "donor": f"/donors/{asha.pk}/",
        "camps": "/camps/",
        "camp calendar": "/camps/calendar/",
        "camp": f"/camps/{camp.pk}/",
        "camp table": f"/camps/{camp.pk}/table/",
        "children": "/children/",
        "children due": "/children/due/",
        "child": f"/children/{child.pk}/",
        "call desk": "/calls/",
        "people": "/people/",
        "new person": "/people/new/",
        "new donor": "/donors/new/",
        "new child": "/children/new/",
        "new camp": "/camps/new/",
        "units": "/units/",
        "messages": "/messages/",
    }


def axe(page) -> list[dict]:
    """Run axe on the page as it stands; the violations that block, compactly."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [
                {"target": n["target"], "summary": n.get("failureSummary", "")[:300]}
                for n in v["nodes"][:5]
            ],
        }
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1366px"])
def test_the_main_pages_have_no_serious_accessibility_violation(
    live_server, browser, units, viewport
):
    pages = world(units)
    context = browser.new_context(viewport=viewport, locale="en-IN", bypass_csp=True)
    # Seventeen pages and more in one test: a loaded 2-core machine may answer one slowly.
    context.set_default_timeout(45_000)
    page = context.new_page()
    found = {}
    for name in ("login", "pledge"):
        page.goto(live_server.url + pages.pop(name))
        found[name] = axe(page)
    sign_in(page, live_server.url, "knp_admin")
    for name, path in pages.items():
        page.goto(live_server.url + path)
        expect(page.locator("main")).to_be_visible()
        found[name] = axe(page)
    # States the first paint does not show: a call logged in place, the menus open.
    page.goto(live_server.url + "/calls/")
    page.get_by_test_id("section-later").locator("summary").click()  # the rows coming back
    page.get_by_test_id("call-row").first.get_by_test_id("outcome-reached").click()
    expect(page.get_by_test_id("call-row-logged")).to_be_visible()
    found["call desk, a call logged"] = axe(page)
    if viewport is PHONE:
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_test_id("user-menu")).to_be_visible()
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    found["menus open"] = axe(page)
    context.close()
    blocking = {name: v for name, v in found.items() if v}
    assert not blocking, json.dumps(blocking, indent=1, ensure_ascii=False)


def test_the_axe_run_does_catch_a_violation(live_server, browser):
    """The harness itself: faint text injected into a page is reported."""
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<p style="color:#bbb">faint</p><input type="text">\')'
    )
    rules = {v["rule"] for v in axe(page)}
    context.close()
    assert {"color-contrast", "label"} <= rules
