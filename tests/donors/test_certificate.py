"""The thank-you certificate: a one-page PDF for a collected donation, in scope, audited."""

import os
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from donors.certificate import certificate_pdf, place_of
from tests.factories import BloodCentreFactory, DonationFactory, DonorFactory

PDFTOTEXT = shutil.which("pdftotext")


def url(donation):
    return reverse("donors:certificate", args=[donation.pk])


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def donation(units):
    donor = DonorFactory(unit=units.station_a, name="Sunita Devi", preferred_language="en")
    centre = BloodCentreFactory(name="LLR Hospital Blood Centre")
    return DonationFactory(donor=donor, blood_centre=centre)


def test_staff_of_the_station_get_a_one_page_pdf(client_for, staff_a, donation, tmp_path):
    response = client_for(staff_a).get(url(donation))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (f'inline; filename="certificate-{donation.pk}.pdf"')
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    assert page_count(response.content) == 1
    if PDFTOTEXT or os.environ.get("BLOODBOND_CI"):  # CI installs poppler-utils
        # Lines wrap where the layout decides: read the words, not the line breaks.
        text = " ".join(pdf_text(response.content, tmp_path).split())
        assert "Sunita Devi" in text
        assert "Certificate of Appreciation" in text
        assert "LLR Hospital Blood Centre" in text


def test_the_coordinator_and_the_admin_may_print_it(client_for, coordinator, admin_user, donation):
    assert client_for(coordinator).get(url(donation)).status_code == 200
    assert client_for(admin_user).get(url(donation)).status_code == 200


def test_another_stations_donation_is_not_found(client_for, staff_b, donation):
    assert client_for(staff_b).get(url(donation)).status_code == 404


def test_a_missing_donation_is_not_found_the_same_way(client_for, staff_b, donation):
    response = client_for(staff_b).get(reverse("donors:certificate", args=[donation.pk + 1000]))
    assert response.status_code == 404


@pytest.mark.parametrize("outcome", ["deferred", "adverse_reaction"])
def test_only_a_collected_donation_has_a_certificate(client_for, staff_a, units, outcome):
    deferred = DonationFactory(donor=DonorFactory(unit=units.station_a), outcome=outcome)
    assert client_for(staff_a).get(url(deferred)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(anon, donation):
    response = anon.get(url(donation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_printing_a_certificate_is_in_the_audit_log(client_for, staff_a, donation):
    client_for(staff_a).get(url(donation))
    event = AuditEvent.objects.get(action="export")
    assert event.actor == staff_a
    assert event.details == {"kind": "certificate"}
    assert event.object_id == str(donation.pk)
    assert event.unit == donation.donor.unit


def test_a_refused_certificate_is_not_in_the_audit_log(client_for, staff_b, donation):
    client_for(staff_b).get(url(donation))
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_devanagari_name_and_a_hindi_donor_make_a_pdf(units, tmp_path):
    donor = DonorFactory(unit=units.station_a, name="राम प्रसाद शर्मा", preferred_language="hi")
    pdf = certificate_pdf(DonationFactory(donor=donor, blood_centre=None))
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1
    assert b"NotoSansDevanagari" in pdf  # the fallback font is embedded for the name
    if PDFTOTEXT:
        assert "राम" in pdf_text(pdf, tmp_path)


def test_a_very_long_mixed_name_still_fits_one_page(units):
    name = "Shri क्षितिज Tripathi-Venkataraghavan " * 3
    donor = DonorFactory(unit=units.station_a, name=name.strip()[:120])
    pdf = certificate_pdf(DonationFactory(donor=donor))
    assert page_count(pdf) == 1


def test_a_camp_is_named_in_preference_to_the_blood_centre(units):
    from camps.models import Camp

    donation = DonationFactory(donor=DonorFactory(unit=units.station_a))
    assert place_of(donation) == str(donation.blood_centre)
    donation.camp = Camp(name="Police Lines Camp", held_on=donation.donated_on)
    assert place_of(donation).startswith("Police Lines Camp")
    assert page_count(certificate_pdf(donation)) == 1


def test_a_donation_with_no_place_still_reads_well(units):
    donation = DonationFactory(donor=DonorFactory(unit=units.station_a), blood_centre=None)
    assert place_of(donation) == ""
    assert page_count(certificate_pdf(donation)) == 1
