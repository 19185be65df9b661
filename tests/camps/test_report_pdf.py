"""The camp report PDF reads as a document for the licensing authority: dates as people
write them, column titles in words, outcomes by their names, dashes for what is not
recorded, and lines for the medical officer's and the organiser's signatures."""

import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import CampFactory, DonationFactory, DonorFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils"),
]


def test_the_pdf_report_reads_like_a_document(client_for, staff_a, units, tmp_path):
    camp = CampFactory(unit=units.station_a, name="Kotwali camp", held_on=date(2026, 11, 23))
    DonationFactory(
        donor=DonorFactory(unit=units.station_a, name="Sunita Devi", sex="F"),
        camp=camp,
        blood_centre=camp.blood_centre,
        donated_on=camp.held_on,
        bag_number="KPL-0001",
        haemoglobin_g_dl=Decimal("12.9"),
    )
    DonationFactory(
        donor=DonorFactory(unit=units.station_a, name="Kavita Mishra", sex="F"),
        camp=camp,
        blood_centre=camp.blood_centre,
        donated_on=camp.held_on,
        outcome="deferred",
        bag_number="",
        bag_volume_ml=None,
    )
    response = client_for(staff_a).get(reverse("camps:report", args=[camp.pk]), {"format": "pdf"})
    assert response.status_code == 200
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Monday 23 November 2026" in text and "2026-11-23" not in text
    assert "Bag number" in text and "bag_number" not in text and "haemo" not in text
    assert "Deferred at" in text and "Collected" in text
    assert not re.search(r"\bcollected\s+KPL-0001", text)
    hours = next(line for line in text.splitlines() if "Hours" in line)
    assert "—" in hours
    assert "Medical officer, blood centre" in text and "Camp organiser" in text


def test_the_csv_keeps_machine_values(client_for, staff_a, units):
    camp = CampFactory(unit=units.station_a, held_on=date(2026, 11, 23))
    DonationFactory(
        donor=DonorFactory(unit=units.station_a), camp=camp, blood_centre=camp.blood_centre
    )
    response = client_for(staff_a).get(reverse("camps:report", args=[camp.pk]), {"format": "csv"})
    body = response.content.decode()
    assert "2026-11-23" in body and "bag_number" in body and ",collected," in body
