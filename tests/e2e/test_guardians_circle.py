"""At phone width: correct a guardian's phone, refuse removing the last guardian, and reorder
and trim a child's donor circle from the child's page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import fits_width, sign_in
from tests.factories import DonorFactory, make_patient
from thalassemia.booking import circle_add
from thalassemia.models import DonorCircle

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_fix_a_guardian_and_trim_the_circle_at_phone_width(
    live_server, phone, screenshot, coordinator, units
):
    patient = make_patient(
        units.station_a,
        name="Tara",
        blood_group="O+",
        last_transfused_on=timezone.localdate(),
        guardians=[
            {"name": "Meena Devi", "relation": "mother", "phone": "9812345678"},
            {"name": "Ramesh Kumar", "relation": "father", "phone": "9812345679"},
        ],
    )
    for name in ("Constable Arvind Kumar Srivastava", "SI Neha Yadav", "HC Prakash Mishra"):
        circle_add(
            patient=patient, donor=DonorFactory(unit=units.station_a, blood_group="O+", name=name)
        )
    sign_in(phone, live_server.url, "coordinator")
    phone.goto(f"{live_server.url}/children/{patient.pk}/")
    screenshot(phone, "child-guardians-circle-phone")
    assert fits_width(phone)

    phone.get_by_role("link", name="Edit Meena Devi").click()
    phone.locator("#id_phone").fill("12")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("is not a valid mobile number")).to_be_visible()
    screenshot(phone, "guardian-edit-error-phone")
    assert fits_width(phone)
    phone.locator("#id_phone").fill("098390 12345")
    phone.locator("#id_relation").select_option("grandparent")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Guardian saved.")).to_be_visible()
    expect(phone.get_by_test_id("guardians")).to_contain_text("Meena Devi (Grandparent)")

    asked = []
    phone.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    phone.get_by_role("button", name="Remove Ramesh Kumar").click()
    expect(phone.get_by_text("Guardian removed.")).to_be_visible()
    assert asked == ["Remove this guardian from the child's record?"]
    phone.get_by_role("button", name="Remove Meena Devi").click()
    expect(phone.get_by_text("A child must keep at least one guardian")).to_be_visible()
    screenshot(phone, "child-last-guardian-phone")
    assert fits_width(phone)

    phone.get_by_role("button", name="Move HC Prakash Mishra up").click()
    phone.get_by_role("button", name="Remove SI Neha Yadav from the circle").click()
    expect(phone.get_by_text("SI Neha Yadav left the child's donor circle.")).to_be_visible()
    circle = phone.get_by_test_id("circle")
    expect(circle).not_to_contain_text("Neha")
    assert [m.donor.name for m in DonorCircle.objects.filter(patient=patient)] == [
        "Constable Arvind Kumar Srivastava",
        "HC Prakash Mishra",
    ]
    screenshot(phone, "child-circle-phone")
    assert fits_width(phone)
    assert list(patient.guardians.values_list("phone", flat=True)) == ["+919839012345"]


def test_record_a_pending_consent_at_phone_width(
    live_server, phone, screenshot, coordinator, units
):
    patient = make_patient(
        units.station_a,
        name="Kabir",
        last_transfused_on=timezone.localdate(),
        guardians=[{"name": "Farida Begum", "relation": "mother", "phone": "9812345678"}],
    )
    sign_in(phone, live_server.url, "coordinator")
    phone.goto(f"{live_server.url}/children/{patient.pk}/")
    expect(phone.get_by_test_id("consent-pending")).to_be_visible()
    screenshot(phone, "child-consent-pending-phone")
    assert fits_width(phone)
    phone.get_by_label("The guardian consents").check()
    phone.get_by_role("button", name="Record consent").click()
    expect(phone.get_by_text("Consent recorded.")).to_be_visible()
    expect(phone.get_by_test_id("consent-pending")).to_have_count(0)
    patient.refresh_from_db()
    assert patient.consent_by == "Farida Begum"
