"""An emergency at phone width: a coordinator records an urgent need from the menu, the
first wave is called (the function the worker runs), a donor answers by the link in the SMS
and is told where to go and whom to ring, the request page shows who was asked and who is
coming, and the stop button ends the waves."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from emergency.messages import answer_url
from emergency.models import EmergencyCall, EmergencyRequest
from emergency.waves import wave_run
from tests.e2e.conftest import fits_width, sign_in
from tests.emergency.conftest import reachable_donor
from tests.factories import HospitalContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_calls_the_living_blood_bank_and_stops_the_waves(
    live_server, phone, screenshot, coordinator, units, settings
):
    settings.NOTIFY_QUIET_CHANNELS = []
    settings.SITE_URL = live_server.url
    contact = HospitalContactFactory(
        hospital__name="Hallett Hospital",
        hospital__address="Swaroop Nagar, Kanpur 208002",
        name="Dr Anita Verma",
        role="Blood bank officer",
        phone="+919711111111",
    )
    for i, name in enumerate(["Ravi Kumar", "Sunita Devi", "Arjun Singh", "Pooja Yadav"]):
        reachable_donor(
            units.station_a, group="B+", living=i < 2, name=name, preferred_language="en"
        )

    sign_in(phone, live_server.url, "coordinator")
    phone.get_by_role("button", name="Menu").click()
    phone.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Emergencies"
    ).click()
    phone.get_by_test_id("new-emergency").click()
    phone.get_by_label("Hospital").select_option(label=contact.hospital.name)
    phone.get_by_label("Blood group needed").select_option("B+")
    phone.get_by_label("Units needed").fill("2")
    needed_by = timezone.localtime() + timedelta(hours=3)
    phone.get_by_label("Needed by").fill(needed_by.strftime("%Y-%m-%dT%H:%M"))
    phone.get_by_role("button", name="Call donors").click()
    expect(phone.get_by_test_id("emergency")).to_have_attribute("data-status", "open")

    emergency = EmergencyRequest.objects.get()
    wave_run(emergency.pk)  # what the worker does as soon as the request is saved
    phone.reload()
    expect(phone.get_by_test_id("call")).to_have_count(4)
    expect(phone.get_by_test_id("wave-1")).to_contain_text("Living blood bank")

    call = EmergencyCall.objects.filter(request=emergency, donor__name="Ravi Kumar").get()
    phone.goto(answer_url(call))
    expect(phone.get_by_test_id("answer")).to_contain_text("Hallett Hospital")
    phone.get_by_test_id("confirm").click()
    expect(phone.get_by_test_id("where")).to_contain_text("Swaroop Nagar, Kanpur 208002")
    expect(phone.get_by_test_id("where")).to_contain_text("+919711111111")
    assert fits_width(phone)
    screenshot(phone, "emergency-answer-phone")

    phone.goto(f"{live_server.url}/emergencies/{emergency.pk}/")
    expect(phone.get_by_test_id("progress")).to_have_text("1 of 2 coming")
    expect(phone.locator('[data-testid="call"][data-status="confirmed"]')).to_have_count(1)
    assert fits_width(phone)
    screenshot(phone, "emergency-request-phone")

    phone.get_by_test_id("stop").click()
    expect(phone.get_by_test_id("status")).to_have_text("Stopped")
    expect(phone.get_by_test_id("stop")).to_have_count(0)
    assert fits_width(phone)
    assert phone.js_errors == []
