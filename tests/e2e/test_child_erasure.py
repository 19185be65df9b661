"""At phone width: a coordinator erases a child's personal data on the family's request, after
the browser asks; the page then shows the anonymous record. A guardian alone too."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import fits_width, sign_in
from tests.factories import make_patient
from thalassemia.models import Guardian, Patient

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_erases_a_child_after_the_browser_asks(
    live_server, phone, screenshot, coordinator, units
):
    patient = make_patient(
        units.station_a,
        name="Tara Kushwaha",
        last_transfused_on=timezone.localdate(),
        guardians=[
            {"name": "Meena Kushwaha", "relation": "mother", "phone": "9812345678"},
            {"name": "Ramesh Kushwaha", "relation": "father", "phone": "9812345679"},
        ],
    )
    sign_in(phone, live_server.url, "coordinator")
    phone.goto(f"{live_server.url}/children/{patient.pk}/")
    assert fits_width(phone)

    # A guardian alone: the father asks to be forgotten.
    asked = []
    phone.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    phone.get_by_role("button", name="Erase Ramesh Kushwaha's personal data").click()
    expect(phone.get_by_text("The guardian's personal data was erased.")).to_be_visible()
    assert asked and "cannot be undone" in asked[0]
    father = Guardian.objects.get(patient=patient, relation="father")
    assert father.name == f"Erased guardian #{father.pk}"

    # The child: dismissing the question changes nothing; accepting erases.
    phone.once("dialog", lambda dialog: dialog.dismiss())
    phone.get_by_test_id("erase-child").get_by_role("button").click()
    assert Patient.objects.get(pk=patient.pk).erased_at is None
    screenshot(phone, "child-before-erasure-phone")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_test_id("erase-child").get_by_role("button").click()
    expect(
        phone.get_by_text("Personal data erased. The transfusion counts remain.")
    ).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_contain_text(f"Erased child #{patient.pk}")
    expect(phone.get_by_test_id("erased")).to_be_visible()
    expect(phone.get_by_test_id("guardians")).not_to_contain_text("Meena")
    screenshot(phone, "child-erased-phone")
    assert fits_width(phone)
    assert phone.js_errors == []
