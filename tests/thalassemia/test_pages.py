"""The children pages: permission triads, audit of a child's record, bounded queries, and
the coordinator's work (register, change plan, assign, confirm, record) through forms."""

import datetime
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from tests.factories import DonorFactory, HospitalFactory, make_patient
from tests.helpers import assert_queries_bounded
from thalassemia.models import Assignment, Patient

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)):
        yield


def child(tree, unit=None, **fields):
    fields.setdefault("last_transfused_on", date(2026, 11, 10))
    return make_patient(unit or tree.station_a, **fields)


def page_urls(patient):
    t = patient.transfusions.get(status="due")
    return [
        f"/children/{patient.pk}/",
        f"/children/{patient.pk}/edit/",
        f"/children/{patient.pk}/plan/",
        f"/children/{patient.pk}/guardians/new/",
        f"/transfusions/{t.pk}/match/",
        f"/transfusions/{t.pk}/record/",
    ]


def test_every_childs_page_permission_triad(units, anon, client_for, staff_a, staff_b, coordinator):
    patient = child(units)
    for url in page_urls(patient):
        assert anon.get(url).status_code == 302, url
        assert client_for(staff_b).get(url).status_code == 404, url
        assert client_for(staff_a).get(url).status_code == 200, url
        assert client_for(coordinator).get(url).status_code == 200, url
    for url in ("/children/", "/children/due/", "/children/new/"):
        assert anon.get(url).status_code == 302
        assert client_for(staff_b).get(url).status_code == 200


def test_lists_are_scoped(units, client_for, staff_b, coordinator):
    child(units, name="Asha")
    child(units, unit=units.station_b, name="Bilal")
    assert b"Asha" not in client_for(staff_b).get("/children/").content
    assert b"Bilal" in client_for(staff_b).get("/children/").content
    board = client_for(staff_b).get("/children/due/").content
    assert b"Bilal" in board and b"Asha" not in board
    assert b"Asha" in client_for(coordinator).get("/children/due/").content


def test_viewing_a_child_is_in_the_audit_log(units, client_for, coordinator):
    patient = child(units)
    client_for(coordinator).get(f"/children/{patient.pk}/")
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(patient.pk), actor=coordinator
    ).exists()


def test_the_list_and_board_run_bounded_queries(units, client_for, coordinator):
    client = client_for(coordinator)
    child(units)
    donor = DonorFactory(unit=units.station_a, blood_group="B+")

    def grow():
        for n in range(6):
            patient = child(units, name=f"Child {n}", last_transfused_on=date(2026, 11, 1 + n))
            if n == 0:
                from thalassemia.booking import assignment_create

                assignment_create(transfusion=patient.transfusions.get(status="due"), donor=donor)

    before = {}
    for url in ("/children/", "/children/due/", "/children/?due=30&blood_group=B%2B"):
        before[url] = client.get(url)
    assert_queries_bounded(lambda: client.get("/children/due/"), grow, maximum=14)
    for url in ("/children/", "/children/?due=30&blood_group=B%2B"):
        assert_queries_bounded(lambda u=url: client.get(u), lambda: None, maximum=14)


def test_list_filters_by_due_window_status_and_group(units, client_for, coordinator):
    child(units, name="Soon", blood_group="A+")
    child(units, name="Late", blood_group="B+", last_transfused_on=date(2026, 10, 1))
    client = client_for(coordinator)
    assert b"Late" in client.get("/children/?due=overdue").content
    assert b"Soon" not in client.get("/children/?due=overdue").content
    assert b"Late" not in client.get("/children/?blood_group=A%2B").content
    assert client.get("/children/?due=nonsense").status_code == 200
    assert client.get("/children/?status=transplanted").status_code == 200


def test_register_a_child_with_a_guardian(units, client_for, coordinator):
    hospital = HospitalFactory()
    response = client_for(coordinator).post(
        "/children/new/",
        {
            "name": "Riya",
            "date_of_birth": "2019-06-01",
            "sex": "F",
            "blood_group": "O+",
            "unit": units.station_a.pk,
            "hospital": hospital.pk,
            "alloantibodies": "K",
            "plan-units_per_transfusion": "1",
            "plan-interval_days": "21",
            "plan-last_transfused_on": "2026-11-20",
            "plan-consent": "on",
            "guardian-name": "Meena",
            "guardian-relation": "mother",
            "guardian-phone": "098123 45678",
            "guardian-preferred_language": "hi",
        },
    )
    patient = Patient.objects.get(name="Riya")
    assert response.status_code == 302 and response["Location"] == f"/children/{patient.pk}/"
    assert patient.next_due_on == date(2026, 12, 11)
    assert patient.guardians.get().phone == "+919812345678"
    assert patient.consent_by == "Meena" and patient.consent_at


