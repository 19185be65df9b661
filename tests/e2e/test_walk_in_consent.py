"""At the camp table on a phone (390 px), a walk-in gives consent per purpose: two boxes,
the registry required and reminders optional, and each ticked box is saved."""

import pytest
from playwright.sync_api import expect

from donors.models import Donor
from tests.e2e.conftest import fits_width, sign_in
from tests.e2e.test_camp_day import find
from tests.factories import CampFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_walk_in_ticks_the_registry_and_reminders(live_server, phone, screenshot, staff_a, units):
    camp = CampFactory(unit=units.station_a, status="open")
    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/camps/{camp.pk}/table/")

    find(phone, "91234 56789")
    form = phone.get_by_test_id("new-donor-form")
    form.get_by_label("Name").fill("Kavita Rao")
    form.get_by_label("Female").check()
    form.get_by_label("Date of birth").fill("1994-08-30")
    registry = form.get_by_label("The donor agrees to be in the registry")
    reminders = form.get_by_label("The donor also agrees to receive reminders")
    expect(registry).to_be_visible()
    expect(reminders).to_be_visible()
    registry.check()
    reminders.check()
    screenshot(phone, "camp-table-walk-in-consent-phone")
    assert fits_width(phone)
    form.get_by_role("button", name="Register and continue").click()

    expect(phone.get_by_test_id("donor-card")).to_contain_text("Kavita Rao")
    donor = Donor.objects.get(phone="+919123456789")
    assert set(donor.consents.values_list("purpose", flat=True)) == {"registry", "reminders"}
    assert phone.js_errors == []
