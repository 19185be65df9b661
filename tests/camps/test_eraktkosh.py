"""The e-RaktKosh CSV of a camp: one row per donation with the columns docs/eraktkosh.md
names, for the roles and scope of the camp report, audited, phones as lists show them, and
read in a bounded number of queries however many donors came."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from camps import eraktkosh
from camps.models import BloodCentre
from tests.factories import (
    BloodCentreFactory,
    CampFactory,
    DeferralFactory,
    DonationFactory,
    DonorFactory,
)

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 23)


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


@pytest.fixture
def camp(units):
    centre = BloodCentreFactory(
        name="LLR Blood Centre", licence_number="UP/BC/77", eraktkosh_id="BC-4411"
    )
    return CampFactory(
        unit=units.station_a,
        blood_centre=centre,
        name="Kotwali camp",
        held_on=DAY,
        venue="Police Lines, Kanpur",
        eraktkosh_id="CMP-9",
    )


def test_the_csv_has_a_row_per_donation_with_the_documented_columns(
    client_for, staff_a, units, camp
):
    sunita = DonorFactory(
        unit=units.station_a,
        name="Sunita Devi",
        sex="F",
        date_of_birth=date(1990, 5, 17),
        blood_group="B+",
        phone="+919839012345",
        eraktkosh_id="D-1",
    )
    DonationFactory(
        donor=sunita, camp=camp, blood_centre=camp.blood_centre, donated_on=DAY, bag_number="KPL-1"
    )
    kavita = DonorFactory(unit=units.station_a2, name="Kavita", phone="+919839054321")
    DeferralFactory(donor=kavita, category="malaria", starts_on=DAY, until=date(2027, 2, 23))
    DonationFactory(
        donor=kavita,
        camp=camp,
        blood_centre=camp.blood_centre,
        donated_on=DAY,
        outcome="deferred",
        bag_number="",
        bag_volume_ml=None,
        haemoglobin_g_dl=None,
        weight_kg=None,
        bp_systolic=None,
        bp_diastolic=None,
    )
    response = client_for(staff_a).get(reverse("camps:eraktkosh", args=[camp.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "eraktkosh" in response["Content-Disposition"]
    rows = read_csv(response)
    assert list(rows[0]) == eraktkosh.HEADERS
    assert len(rows) == 2
    collected, deferred = rows
    assert collected["blood_centre_eraktkosh_id"] == "BC-4411"
    assert collected["blood_centre_licence_number"] == "UP/BC/77"
    assert collected["camp_eraktkosh_id"] == "CMP-9"
    assert collected["camp_ref"] == str(camp.pk)
    assert collected["camp_date"] == "2026-11-23"
    assert collected["camp_venue"] == "Police Lines, Kanpur"
    assert collected["donor_eraktkosh_id"] == "D-1"
    assert collected["donor_name"] == "Sunita Devi"
    assert collected["sex"] == "F"
    assert collected["date_of_birth"] == "1990-05-17"
    assert collected["age"] == "36"
    assert collected["blood_group"] == "B+"
    # staff_a's own unit: the whole number, as the 10 digits e-RaktKosh's forms ask.
    assert collected["mobile"] == "9839012345"
    assert collected["donation_date"] == "2026-11-23"
    assert collected["outcome"] == "collected"
    assert collected["deferral_reason"] == ""
    assert collected["bag_number"] == "KPL-1"
    assert collected["bag_volume_ml"] == "350"
    assert deferred["outcome"] == "deferred"
    assert deferred["deferral_reason"] == "malaria"
    assert deferred["bag_number"] == "" and deferred["bag_volume_ml"] == ""
    # A visitor from the unit below: masked for staff, as the donor lists show it.
    assert "9839054321" not in deferred["mobile"] and deferred["mobile"].endswith("4321")


def test_coordinators_see_every_phone_and_cells_are_formula_neutralised(
    client_for, coordinator, units, camp
):
    donor = DonorFactory(unit=units.station_a2, name="=HYPERLINK(1)", phone="+919839054321")
    DonationFactory(donor=donor, camp=camp, blood_centre=camp.blood_centre, donated_on=DAY)
    [row] = read_csv(client_for(coordinator).get(reverse("camps:eraktkosh", args=[camp.pk])))
    assert row["mobile"] == "9839054321"
    assert row["donor_name"] == "'=HYPERLINK(1)"


def test_another_forces_camp_is_404_and_anonymous_goes_to_login(client_for, staff_b, anon, camp):
    url = reverse("camps:eraktkosh", args=[camp.pk])
    assert client_for(staff_b).get(url).status_code == 404
    response = anon.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_download_is_in_the_audit_log(client_for, staff_a, units, camp):
    DonationFactory(donor=DonorFactory(unit=units.station_a), camp=camp, donated_on=DAY)
    read_csv(client_for(staff_a).get(reverse("camps:eraktkosh", args=[camp.pk])))
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_id=str(camp.pk))
    assert event.details["what"] == "camp e-RaktKosh export"
    assert event.details["rows"] == 1


def test_the_camp_page_links_the_download(client_for, staff_a, camp):
    response = client_for(staff_a).get(reverse("camps:detail", args=[camp.pk]))
    assert reverse("camps:eraktkosh", args=[camp.pk]) in response.content.decode()


def test_many_donations_are_read_in_bounded_queries(
    client_for, staff_a, units, camp, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            donor = DonorFactory(unit=units.station_a)
            DeferralFactory(donor=donor, category="tattoo", starts_on=DAY, until=date(2027, 5, 1))
            DonationFactory(
                donor=donor,
                camp=camp,
                blood_centre=camp.blood_centre,
                donated_on=DAY,
                outcome="deferred",
                bag_number="",
                bag_volume_ml=None,
            )

    client = client_for(staff_a)
    url = reverse("camps:eraktkosh", args=[camp.pk])
    add(2)
    with django_assert_max_num_queries(12) as few:
        assert len(read_csv(client.get(url))) == 2
    add(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = read_csv(client.get(url))
    assert len(rows) == 32 and {row["deferral_reason"] for row in rows} == {"tattoo"}


def test_the_blood_centre_form_and_the_api_keep_the_eraktkosh_id(
    client_for, api_client_for, admin_user
):
    response = client_for(admin_user).post(
        reverse("camps:centre-create"),
        {"name": "Hallet", "licence_number": "UP/BC/5", "eraktkosh_id": "BC-55"},
    )
    assert response.status_code == 302
    centre = BloodCentre.objects.get(licence_number="UP/BC/5")
    assert centre.eraktkosh_id == "BC-55"
    page = client_for(admin_user).get(reverse("camps:centre-detail", args=[centre.pk]))
    assert "BC-55" in page.content.decode()
    api = api_client_for(admin_user)
    assert api.get(f"/api/v1/blood-centres/{centre.pk}/").json()["eraktkosh_id"] == "BC-55"
    response = api.patch(
        f"/api/v1/blood-centres/{centre.pk}/", {"eraktkosh_id": "BC-56"}, format="json"
    )
    assert response.status_code == 200 and response.json()["eraktkosh_id"] == "BC-56"
    centre.refresh_from_db()
    assert centre.eraktkosh_id == "BC-56"


def test_an_eraktkosh_id_in_use_is_the_same_field_error_on_the_page_and_the_api(
    client_for, api_client_for, admin_user
):
    BloodCentreFactory(eraktkosh_id="BC-1")
    BloodCentreFactory(eraktkosh_id="")
    post = {"name": "Y", "licence_number": "UP/BC/9", "eraktkosh_id": "BC-1"}
    response = client_for(admin_user).post(reverse("camps:centre-create"), post)
    page_errors = response.context["form"].errors["eraktkosh_id"]
    assert page_errors == ["Another blood centre has this e-RaktKosh id."]
    response = api_client_for(admin_user).post("/api/v1/blood-centres/", post)
    assert response.status_code == 400
    assert response.json()["eraktkosh_id"] == page_errors
    # Many centres without an id are fine.
    response = api_client_for(admin_user).post(
        "/api/v1/blood-centres/", {**post, "eraktkosh_id": ""}
    )
    assert response.status_code == 201
    assert BloodCentre.objects.filter(eraktkosh_id="").count() == 2
