"""Import of a camp's donor sheet: dry run, then all rows or none, with the table's rules."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from donors.models import Deferral, Donation, Donor
from tests.factories import CampFactory, DonationFactory, DonorFactory
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

HEADER = (
    "phone,name,sex,dob,blood_group,outcome,bag_number,volume,hb,weight,reason,systolic,diastolic\n"
)


@pytest.fixture
def camp(units):
    return CampFactory(unit=units.station_a)


def sheet(*lines, name="sheet.csv"):
    return SimpleUploadedFile(name, (HEADER + "\n".join(lines) + "\n").encode(), "text/csv")


def dry_run(client, camp, upload):
    return client.post(reverse("camps:import", args=[camp.pk]), {"file": upload})


def test_import_needs_sign_in_and_scope(anon, client_for, staff_b, camp):
    url = reverse("camps:import", args=[camp.pk])
    assert anon.get(url).status_code == 302
    assert client_for(staff_b).get(url).status_code == 404


def test_a_clean_sheet_is_checked_then_recorded_in_one_go(client_for, staff_a, camp, units):
    known = DonorFactory(unit=units.station_b, phone="+919876500001", blood_group="A+")
    client = client_for(staff_a)
    response = dry_run(
        client,
        camp,
        sheet(
            "98765 00001,,,,,collected,BC-1,350,13.1,70,,120,80",
            "9876500002,Kavita Rao,F,30/08/1994,O-,collected,BC-2,450 ml,12.8,60,,120,80",
            "9876500003,Ravi,M,1990-01-01,B+,deferred,,,11.0,,,120,80",
        ),
    )
    assert response.context["report"].ok
    assert not Donation.objects.exists()
    token = response.context["token"]
    response = client.post(reverse("camps:import", args=[camp.pk]), {"token": token})
    assert response.status_code == 302
    assert Donation.objects.filter(camp=camp, outcome="collected").count() == 2
    assert known.donations.get().bag_number == "BC-1"
    ravi = Donor.objects.get(phone="+919876500003")
    assert (ravi.source, ravi.unit) == ("import", camp.unit)
    assert Deferral.objects.get(donor=ravi).category == "screening"
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, object_id=str(camp.pk)).exists()


def test_one_bad_row_and_nothing_is_recorded(client_for, staff_a, camp, units):
    recent = DonorFactory(unit=units.station_a, phone="+919876500004")
    DonationFactory(donor=recent, donated_on=camp.held_on - datetime.timedelta(days=10))
    DonationFactory(
        donor=DonorFactory(unit=units.station_a), blood_centre=camp.blood_centre, bag_number="T"
    )
    response = dry_run(
        client_for(staff_a),
        camp,
        sheet(
            "9876500002,Kavita Rao,F,30/08/1994,O-,collected,BC-2,450,12.8,60,,120,80",
            "9876500004,,,,,collected,BC-3,350,13,70,,120,80",
            "9876500005,Mohan,M,1990-01-01,B+,collected,T,350,13,70,,120,80",
            "9876500006,Asha,F,1990-01-01,B+,collected,BC-2,350,13,70,,120,80",
            "9876500007,,M,,B+,maybe,,,,,,120,80",
        ),
    )
    report = response.context["report"]
    assert not report.ok and response.context["token"] is None
    messages = {(e.row, e.field): e.message for e in report.errors}
    assert "90 days must pass" in messages[(3, "outcome")]
    assert messages[(4, "bag_number")] == "Bag T is already recorded at this blood centre."
    assert messages[(5, "bag_number")] == "The same bag number as row 2 of this file."
    assert messages[(6, "outcome")] == "Write collected or deferred."
    assert (6, "name") in messages and (6, "date_of_birth") in messages
    assert Donation.objects.filter(camp=camp).count() == 0
    assert not Donor.objects.filter(phone="+919876500002").exists()


def test_the_dry_run_runs_bounded_queries(client_for, staff_a, camp):
    client = client_for(staff_a)

    def run(n):
        lines = [
            f"98765{i:05d},Donor {i},M,1990-01-01,B+,collected,B{i},350,13,70,,120,80"
            for i in range(n)
        ]
        return count_queries(lambda: dry_run(client, camp, sheet(*lines)))

    assert run(3) == run(60)


def test_a_closed_camp_takes_no_import(client_for, staff_a, units):
    camp = CampFactory(unit=units.station_a, status="closed")
    client = client_for(staff_a)
    response = dry_run(
        client, camp, sheet("9876500002,Kavita,F,1994-08-30,O-,deferred,,,,,,120,80")
    )
    token = response.context["token"]
    response = client.post(reverse("camps:import", args=[camp.pk]), {"token": token}, follow=True)
    assert "closed" in response.content.decode()
    assert not Donation.objects.exists()


def test_a_sheet_without_the_needed_columns_says_so(client_for, staff_a, camp):
    upload = SimpleUploadedFile("s.csv", b"name,sex\nA,M\n", "text/csv")
    response = dry_run(client_for(staff_a), camp, upload)
    assert "Missing columns: phone, outcome." in response.content.decode()
