"""The thalassaemia services write and audit; the pages and the API only call them. For each
write: it happens once, its audit row names the actor, and a page and the API that send the
same bad input get the same message on the same field, with nothing saved or audited."""

import datetime
from datetime import date

import pytest
import time_machine

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from tests.factories import DonorFactory, make_patient
from thalassemia import booking, calendar, children, guardians, transfusions
from thalassemia.models import Assignment, DonorCircle, Patient, TransfusionPlan

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)):
        yield


def audits(obj, action=None):
    rows = AuditEvent.objects.filter(
        content_type__model=obj._meta.model_name, object_id=str(obj.pk)
    )
    return rows.filter(action=action) if action else rows


def child(units, **fields):
    fields.setdefault("last_transfused_on", date(2026, 11, 10))
    return make_patient(units.station_a, **fields)


def writes(obj):
    """The audit rows of ``obj`` that record a write (not a view of the record)."""
    return audits(obj).exclude(action=AuditAction.VIEW)


# --- each service audits its own write ----------------------------------------------------


def test_registering_a_child_audits_the_child_and_its_guardian_with_the_actor(units, coordinator):
    patient = children.patient_create(
        actor=coordinator,
        unit=units.station_a,
        name="Riya",
        sex="F",
        date_of_birth=date(2019, 6, 1),
        blood_group="O+",
        units_per_transfusion=1,
        interval_days=21,
        guardians=[{"name": "Meena", "relation": "mother", "phone": "98123 45678"}],
    )
    assert audits(patient, AuditAction.CREATE).get().actor == coordinator
    guardian = patient.guardians.get()
    assert audits(guardian, AuditAction.CREATE).get().actor == coordinator


def test_each_transfusion_write_is_audited_once_with_the_actor(units, coordinator):
    patient = child(units)
    due = patient.transfusions.get(status="due")
    transfusions.transfusion_schedule(transfusion=due, due_on=date(2026, 12, 2), actor=coordinator)
    transfusions.transfusion_record_missed(transfusion=due, actor=coordinator)
    transfusions.transfusion_record_done(
        transfusion=due, done_on=date(2026, 11, 23), units_given=1, actor=coordinator
    )
    events = list(audits(due, AuditAction.UPDATE).order_by("id"))
    assert [e.details["status"] for e in events] == ["scheduled", "missed", "done"]
    assert events[0].details["due_on_to"] == "2026-12-02"
    assert {e.actor for e in events} == {coordinator}
    following = patient.transfusions.get(status="due")
    transfusions.transfusion_cancel(transfusion=following, actor=coordinator)
    assert audits(following, AuditAction.UPDATE).get().details["status"] == "cancelled"


def test_plans_circles_assignments_and_opt_outs_are_audited_with_the_actor(units, coordinator):
    patient = child(units, blood_group="B+")
    plan = calendar.plan_change(
        patient=patient, units_per_transfusion=2, interval_days=15, actor=coordinator
    )
    assert audits(plan, AuditAction.CREATE).get().actor == coordinator
    donor = DonorFactory(unit=units.station_a, blood_group="B+")
    member = booking.circle_add(patient=patient, donor=donor, actor=coordinator)
    assert audits(member, AuditAction.CREATE).get().actor == coordinator
    transfusion = patient.transfusions.get(status="due")
    assignment = booking.assignment_create(transfusion=transfusion, donor=donor, actor=coordinator)
    booking.assignment_set_status(assignment=assignment, status="asked", actor=coordinator)
    created, asked = audits(assignment).order_by("id")
    assert (created.action, asked.action) == (AuditAction.CREATE, AuditAction.UPDATE)
    assert asked.details == {"status_from": "proposed", "status_to": "asked"}
    assert created.actor == asked.actor == coordinator
    guardian = guardians.guardian_add(patient=patient, name="Meena", phone="9812345678")
    guardians.guardian_set_opt_out(guardian=guardian, opted_out=True, actor=coordinator)
    assert audits(guardian, AuditAction.UPDATE).get().details == {"fields": ["opted_out_at"]}


# --- the page and the API go through the same service -------------------------------------


REGISTRATION_PAGE = {
    "name": "Riya",
    "date_of_birth": "2019-06-01",
    "sex": "F",
    "blood_group": "O+",
    "plan-units_per_transfusion": "1",
    "plan-interval_days": "21",
    "plan-consent": "on",
    "guardian-name": "Meena",
    "guardian-relation": "mother",
    "guardian-phone": "098123 45678",
    "guardian-preferred_language": "hi",
}


