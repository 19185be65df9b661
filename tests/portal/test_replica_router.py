"""The read replica (issue 17), with two real PostgreSQL databases: the test database as the
primary and a second one, cloned from it, as the replica. Rows put in one only tell which
database a page read: the dashboard, its APIs and the exports read the replica; the
donor list, a donor's registration and everything else the primary.

(Without DATABASE_REPLICA_URL everything reads the primary: test_replica_absent.py.)"""

import csv
import io
from datetime import date

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent, PoliceUnit
from donors.models import Donor
from donors.tasks import export_donor_sheet
from donors.views.spreadsheets import EXPORT_JOB
from portal import jobs, uploads
from portal.dbrouter import REPLICA
from tests.factories import CampFactory, DonationFactory, DonorFactory
from thalassemia.models import Patient

pytestmark = pytest.mark.django_db(databases=["default", REPLICA])

PAGE, EXPORT = "/dashboard/", "/dashboard/export/"
TOTALS, FORECAST = "/api/v1/dashboard/totals/", "/api/v1/dashboard/forecast/"


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker):
    """A second real database, cloned from the test database (schema and migrated rows),
    added as the ``replica`` alias for this module's tests only."""
    default = connections["default"]
    if default.vendor != "postgresql":
        pytest.skip("two real databases need PostgreSQL (CI runs these tests on it)")
    with django_db_blocker.unblock():
        connections.close_all()  # CREATE DATABASE ... TEMPLATE wants the source idle
        default.creation.clone_test_db(suffix=REPLICA, verbosity=0, keepdb=False)
        alias = default.creation.get_test_db_clone_settings(REPLICA)
        settings.DATABASES[REPLICA] = alias
        assert connections.settings[REPLICA] is alias  # the router reads settings
        try:
            yield REPLICA
        finally:
            connections[REPLICA].close()
            del connections[REPLICA]
            del settings.DATABASES[REPLICA]
            default.creation._destroy_test_db(alias["NAME"], verbosity=0)


@pytest.fixture
def replica_units(replica, units):
    """The unit tree on the replica too (a real replica holds every row of the primary;
    the donors and children below exist on one side only)."""
    for unit in PoliceUnit.objects.order_by("path"):
        unit.save(using=REPLICA, force_insert=True)
    return units


def replica_child(units):
    return Patient.objects.using(REPLICA).create(
        name="Replica child",
        date_of_birth=date(2018, 3, 1),
        sex="F",
        blood_group="B+",
        unit=units.station_a,
    )


def replica_donor(units, name="Replica only donor"):
    donor = DonorFactory.build(unit=units.station_a, name=name)
    donor.save(using=REPLICA)
    return donor


def csv_values(content: bytes) -> dict:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    return {row[0]: row[1] for row in rows if len(row) > 1 and row[0]}


def names_in(content: bytes) -> set[str]:
    return {row["name"] for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))}


def test_the_dashboard_page_api_and_export_read_the_replica(
    replica_units, admin_user, client_for, api_client_for
):
    replica_child(replica_units)
    page = client_for(admin_user).get(PAGE)
    assert page.status_code == 200
    assert page.context["totals"]["children_active"] == 1
    api = api_client_for(admin_user).get(f"{TOTALS}?by=unit")
    assert api.status_code == 200 and api.json()["totals"]["children_active"] == 1
    exported = client_for(admin_user).get(f"{EXPORT}?format=csv")
    assert exported.status_code == 200
    assert int(csv_values(exported.content)["Children active"]) == 1
    # The primary has no such child: the same count read there is 0.
    assert not Patient.objects.using("default").exists()


def test_the_forecast_api_reads_the_replica(replica_units, admin_user, api_client_for):
    api = api_client_for(admin_user)
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = api.get(f"{FORECAST}?days=30")
    assert response.status_code == 200
    assert on_replica.captured_queries
    read_on_primary = [q["sql"] for q in on_primary.captured_queries if "thalassemia" in q["sql"]]
    assert read_on_primary == []