def test_bad_registration_shows_errors_and_saves_nothing(units, client_for, coordinator):
    response = client_for(coordinator).post(
        "/children/new/",
        {
            "name": "Riya",
            "date_of_birth": "2019-06-01",
            "sex": "F",
            "blood_group": "O+",
            "unit": units.station_a.pk,
            "alloantibodies": "Z",
            "plan-units_per_transfusion": "1",
            "plan-interval_days": "90",
            "plan-consent": "on",
            "guardian-name": "Meena",
            "guardian-relation": "mother",
            "guardian-phone": "12",
            "guardian-preferred_language": "hi",
        },
    )
    assert response.status_code == 200
    assert not Patient.objects.exists()
    assert b"interval must be" in response.content


def test_plan_presets_are_buttons(units, client_for, coordinator):
    patient = child(units)
    client = client_for(coordinator)
    client.post(f"/children/{patient.pk}/plan/", {"preset": "older", "valid_from": "2026-11-23"})
    patient.refresh_from_db()
    assert patient.plans.count() == 2
    assert patient.next_due_on == date(2026, 11, 25)
    bad = client.post(
        f"/children/{patient.pk}/plan/",
        {"units_per_transfusion": "1", "interval_days": "3", "valid_from": "2026-11-23"},
    )
    assert bad.status_code == 200 and patient.plans.count() == 2


def test_assign_confirm_and_record_done_moves_the_calendar(units, client_for, coordinator):
    patient = child(units, blood_group="B+")
    donor = DonorFactory(unit=units.station_a, blood_group="B+", name="Ravi Kumar")
    transfusion = patient.transfusions.get(status="due")
    client = client_for(coordinator)
    page = client.get(f"/transfusions/{transfusion.pk}/match/")
    assert b"Ravi Kumar" in page.content and b"Identical group" in page.content
    client.post(f"/transfusions/{transfusion.pk}/match/", {"donor": donor.pk, "on": "2026-12-01"})
    assignment = Assignment.objects.get()
    client.post(f"/assignments/{assignment.pk}/status/", {"status": "confirmed"})
    assignment.refresh_from_db()
    assert assignment.status == "confirmed"
    response = client.post(
        f"/transfusions/{transfusion.pk}/record/",
        {"done": "1", "done_on": "2026-11-23", "units_given": "1", "pre_haemoglobin_g_dl": "9.4"},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.next_due_on == date(2026, 12, 14)


def test_record_missed_keeps_the_date(units, client_for, coordinator):
    patient = child(units)
    transfusion = patient.transfusions.get(status="due")
    client_for(coordinator).post(f"/transfusions/{transfusion.pk}/record/", {"missed": "1"})
    patient.refresh_from_db()
    assert patient.next_due_on == date(2026, 12, 1)
    assert patient.transfusions.get(pk=transfusion.pk).status == "missed"


def test_bad_inputs_never_answer_500(units, client_for, coordinator, staff_b):
    patient = child(units)
    transfusion = patient.transfusions.get(status="due")
    client = client_for(coordinator)
    assert client.get(f"/transfusions/{transfusion.pk}/match/?on=notadate").status_code == 302
    assert client.get(f"/transfusions/{transfusion.pk}/match/?on=2026-02-30").status_code == 302
    assert client.post(f"/transfusions/{transfusion.pk}/match/", {"donor": "x"}).status_code == 302
    assert (
        client.post(
            f"/transfusions/{transfusion.pk}/match/", {"donor": 999, "on": "2026-12-01"}
        ).status_code
        == 404
    )
    bad = client.post(
        f"/transfusions/{transfusion.pk}/record/",
        {"done": "1", "done_on": "2030-01-01", "units_given": "1"},
    )
    assert bad.status_code == 200 and b"Enter a date between 1900 and today." in bad.content
    assert client.post("/assignments/999/status/", {"status": "confirmed"}).status_code == 404
    assert client.get("/children/999999/").status_code == 404


def test_the_child_page_flags_review_plan_after_two_low_haemoglobins(
    units, client_for, coordinator
):
    from thalassemia.transfusions import transfusion_record_done

    patient = child(units, last_transfused_on=date(2026, 10, 1))
    page = client_for(coordinator).get(f"/children/{patient.pk}/")
    assert b"review-plan" not in page.content
    for day, hb in ((date(2026, 11, 1), "8.2"), (date(2026, 11, 22), "8.4")):
        transfusion_record_done(
            transfusion=patient.transfusions.get(status="due"),
            done_on=day,
            units_given=1,
            pre_haemoglobin_g_dl=Decimal(hb),
        )
    page = client_for(coordinator).get(f"/children/{patient.pk}/")
    assert b"review-plan" in page.content


def test_a_guardian_opts_out_with_one_button(units, anon, client_for, staff_b, coordinator):
    patient = child(
        units, guardians=[{"name": "Meena", "relation": "mother", "phone": "9812345678"}]
    )
    guardian = patient.guardians.get()
    url = f"/guardians/{guardian.pk}/opt-out/"
    assert anon.post(url).status_code == 302
    assert client_for(staff_b).post(url).status_code == 404
    assert client_for(coordinator).get(url).status_code == 405
    client_for(coordinator).post(url)
    guardian.refresh_from_db()
    assert guardian.opted_out_at is not None
    client_for(coordinator).post(url)
    guardian.refresh_from_db()
    assert guardian.opted_out_at is None