def test_registering_on_the_page_and_through_the_api_is_audited_once_each(
    units, client_for, api_client_for, coordinator
):
    page = client_for(coordinator).post(
        "/children/new/", {**REGISTRATION_PAGE, "unit": units.station_a.pk}
    )
    assert page.status_code == 302
    api = api_client_for(coordinator).post(
        "/api/v1/patients/",
        {
            "name": "Aarav",
            "sex": "M",
            "date_of_birth": "2019-04-02",
            "blood_group": "B+",
            "unit": units.station_a.pk,
            "units_per_transfusion": 1,
            "interval_days": 21,
            "guardians": [{"name": "Sunita", "relation": "mother", "phone": "98123 45679"}],
            "guardian_consent": True,
        },
        format="json",
    )
    assert api.status_code == 201, api.json()
    for patient in Patient.objects.all():
        assert audits(patient, AuditAction.CREATE).get().actor == coordinator
        assert audits(patient.guardians.get(), AuditAction.CREATE).get().actor == coordinator


def test_recording_a_transfusion_done_on_the_page_and_the_api_is_audited_alike(
    units, client_for, api_client_for, coordinator
):
    first, second = child(units, name="Riya"), child(units, name="Aarav")
    on_page = first.transfusions.get(status="due")
    response = client_for(coordinator).post(
        f"/transfusions/{on_page.pk}/record/",
        {"done": "1", "done_on": "2026-11-23", "units_given": "1"},
    )
    assert response.status_code == 302
    by_api = second.transfusions.get(status="due")
    response = api_client_for(coordinator).post(
        f"/api/v1/transfusions/{by_api.pk}/done/",
        {"done_on": "2026-11-23", "units_given": 1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    for transfusion in (on_page, by_api):
        event = writes(transfusion).get()
        assert (event.actor, event.details["status"]) == (coordinator, "done")


def test_a_future_transfusion_date_is_the_same_field_error_on_the_page_and_the_api(
    units, client_for, api_client_for, coordinator
):
    transfusion = child(units).transfusions.get(status="due")
    page = client_for(coordinator).post(
        f"/transfusions/{transfusion.pk}/record/",
        {"done": "1", "done_on": "2026-11-30", "units_given": "1"},
    )
    assert page.status_code == 200
    page_errors = page.context["done_form"].errors["done_on"]
    api = api_client_for(coordinator).post(
        f"/api/v1/transfusions/{transfusion.pk}/done/",
        {"done_on": "2026-11-30", "units_given": 1},
        format="json",
    )
    assert api.status_code == 400
    assert api.json()["done_on"] == page_errors
    transfusion.refresh_from_db()
    assert transfusion.status == "due" and not writes(transfusion).exists()


def test_a_plan_out_of_range_is_the_same_field_error_on_the_page_and_the_api(
    units, client_for, api_client_for, coordinator
):
    patient = child(units)
    page = client_for(coordinator).post(
        f"/children/{patient.pk}/plan/",
        {"units_per_transfusion": "1", "interval_days": "3", "valid_from": "2026-11-23"},
    )
    assert page.status_code == 200
    page_errors = page.context["form"].errors["interval_days"]
    api = api_client_for(coordinator).patch(
        f"/api/v1/patients/{patient.pk}/", {"interval_days": 3}, format="json"
    )
    assert api.status_code == 400
    assert api.json()["interval_days"] == page_errors
    assert TransfusionPlan.objects.filter(patient=patient).count() == 1
    assert not AuditEvent.objects.filter(content_type__model="transfusionplan").exists()


def test_assigning_a_donor_on_the_page_and_the_api_is_audited_alike(
    units, client_for, api_client_for, coordinator
):
    first, second = child(units, name="Riya"), child(units, name="Aarav")
    donor_page = DonorFactory(unit=units.station_a, blood_group="B+")
    donor_api = DonorFactory(unit=units.station_a, blood_group="B+")
    transfusion = first.transfusions.get(status="due")
    client_for(coordinator).post(
        f"/transfusions/{transfusion.pk}/match/", {"donor": donor_page.pk, "on": "2026-12-01"}
    )
    response = api_client_for(coordinator).post(
        "/api/v1/assignments/",
        {"transfusion": second.transfusions.get(status="due").pk, "donor": donor_api.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Assignment.objects.count() == 2
    for assignment in Assignment.objects.all():
        assert audits(assignment, AuditAction.CREATE).get().actor == coordinator
    assert not DonorCircle.objects.exists()


def test_the_django_admin_shows_children_but_changes_them_only_through_the_pages(
    units, client_for, admin_user
):
    patient = child(units, name="Riya")
    client = client_for(admin_user)
    assert client.get(f"/admin/thalassemia/patient/{patient.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/thalassemia/patient/{patient.pk}/change/", {"name": "Changed", "_save": "1"}
    )
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.name == "Riya" and not writes(patient).exclude(action="create").exists()
