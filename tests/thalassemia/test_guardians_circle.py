"""A coordinator corrects and removes a child's guardians, and reorders or removes donors of
the child's circle, from the child's page: scoped, audit-logged, the last guardian kept."""

import datetime
from datetime import date

import pytest
import time_machine

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from tests.factories import DonorFactory, make_patient
from thalassemia.booking import circle_add
from thalassemia.models import DonorCircle, Guardian

pytestmark = [pytest.mark.django_db]

MEENA = {"name": "Meena", "relation": "mother", "phone": "9812345678"}
RAJU = {"name": "Raju", "relation": "father", "phone": "9812345679", "preferred_language": "hi"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)):
        yield


def child(units, guardians=(MEENA,)):
    return make_patient(
        units.station_a, last_transfused_on=date(2026, 11, 10), guardians=list(guardians)
    )


def edit_data(**changes):
    data = {
        "name": "Meena",
        "relation": "mother",
        "phone": "9812345678",
        "preferred_language": "hi",
    }
    return data | changes


def test_guardian_pages_permission_triad(units, anon, client_for, staff_a, staff_b, coordinator):
    guardian = child(units, [MEENA, RAJU]).guardians.first()
    url = f"/guardians/{guardian.pk}/edit/"
    assert anon.get(url).status_code == 302
    assert client_for(staff_b).get(url).status_code == 404
    assert client_for(staff_a).get(url).status_code == 200
    page = client_for(coordinator).get(url)
    assert page.status_code == 200 and b"Edit a guardian" in page.content
    remove = f"/guardians/{guardian.pk}/remove/"
    assert anon.post(remove).status_code == 302
    assert client_for(staff_b).post(remove).status_code == 404
    assert client_for(coordinator).get(remove).status_code == 405
    assert Guardian.objects.filter(pk=guardian.pk).exists()
    assert client_for(staff_a).get("/guardians/999999/edit/").status_code == 404


def test_correct_a_guardians_phone_and_language(units, client_for, coordinator):
    patient = child(units)
    guardian = patient.guardians.get()
    response = client_for(coordinator).post(
        f"/guardians/{guardian.pk}/edit/",
        edit_data(phone="098390 12345", relation="grandparent", preferred_language="en"),
    )
    assert response.status_code == 302 and response.url == f"/children/{patient.pk}/"
    guardian.refresh_from_db()
    assert guardian.phone == "+919839012345"
    assert (guardian.relation, guardian.preferred_language) == ("grandparent", "en")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(guardian.pk))
    assert event.actor == coordinator and event.unit == units.station_a
    assert sorted(event.details["fields"]) == ["phone", "preferred_language", "relation"]
    assert "9839012345" not in str(event.details)


def test_a_bad_phone_is_a_field_error_and_changes_nothing(units, client_for, coordinator):
    guardian = child(units).guardians.get()
    response = client_for(coordinator).post(
        f"/guardians/{guardian.pk}/edit/", edit_data(phone="12345", name="Changed")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    guardian.refresh_from_db()
    assert (guardian.phone, guardian.name) == ("+919812345678", "Meena")
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_saving_unchanged_guardian_logs_nothing(units, client_for, coordinator):
    guardian = child(units).guardians.get()
    client_for(coordinator).post(f"/guardians/{guardian.pk}/edit/", edit_data())
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_remove_a_guardian_but_never_the_last(units, client_for, coordinator):
    patient = child(units, [MEENA, RAJU])
    meena, raju = patient.guardians.order_by("id")
    client = client_for(coordinator)
    response = client.post(f"/guardians/{meena.pk}/remove/", follow=True)
    assert b"Guardian removed." in response.content
    assert list(patient.guardians.all()) == [raju]
    assert AuditEvent.objects.filter(
        action=AuditAction.DELETE, object_id=str(meena.pk), actor=coordinator
    ).exists()
    response = client.post(f"/guardians/{raju.pk}/remove/", follow=True)
    assert b"A child must keep at least one guardian" in response.content
    assert list(patient.guardians.all()) == [raju]
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 1


def test_adding_a_guardian_is_audit_logged(units, client_for, coordinator):
    patient = child(units)
    client_for(coordinator).post(f"/children/{patient.pk}/guardians/new/", RAJU)
    added = patient.guardians.get(name="Raju")
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(added.pk), unit=units.station_a
    ).exists()


def circle_of(units, n=3):
    patient = child(units)
    members = [
        circle_add(
            patient=patient,
            donor=DonorFactory(unit=units.station_a, blood_group="B+", name=f"Donor {i}"),
        )
        for i in range(n)
    ]
    return patient, members


def names(patient):
    return [m.donor.name for m in DonorCircle.objects.filter(patient=patient).order_by("order")]


def test_circle_permission_triad(units, anon, client_for, staff_b, staff_a):
    patient, (first, *_rest) = circle_of(units, 2)
    url = f"/children/circle/{first.pk}/"
    assert anon.post(url, {"remove": "1"}).status_code == 302
    assert client_for(staff_b).post(url, {"remove": "1"}).status_code == 404
    assert client_for(staff_a).get(url).status_code == 405
    assert DonorCircle.objects.filter(pk=first.pk).exists()
    assert client_for(staff_a).post(url, {"move": "down"}).status_code == 302
    assert names(patient) == ["Donor 1", "Donor 0"]


def test_the_child_page_shows_the_circle_in_order_and_reorders_it(units, client_for, coordinator):
    patient, (d0, d1, d2) = circle_of(units)
    client = client_for(coordinator)
    client.post(f"/children/circle/{d2.pk}/", {"move": "up"})
    assert names(patient) == ["Donor 0", "Donor 2", "Donor 1"]
    client.post(f"/children/circle/{d0.pk}/", {"move": "up"})  # already first: no change
    assert names(patient) == ["Donor 0", "Donor 2", "Donor 1"]
    page = client.get(f"/children/{patient.pk}/").content.decode()
    assert page.index("Donor 0") < page.index("Donor 2") < page.index("Donor 1")
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(d2.pk), details__fields=["order"]
    ).exists()


def test_remove_a_donor_from_the_circle(units, client_for, coordinator):
    patient, (d0, d1, _d2) = circle_of(units)
    response = client_for(coordinator).post(
        f"/children/circle/{d1.pk}/", {"remove": "1"}, follow=True
    )
    assert b"left the child&#x27;s donor circle" in response.content
    assert names(patient) == ["Donor 0", "Donor 2"]
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_id=str(d1.pk)).exists()
    # The donor stays a donor; only the membership went.
    assert d1.donor.__class__.objects.filter(pk=d1.donor_id).exists()


def test_circle_bad_action_changes_nothing(units, client_for, coordinator):
    patient, (d0, _d1, _d2) = circle_of(units)
    response = client_for(coordinator).post(f"/children/circle/{d0.pk}/", {"move": "sideways"})
    assert response.status_code == 302
    assert names(patient) == ["Donor 0", "Donor 1", "Donor 2"]
    assert (
        client_for(coordinator).post("/children/circle/999999/", {"remove": "1"}).status_code == 404
    )
