"""A donation's consequences reach the children: whatever path records a donation or a
deferral (the camp table, the camp sheet import, the API, the donor page), the donor's live
bookings it makes impossible are released, audited, and the child's coordinator is told;
the child's page, the due-soon board and the call desk show the gap at once."""

import json
import uuid
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from camps import spreadsheets as camp_sheets
from donors.hooks import commitments_for, unavailable_until
from donors.models import Deferral, Donation
from donors.services import deferral_create
from notifications.models import Message
from tests.factories import BloodCentreFactory, CampFactory
from thalassemia.models import Assignment
from thalassemia.reminders import coordinators_tell_released

from .consequences import BOOKED_ON, CAMP_DAY, booked_donor, noon, screening_values

pytestmark = pytest.mark.django_db


def released_messages():
    return Message.objects.filter(topic="assignment_released")


def assert_released_and_told(story, coordinator, *, cause_text):
    story.booked.refresh_from_db()
    story.later.refresh_from_db()
    assert story.booked.status == "released"
    assert story.later.status == "asked"  # outside the window: still the donor's
    event = AuditEvent.objects.get(
        content_type=ContentType.objects.get_for_model(Assignment),
        object_id=str(story.booked.pk),
        details__status_to="released",
    )
    assert event.details["status_from"] == "confirmed"
    message = released_messages().get()
    assert message.recipient_key == f"user:{coordinator.pk}"
    assert message.channel == "email" and message.email == coordinator.email
    assert message.subject_key == f"assignment:{story.booked.pk}"
    assert (
        "Ravi Kumar can no longer give for Asha Verma's transfusion on 03 Dec 2026 "
        f"({cause_text}): find another donor"
    ) in message.body
    # The same news again (a repeated event, a retried task) writes nothing more.
    assert coordinators_tell_released(story.booked, cause="donation", on=CAMP_DAY) == 0
    assert released_messages().count() == 1


def sheet_with(row: dict) -> SimpleUploadedFile:
    """A camp donor sheet with the columns this importer knows (blood pressure where it
    takes it), filled from ``row``."""
    known = {*camp_sheets.REQUIRED_COLUMNS, *camp_sheets.OPTIONAL_COLUMNS}
    row = dict(row)
    for column in sorted(known):
        if "systolic" in column:
            row[column] = "120"
        elif "diastolic" in column:
            row[column] = "80"
        elif column in ("bp", "blood_pressure"):
            row[column] = "120/80"
    text = ",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n"
    return SimpleUploadedFile("sheet.csv", text.encode(), "text/csv")


def test_a_donation_at_the_camp_table_releases_the_booking_and_tells_the_coordinator(
    units, staff_a, coordinator, client_for
):
    with noon():
        story = booked_donor(units)
        camp = CampFactory(unit=units.station_a, held_on=CAMP_DAY)
        response = client_for(staff_a, htmx=True).post(
            reverse("camps:table-record", args=[camp.pk]),
            {
                "phone": story.donor.phone,
                "outcome": "collected",
                "bag_number": "KNP-501",
                "bag_volume_ml": "350",
                "record_anyway": "on",
                **screening_values(),
            },
        )
    assert response.status_code == 200
    assert Donation.objects.filter(donor=story.donor, camp=camp).exists()
    assert_released_and_told(story, coordinator, cause_text="donated on 30 Nov 2026")


def test_a_donation_synced_from_the_offline_table_releases_the_booking(
    units, staff_a, coordinator, client_for
):
    """The offline queue's entry goes through the same service as the table's post."""
    with noon():
        story = booked_donor(units)
        camp = CampFactory(unit=units.station_a, held_on=CAMP_DAY)
        fields = {
            "phone": story.donor.phone,
            "outcome": "collected",
            "bag_number": "KNP-502",
            "bag_volume_ml": "350",
            "record_anyway": "on",
            **{name: str(value) for name, value in screening_values().items()},
        }
        body = {"client_id": str(uuid.uuid4()), "kind": "record", "fields": fields}
        response = client_for(staff_a).post(
            reverse("camps:table-sync", args=[camp.pk]), json.dumps(body), "application/json"
        )
    assert response.json()["state"] == "saved", response.json()
    assert Donation.objects.filter(donor=story.donor, camp=camp).exists()
    assert_released_and_told(story, coordinator, cause_text="donated on 30 Nov 2026")


