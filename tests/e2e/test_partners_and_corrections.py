"""Screens no other browser test clicked through, at phone width: an admin adds and edits
partners (a blood centre; a hospital with its emergency contacts), staff edit a camp,
remove a mistaken entry at the camp table and verify a pledge, and a coordinator saves the
date agreed with the hospital."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from camps.models import BloodCentre, Hospital
from camps.services import camp_donation_record
from donors.models import Donation, Donor
from tests.e2e.conftest import fits_width, sign_in
from tests.factories import CampFactory, DonorFactory, make_patient

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_admin_adds_and_edits_partners_on_a_phone(live_server, phone, screenshot, admin_user):
    sign_in(phone, live_server.url, "admin")
    phone.goto(f"{live_server.url}/blood-centres/")
    phone.get_by_role("link", name="Add a blood centre").click()
    phone.get_by_role("button", name="Save").click()  # nothing filled in
    expect(phone.locator(".invalid-feedback").first).to_be_visible()
    assert not BloodCentre.objects.exists()
    phone.get_by_label("Name").fill("Hallet Blood Centre")
    phone.get_by_label("Licence number").fill("UP/BC/2024/117")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Hallet Blood Centre")
    assert fits_width(phone)

    phone.goto(f"{live_server.url}/hospitals/")
    phone.get_by_role("link", name="Add a hospital").click()
    phone.locator("#id_name").fill("LLR Thalassaemia Day Care")
    phone.locator("[name='contacts-0-name']").fill("Dr Meera Rao")
    phone.locator("[name='contacts-0-role']").fill("Blood bank officer")
    phone.locator("[name='contacts-0-phone']").fill("+9198")  # not a mobile number
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("is not a valid mobile number")).to_be_visible()
    assert not Hospital.objects.exists()
    phone.locator("[name='contacts-0-phone']").fill("098390 12345")
    screenshot(phone, "hospital-form-phone")
    assert fits_width(phone)
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("LLR Thalassaemia Day Care")
    expect(phone.get_by_text("Dr Meera Rao")).to_be_visible()
    hospital = Hospital.objects.get(name="LLR Thalassaemia Day Care")
    contact = hospital.contacts.get()
    assert (contact.name, contact.phone) == ("Dr Meera Rao", "+919839012345")

    phone.get_by_role("link", name="Edit").click()
    phone.locator("#id_address").fill("GSVM Medical College, Swaroop Nagar")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("GSVM Medical College")).to_be_visible()
    screenshot(phone, "hospital-detail-phone")
    assert fits_width(phone)
    assert phone.js_errors == []


def test_staff_edit_a_camp_remove_a_wrong_entry_and_verify_a_pledge(
    live_server, phone, screenshot, staff_a, units
):
    camp = CampFactory(unit=units.station_a, name="Kotwali camp", venue="Police Lines")
    donor = DonorFactory(unit=units.station_a, name="Wrong Person", weight_kg=Decimal("70"))
    camp_donation_record(
        camp=camp,
        donor=donor,
        actor=staff_a,
        outcome="collected",
        bag_number="KPL-0009",
        bag_volume_ml=450,
        haemoglobin_g_dl=Decimal("13.5"),
        weight_kg=Decimal("70"),
        bp_systolic=120,
        bp_diastolic=80,
    )
    pledged = DonorFactory(unit=units.station_a, name="Pledged Citizen", verified_at=None)
    Donor.objects.filter(pk=pledged.pk).update(source="pledge")

    sign_in(phone, live_server.url, "staff_a")
    phone.goto(f"{live_server.url}/camps/{camp.pk}/")
    phone.get_by_role("link", name="Edit").click()
    phone.get_by_label("Venue").fill("Kotwali thana courtyard")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Kotwali thana courtyard")).to_be_visible()
    assert fits_width(phone)

    phone.goto(f"{live_server.url}/camps/{camp.pk}/table/")
    phone.once("dialog", lambda dialog: dialog.accept())  # "Remove this entry?"
    phone.get_by_role("button", name="Remove").click()
    expect(phone.get_by_text("Entry removed.")).to_be_visible()
    assert not Donation.objects.filter(bag_number="KPL-0009").exists()
    assert fits_width(phone)

    phone.goto(f"{live_server.url}/donors/{pledged.pk}/")
    phone.get_by_role("button", name="Verify pledge").click()
    expect(phone.get_by_role("button", name="Verify pledge")).to_have_count(0)
    pledged.refresh_from_db()
    assert pledged.verified_at is not None
    screenshot(phone, "donor-verified-phone")
    assert fits_width(phone)
    assert phone.js_errors == []


def test_a_coordinator_saves_the_date_agreed_with_the_hospital(
    live_server, phone, coordinator, units
):
    today = timezone.localdate()
    patient = make_patient(
        units.station_a, name="Riya", last_transfused_on=today - datetime.timedelta(days=18)
    )
    transfusion = patient.transfusions.get(status="due")
    agreed = transfusion.due_on + datetime.timedelta(days=1)

    sign_in(phone, live_server.url, "coordinator")
    phone.goto(f"{live_server.url}/transfusions/{transfusion.pk}/match/")
    phone.get_by_label("Date agreed with the hospital").fill(agreed.isoformat())
    phone.get_by_role("button", name="Save date").click()
    expect(phone.get_by_text("Date saved.")).to_be_visible()
    transfusion.refresh_from_db()
    assert transfusion.due_on == agreed and transfusion.status == "scheduled"
    assert fits_width(phone)
    assert phone.js_errors == []