def test_the_donor_export_streams_from_the_replica(replica_units, admin_user, client_for):
    replica_donor(replica_units)
    DonorFactory(unit=replica_units.station_a, name="Primary only donor")
    client = client_for(admin_user)

    exported = client.get("/donors/export/?format=csv")
    assert exported.status_code == 200
    assert names_in(b"".join(exported.streaming_content)) == {"Replica only donor"}

    # The list page is not in the replica's scope: it reads the primary.
    listed = client.get(reverse("donors:list"))
    assert listed.status_code == 200
    assert "Primary only donor" in listed.content.decode()
    assert "Replica only donor" not in listed.content.decode()


def test_a_worker_export_reads_the_replica(replica_units, admin_user):
    replica_donor(replica_units, name="Replica worker row")
    DonorFactory(unit=replica_units.station_a, name="Primary worker row")
    job_id = jobs.job_start(
        user=admin_user, kind=EXPORT_JOB, mode="export", format="csv", query="", total=1
    )
    export_donor_sheet(job_id)  # what the worker runs, here in the test's process
    record = jobs.job_get(job_id)
    assert record["state"] == jobs.DONE
    kept = uploads.open_export(record["path"])
    try:
        assert names_in(b"".join(kept)) == {"Replica worker row"}
    finally:
        kept.close()


def test_a_registration_writes_the_primary_and_reads_back_from_it(
    replica_units, staff_a, client_for
):
    client = client_for(staff_a)
    response = client.post(
        reverse("donors:create"),
        {
            "name": "Ravi Kumar",
            "phone": "98765 11111",
            "sex": "M",
            "date_of_birth": "1992-04-10",
            "unit": replica_units.station_a.pk,
            "preferred_language": "hi",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    donor = Donor.objects.using("default").get(name="Ravi Kumar")
    assert not Donor.objects.using(REPLICA).filter(name="Ravi Kumar").exists()
    # The page it sends the user to reads the primary: the new donor is there at once.
    shown = client.get(response.url)
    assert shown.status_code == 200 and "Ravi Kumar" in shown.content.decode()
    assert response.url == reverse("donors:detail", args=[donor.pk])


def test_reads_outside_the_scope_and_every_write_use_the_primary(replica_units, staff_a):
    replica_donor(replica_units, name="Only on the replica")
    assert not Donor.objects.filter(name="Only on the replica").exists()
    donor = DonorFactory(unit=replica_units.station_a, name="Written")
    assert donor._state.db == "default"
    assert Donor.objects.using("default").filter(pk=donor.pk).exists()
    assert settings.DATABASES[REPLICA]["NAME"] != settings.DATABASES["default"]["NAME"]


def test_the_camp_report_reads_the_replica(replica_units, admin_user, client_for):
    camp = CampFactory(unit=replica_units.station_a, name="Camp on the primary")
    camp.blood_centre.save(using=REPLICA, force_insert=True)
    camp.name = "Camp as the replica has it"
    camp.save(using=REPLICA, force_insert=True)
    response = client_for(admin_user).get(f"/camps/{camp.pk}/report/?format=csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Camp as the replica has it" in text and "Camp on the primary" not in text
    # The audit event of the download is written to the primary.
    event = AuditEvent.objects.using("default").get(details__what="camp report")
    assert event.object_id == str(camp.pk)


def test_the_eraktkosh_export_reads_the_replica(replica_units, admin_user, client_for):
    camp = CampFactory(unit=replica_units.station_a, name="Camp on the primary")
    camp.blood_centre.save(using=REPLICA, force_insert=True)
    camp.name = "Camp as the replica has it"
    camp.save(using=REPLICA, force_insert=True)
    donor = replica_donor(replica_units, name="Replica camp donor")
    DonationFactory.build(
        donor=donor, camp=camp, blood_centre=camp.blood_centre, donated_on=camp.held_on
    ).save(using=REPLICA)
    response = client_for(admin_user).get(f"/camps/{camp.pk}/eraktkosh.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Camp as the replica has it" in text and "Camp on the primary" not in text
    assert "Replica camp donor" in text
    event = AuditEvent.objects.using("default").get(details__what="camp e-RaktKosh export")
    assert event.object_id == str(camp.pk)