def test_a_donation_in_the_camp_sheet_import_releases_the_booking(
    units, staff_a, coordinator, client_for
):
    with noon():
        story = booked_donor(units)
        camp = CampFactory(unit=units.station_a, held_on=CAMP_DAY)
        client = client_for(staff_a)
        url = reverse("camps:import", args=[camp.pk])
        upload = sheet_with(
            {
                "phone": story.donor.phone,
                "outcome": "collected",
                "bag_number": "KNP-601",
                "bag_ml": "350",
                "haemoglobin": "13.5",
                "weight_kg": "65",
            }
        )
        dry = client.post(url, {"file": upload})
        assert dry.context["report"].ok, dry.context["report"]
        story.booked.refresh_from_db()
        assert story.booked.status == "confirmed"  # the dry run changed nothing
        assert not released_messages().exists()
        client.post(url, {"token": dry.context["token"]})
    assert Donation.objects.filter(donor=story.donor, camp=camp).exists()
    assert_released_and_told(story, coordinator, cause_text="donated on 30 Nov 2026")


def test_a_donation_through_the_api_releases_the_booking(
    units, staff_a, coordinator, api_client_for
):
    with noon():
        story = booked_donor(units)
        response = api_client_for(staff_a).post(
            "/api/v1/donations/",
            {
                "donor": story.donor.pk,
                "donated_on": CAMP_DAY.isoformat(),
                "blood_centre": BloodCentreFactory().pk,
                "kind": "whole_blood",
                "outcome": "collected",
                "bag_volume_ml": 350,
                "bag_number": "KNP-701",
                "haemoglobin_g_dl": "13.5",
                "weight_kg": "65",
                "bp_systolic": 120,
                "bp_diastolic": 80,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
    assert_released_and_told(story, coordinator, cause_text="donated on 30 Nov 2026")


def test_a_deferral_on_the_donor_page_releases_the_booking(units, staff_a, coordinator, client_for):
    with noon():
        story = booked_donor(units)
        response = client_for(staff_a).post(
            reverse("donors:defer", args=[story.donor.pk]),
            {"category": "malaria", "starts_on": CAMP_DAY.isoformat()},
        )
    assert response.status_code == 302
    assert_released_and_told(story, coordinator, cause_text="deferred on 30 Nov 2026")


def test_a_deferral_through_the_api_releases_the_booking(
    units, staff_a, coordinator, api_client_for
):
    with noon():
        story = booked_donor(units)
        response = api_client_for(staff_a).post(
            "/api/v1/deferrals/",
            {"donor": story.donor.pk, "category": "malaria", "starts_on": CAMP_DAY.isoformat()},
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert_released_and_told(story, coordinator, cause_text="deferred on 30 Nov 2026")


def test_a_deferred_screening_at_the_camp_table_releases_the_booking_without_the_tick(
    units, staff_a, coordinator, client_for
):
    with noon():
        story = booked_donor(units)
        camp = CampFactory(unit=units.station_a, held_on=CAMP_DAY)
        client_for(staff_a).post(
            reverse("camps:table-record", args=[camp.pk]),
            {"phone": story.donor.phone, "outcome": "deferred", "deferral_category": "screening"},
        )
    assert Deferral.objects.filter(donor=story.donor).exists()
    assert_released_and_told(story, coordinator, cause_text="deferred on 30 Nov 2026")


def test_a_permanent_deferral_releases_every_later_booking_and_a_second_one_tells_no_more(
    units, coordinator
):
    with noon():
        story = booked_donor(units)
        deferral_create(donor=story.donor, category="permanent", starts_on=CAMP_DAY)
        deferral_create(donor=story.donor, category="malaria", starts_on=CAMP_DAY)
    statuses = set(Assignment.objects.filter(donor=story.donor).values_list("status", flat=True))
    assert statuses == {"released"}
    assert released_messages().count() == 2  # one per booking, none for the second deferral


def test_a_booking_before_the_window_or_given_on_its_own_day_at_a_blood_centre_stays(units):
    """Blood given at a blood centre on the day booked may be the booked donation itself:
    the coordinator marks it donated; nothing is released."""
    from donors.donations import donation_record

    with noon():
        story = booked_donor(units)
    with noon(BOOKED_ON):
        donation_record(
            donor=story.donor,
            donated_on=BOOKED_ON,
            blood_centre=BloodCentreFactory(),
            outcome="collected",
            bag_number="BC-9",
            bag_volume_ml=350,
            haemoglobin_g_dl=Decimal("13.5"),
            weight_kg=Decimal("65"),
            bp_systolic=120,
            bp_diastolic=80,
        )
    story.booked.refresh_from_db()
    assert story.booked.status == "confirmed"
    assert not released_messages().exists()


def test_the_gap_shows_at_once_on_the_childs_page_the_board_and_the_call_desk(
    units, coordinator, client_for
):
    client = client_for(coordinator)
    with noon():
        story = booked_donor(units)
        child_url = reverse("thalassemia:detail", args=[story.child.pk])
        assert "1 of 1 confirmed" in client.get(child_url).content.decode()
        assert "1 of 1 confirmed" in client.get(reverse("thalassemia:due-soon")).content.decode()
        assert "Sunita Verma" not in client.get(reverse("calldesk:list")).content.decode()

        deferral_create(donor=story.donor, category="malaria", starts_on=CAMP_DAY)

        page = client.get(child_url).content.decode()
        assert "0 of 1 confirmed" in page and "Released" in page
        assert "can no longer give: find another donor" in page
        assert "0 of 1 confirmed" in client.get(reverse("thalassemia:due-soon")).content.decode()
        calls = client.get(reverse("calldesk:list")).content.decode()
        assert "Sunita Verma" in calls and "0 of 1 donors confirmed" in calls


def test_the_commitments_hook_answers_for_the_donors_room(units):
    with noon():
        story = booked_donor(units)
        found = commitments_for(story.donor, CAMP_DAY, unavailable_until(story.donor, CAMP_DAY))
    assert [(c.whom, c.on, c.ref) for c in found] == [
        ("Asha", BOOKED_ON, f"assignment:{story.booked.pk}")
    ]


def test_the_camp_table_warns_of_the_booking_and_records_only_with_the_tick(
    units, staff_a, client_for
):
    with noon():
        story = booked_donor(units)
        camp = CampFactory(unit=units.station_a, held_on=CAMP_DAY)
        client = client_for(staff_a, htmx=True)
        card = client.get(
            reverse("camps:table-lookup", args=[camp.pk]), {"phone": story.donor.phone}
        ).content.decode()
        warning = (
            "Booked to give for Asha on 3 Dec: recording a donation now releases that booking."
        )
        assert warning in card
        assert "Verma" not in card  # staff keep no children's records: the first name only
        assert "Record anyway" in card
        view = AuditEvent.objects.filter(action="view").latest("at")
        assert view.details["bookings"] == [f"assignment:{story.booked.pk}"]

        record = {
            "phone": story.donor.phone,
            "outcome": "collected",
            "bag_number": "KNP-801",
            "bag_volume_ml": "350",
            **screening_values(),
        }
        url = reverse("camps:table-record", args=[camp.pk])
        refused = client.post(url, record).content.decode()
        assert warning in refused and 'data-testid="record-anyway-error"' in refused
        assert not Donation.objects.exists()
        story.booked.refresh_from_db()
        assert story.booked.status == "confirmed"

        recorded = client.post(url, {**record, "record_anyway": "on"}).content.decode()
    assert "collected, bag KNP-801" in recorded
    story.booked.refresh_from_db()
    assert story.booked.status == "released"


def test_an_unbooked_donor_is_recorded_without_any_tick(units, staff_a, client_for):
    with noon():
        story = booked_donor(units)
        Assignment.objects.filter(donor=story.donor).update(status="declined")
        camp = CampFactory(unit=units.station_a, held_on=CAMP_DAY)
        client = client_for(staff_a)
        card = client.get(
            reverse("camps:table-lookup", args=[camp.pk]), {"phone": story.donor.phone}
        ).content.decode()
        assert "Booked to give" not in card and "Record anyway" not in card
        client.post(
            reverse("camps:table-record", args=[camp.pk]),
            {
                "phone": story.donor.phone,
                "outcome": "collected",
                "bag_number": "KNP-802",
                "bag_volume_ml": "350",
                **screening_values(),
            },
        )
    assert Donation.objects.filter(donor=story.donor, bag_number="KNP-802").exists()
