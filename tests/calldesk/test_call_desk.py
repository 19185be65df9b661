"""The call desk: today's list scoped to the user's units, one-tap outcomes that move the
assignment through the booking service, "will try" never counted as confirmed, the weekly
figure, and the list's views in the audit log."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from calldesk.models import CallLog
from calldesk.selectors import call_list, confirmations_to_donations
from notifications import sending, services
from notifications.choices import MessageState
from notifications.models import Message
from tests.factories import DonorFactory, make_assignment, make_patient
from tests.helpers import assert_queries_bounded
from thalassemia.booking import assignment_set_status

pytestmark = pytest.mark.django_db
URL = reverse("calldesk:list")
LOG = reverse("calldesk:log")
_phones = iter(range(100, 100_000))


def due_child(unit, days=3, name="Riya"):
    today = timezone.localdate()
    return make_patient(
        unit,
        name=name,
        last_transfused_on=today - timedelta(days=21 - days),
        guardians=[
            {
                "name": f"{name}'s mother",
                "phone": f"+9190000{next(_phones):05d}",
                "relation": "mother",
            }
        ],
    )


def silent_donor(unit, child):
    assignment = make_assignment(child.transfusions.get(status="due"), DonorFactory(unit=unit))
    type(assignment).objects.filter(pk=assignment.pk).update(
        asked_at=timezone.now() - timedelta(hours=30)
    )
    assignment.refresh_from_db()
    return assignment


def failed_message(unit, name="Failing"):
    row, _ = services.message_enqueue(
        topic="transfusion_due",
        subject_key="transfusion:999",
        recipient_key=f"guardian:{name}",
        recipient_name=name,
        phone="+919000000999",
        channel="sms",
        template="guardian_transfusion_due",
        due_on=timezone.localdate(),
        unit=unit,
        context={"child": {"name": "X"}, "on": timezone.localdate()},
    )
    Message.objects.filter(pk=row.pk).update(state=MessageState.FAILED, last_error="HTTP 400")
    return row


def test_the_call_list_needs_a_sign_in(anon):
    assert anon.get(URL).status_code == 302


def test_the_list_shows_guardians_silent_donors_and_failures_in_scope(client_for, staff_a, units):
    child = due_child(units.station_a)
    silent_donor(units.station_a, child)
    failed_message(units.station_a)
    due_child(units.station_b, name="Kabir")
    far = due_child(units.station_a, days=20, name="Later")
    response = client_for(staff_a).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Riya&#x27;s mother" in body and "Kabir" not in body and far.name not in body
    assert 'href="tel:+91' in body
    keys = {row.key.split(":")[0] for row in call_list(staff_a)}
    assert keys == {"guardian", "assignment", "message"}
    assert AuditEvent.objects.filter(details__note="call list", details__rows=3).exists()


def test_a_child_with_a_confirmed_donor_is_not_on_the_list(staff_a, units):
    child = due_child(units.station_a)
    make_assignment(
        child.transfusions.get(status="due"), DonorFactory(unit=units.station_a), status="confirmed"
    )
    assert call_list(staff_a) == []


def test_confirmed_on_the_phone_confirms_the_assignment(client_for, staff_a, units):
    assignment = silent_donor(units.station_a, due_child(units.station_a))
    response = client_for(staff_a).post(
        LOG, {"key": f"assignment:{assignment.pk}", "outcome": "confirmed"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == "confirmed"
    call = CallLog.objects.get()
    assert (
        call.outcome == "confirmed" and call.called_by == staff_a and call.unit == units.station_a
    )
    # The call and the assignment's move are each audited by their service, with the caller.
    logged = AuditEvent.objects.filter(content_type__model="calllog", object_id=str(call.pk))
    moved = AuditEvent.objects.filter(
        content_type__model="assignment", object_id=str(assignment.pk), action="update"
    ).latest("id")
    assert logged.get().actor == staff_a
    assert (moved.actor, moved.details["status_to"]) == (staff_a, "confirmed")


def test_declined_on_the_phone_declines(client_for, staff_a, units):
    assignment = silent_donor(units.station_a, due_child(units.station_a))
    client_for(staff_a).post(LOG, {"key": f"assignment:{assignment.pk}", "outcome": "declined"})
    assignment.refresh_from_db()
    assert assignment.status == "declined"


def test_will_try_is_recorded_but_never_counts_as_confirmed(client_for, staff_a, units):
    assignment = silent_donor(units.station_a, due_child(units.station_a))
    tomorrow = timezone.localdate() + timedelta(days=1)
    client_for(staff_a).post(
        LOG,
        {
            "key": f"assignment:{assignment.pk}",
            "outcome": "will_try",
            "follow_up_on": tomorrow.isoformat(),
        },
    )
    assignment.refresh_from_db()
    assert assignment.status == "asked"
    assert CallLog.objects.get().follow_up_on == tomorrow
    row = next(r for r in call_list(staff_a) if r.key == f"assignment:{assignment.pk}")
    assert row.last_call.outcome == "will_try"
    assert sum(w.confirmed for w in confirmations_to_donations(staff_a)) == 0


def test_a_wrong_number_flags_the_contact(client_for, staff_a, units):
    first = due_child(units.station_a)
    phone = first.guardians.get().phone
    make_patient(
        units.station_a,
        name="Sister",
        last_transfused_on=timezone.localdate() - timedelta(days=18),
        guardians=[{"name": "Same mother", "phone": phone, "relation": "mother"}],
    )
    row = next(r for r in call_list(staff_a) if r.name == "Riya's mother")
    client_for(staff_a).post(LOG, {"key": row.key, "outcome": "wrong_number"})
    called, other = sorted(call_list(staff_a), key=lambda r: r.name != "Riya's mother")
    assert called.wrong_number and called.last_call.outcome == "wrong_number"
    # The other child's row, same phone, carries the flag before anyone dials it.
    assert other.wrong_number and other.state == "todo"
    assert b"Reported wrong number" in client_for(staff_a).get(URL).content


def test_logging_a_row_outside_scope_is_404_and_changes_nothing(client_for, staff_b, units):
    assignment = silent_donor(units.station_a, due_child(units.station_a))
    response = client_for(staff_b).post(
        LOG, {"key": f"assignment:{assignment.pk}", "outcome": "confirmed"}
    )
    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.status == "asked" and not CallLog.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"key": "x", "outcome": "maybe"},
        {"key": "x", "outcome": "reached", "follow_up_on": "notadate"},
        {},
    ],
)
def test_bad_input_changes_nothing_and_never_answers_500(client_for, staff_a, units, data):
    response = client_for(staff_a).post(LOG, data, follow=True)
    assert response.status_code == 200
    assert not CallLog.objects.exists()


def test_a_follow_up_in_the_past_is_refused(client_for, staff_a, units):
    due_child(units.station_a)
    row = call_list(staff_a)[0]
    response = client_for(staff_a).post(
        LOG, {"key": row.key, "outcome": "reached", "follow_up_on": "2020-01-01"}, follow=True
    )
    assert "Choose today or a later day." in response.content.decode()
    assert not CallLog.objects.exists()


def test_the_weekly_figure_counts_confirmations_that_became_donations(coordinator, units):
    child = due_child(units.station_a, days=1)
    gave = make_assignment(
        child.transfusions.get(status="due"), DonorFactory(unit=units.station_a), status="confirmed"
    )
    make_assignment(
        child.transfusions.get(status="due"), DonorFactory(unit=units.station_a), status="confirmed"
    )
    assignment_set_status(assignment=gave, status="donated")
    weeks = confirmations_to_donations(coordinator, today=gave.on)
    assert (weeks[0].confirmed, weeks[0].donated) == (2, 1)


def test_the_call_list_runs_a_bounded_number_of_queries(client_for, coordinator, units):
    client = client_for(coordinator)
    child = due_child(units.station_a)
    silent_donor(units.station_a, child)
    failed_message(units.station_a)

    def grow():
        for i in range(6):
            kid = due_child(units.station_b, name=f"Kid {i}")
            silent_donor(units.station_b, kid)
            failed_message(units.station_b, name=f"F{i}")

    assert_queries_bounded(lambda: client.get(URL), grow, maximum=20)


def test_nothing_more_is_sent_to_a_number_reported_wrong(client_for, staff_a, units, settings):
    settings.NOTIFY_QUIET_CHANNELS = []
    due_child(units.station_a)
    row = call_list(staff_a)[0]
    client_for(staff_a).post(LOG, {"key": row.key, "outcome": "wrong_number"})
    message, _ = services.message_enqueue(
        topic="test",
        subject_key="transfusion:1",
        recipient_key="person:1",
        phone=row.phone,
        channel="sms",
        template="guardian_transfusion_due",
        due_on=timezone.localdate(),
        context={"child": {"name": "X"}, "on": timezone.localdate()},
    )
    assert sending.message_send(message.pk) == "cancelled"
    message.refresh_from_db()
    assert "reported wrong" in message.last_error
