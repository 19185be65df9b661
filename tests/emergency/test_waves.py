"""Calling on donors in waves, run as beat and the worker run them (the functions the tasks
call, with the database real): who is asked, when, and that nobody is asked twice."""

import datetime
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from donors.choices import ConsentPurpose, ConsentSource
from donors.consent import consent_withdraw
from emergency.choices import CallStatus, RequestStatus
from emergency.models import EmergencyCall, EmergencyRequest
from emergency.services import call_answer, emergency_create, emergency_stop
from emergency.waves import wave_run, waves_run
from notifications.choices import MessageState
from notifications.models import Message
from notifications.sending import message_send

pytestmark = pytest.mark.django_db


def record(coordinator, hospital, units, *, group="O+", units_needed=2, hours=4):
    return emergency_create(
        actor=coordinator,
        unit=units.knp,
        hospital=hospital,
        blood_group=group,
        units_needed=units_needed,
        needed_by=timezone.now() + timedelta(hours=hours),
    )


def asked(emergency, wave=None):
    calls = EmergencyCall.objects.filter(request=emergency)
    if wave is not None:
        calls = calls.filter(wave=wave)
    return {c.donor_id for c in calls}


def test_the_living_blood_bank_is_called_first_then_the_rest_ten_a_wave(
    cast, coordinator, hospital, units
):
    emergency = record(coordinator, hospital, units)
    assert wave_run(emergency.pk) == "asked"
    first = asked(emergency, wave=1)
    assert len(first) == 10
    assert {d.pk for d in cast.living} <= first
    # After the on-call club, the identical group (O+) before O−.
    # After the on-call club, the identical group (O+) before O− (R1, R2, R4, R5 of R0–R7).
    assert first - {d.pk for d in cast.living} == {cast.others[i].pk for i in (1, 2, 4, 5)}
    emergency.refresh_from_db()
    assert emergency.waves_sent == 1
    assert emergency.next_wave_at > timezone.now() + timedelta(minutes=14)


def test_no_donor_is_called_who_may_not_give_or_belongs_to_another_force(
    cast, coordinator, hospital, units
):
    emergency = record(coordinator, hospital, units, units_needed=20)
    now = timezone.now()
    for step in range(4):  # more waves than there are donors
        wave_run(emergency.pk, now=now + timedelta(minutes=16 * step))
    called = asked(emergency)
    assert called == {d.pk for d in cast.living + cast.others}
    assert called.isdisjoint({d.pk for d in cast.never.values()})


def test_the_next_wave_waits_the_set_minutes_and_a_tick_run_twice_asks_nobody_twice(
    cast, coordinator, hospital, units
):
    emergency = record(coordinator, hospital, units)
    now = timezone.now()
    assert wave_run(emergency.pk, now=now) == "asked"
    assert wave_run(emergency.pk, now=now) == "not due"
    assert wave_run(emergency.pk, now=now + timedelta(minutes=14)) == "not due"
    assert asked(emergency, wave=2) == set()
    later = now + timedelta(minutes=15)
    assert waves_run(now=later) == {"asked": 1}
    assert waves_run(now=later) == {}  # the same beat tick delivered twice
    assert len(asked(emergency, wave=2)) == 4  # all that were left
    calls = EmergencyCall.objects.filter(request=emergency)
    assert calls.count() == len({c.donor_id for c in calls}) == 14
    messages = Message.objects.filter(
        topic="emergency_call", subject_key=f"emergency:{emergency.pk}"
    )
    assert messages.count() == 14
    assert len({m.recipient_key for m in messages}) == 14


def test_the_confirmation_that_fills_the_request_stops_the_waves(
    cast, coordinator, hospital, units
):
    emergency = record(coordinator, hospital, units, units_needed=2)
    now = timezone.now()
    wave_run(emergency.pk, now=now)
    first, second, third = EmergencyCall.objects.filter(request=emergency)[:3]
    assert call_answer(code=first.code, answer="confirm")[1] == "done"
    assert call_answer(code=second.code, answer="decline")[1] == "done"
    emergency.refresh_from_db()
    assert emergency.status == RequestStatus.OPEN
    assert call_answer(code=third.code, answer="confirm")[1] == "done"
    emergency.refresh_from_db()
    assert emergency.status == RequestStatus.FILLED and emergency.next_wave_at is None
    assert wave_run(emergency.pk, now=now + timedelta(hours=1)) == "closed"
    assert asked(emergency, wave=2) == set()
    # Too late for the others: their link says so and changes nothing.
    fourth = EmergencyCall.objects.filter(request=emergency, status=CallStatus.ASKED).first()
    assert call_answer(code=fourth.code, answer="confirm")[1] == "closed"
    fourth.refresh_from_db()
    assert fourth.status == CallStatus.ASKED
    # A second press of a used link changes nothing either.
    assert call_answer(code=second.code, answer="confirm")[1] == "used"


def test_a_confirmed_donor_is_sent_the_hospital_address_and_its_emergency_contact(
    cast, coordinator, hospital, units
):
    emergency = record(coordinator, hospital, units)
    wave_run(emergency.pk)
    call = EmergencyCall.objects.filter(request=emergency).select_related("donor").first()
    call_answer(code=call.code, answer="confirm")
    call_answer(code=call.code, answer="confirm")
    message = Message.objects.get(topic="emergency_confirmed")
    assert message.recipient_key == f"donor:{call.donor_id}"
    assert "Swaroop Nagar" in message.body
    assert "+919711111111" in message.body


def test_stopping_ends_the_waves_and_cancels_the_calls_not_yet_sent(
    cast, coordinator, hospital, units
):
    emergency = record(coordinator, hospital, units)
    now = timezone.now()
    wave_run(emergency.pk, now=now)
    sent_one = Message.objects.filter(topic="emergency_call").first()
    assert message_send(sent_one.pk) == "sent"
    emergency_stop(emergency=emergency, actor=coordinator)
    emergency.refresh_from_db()
    assert emergency.status == RequestStatus.STOPPED
    assert emergency.closed_by == coordinator
    assert AuditEvent.objects.filter(
        actor=coordinator, object_id=str(emergency.pk), details__note="emergency request stopped"
    ).exists()
    assert wave_run(emergency.pk, now=now + timedelta(hours=1)) == "closed"
    assert asked(emergency, wave=2) == set()
    outcomes = {message_send(m.pk) for m in Message.objects.filter(state=MessageState.PENDING)}
    assert outcomes == {"cancelled"}
    with pytest.raises(ValidationError):
        emergency_stop(emergency=emergency, actor=coordinator)


def test_a_request_past_its_time_closes_as_expired(cast, coordinator, hospital, units):
    emergency = record(coordinator, hospital, units, hours=1)
    assert wave_run(emergency.pk, now=timezone.now() + timedelta(hours=2)) == "expired"
    assert EmergencyRequest.objects.get().status == RequestStatus.EXPIRED


def test_quiet_hours_hold_the_waves_unless_the_operator_exempts_emergency_calls(
    cast, coordinator, hospital, units, settings
):
    settings.NOTIFY_QUIET_CHANNELS = ["sms", "whatsapp"]
    # 22:30 in Kanpur (quiet from 21:00 to 08:00).
    with time_machine.travel(datetime.datetime(2026, 11, 30, 17, 0, tzinfo=datetime.UTC)):
        emergency = record(coordinator, hospital, units, hours=20)
        assert wave_run(emergency.pk) == "quiet"
        emergency.refresh_from_db()
        assert timezone.localtime(emergency.next_wave_at).hour == 8
        assert asked(emergency) == set()
        assert wave_run(emergency.pk, now=emergency.next_wave_at) == "asked"
        settings.NOTIFY_QUIET_EXEMPT_TOPICS = ["phone_code", "emergency_call"]
        at_night = record(coordinator, hospital, units, hours=20)
        assert wave_run(at_night.pk) == "asked"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"blood_group": ""}, "blood_group"),
        ({"blood_group": "Z+"}, "blood_group"),
        ({"units_needed": 0}, "units_needed"),
        ({"units_needed": 500}, "units_needed"),
        ({"needed_by": "past"}, "needed_by"),
        ({"needed_by": "next week"}, "needed_by"),
        ({"needed_by": None}, "needed_by"),
        ({"hospital": None}, "hospital"),
        ({"unit": "dehat"}, "unit"),
    ],
)
def test_a_request_is_refused_with_a_field_error_and_nothing_is_written(
    coordinator, hospital, units, change, field
):
    needed_by = {
        "past": timezone.now() - timedelta(minutes=5),
        "next week": timezone.now() + timedelta(days=7),
    }
    fields = {
        "unit": units.knp,
        "hospital": hospital,
        "blood_group": "B+",
        "units_needed": 2,
        "needed_by": timezone.now() + timedelta(hours=3),
    }
    fields.update(change)
    if fields["needed_by"] in needed_by:
        fields["needed_by"] = needed_by[fields["needed_by"]]
    if fields["unit"] == "dehat":
        fields["unit"] = units.dehat  # another force than the coordinator's
    with pytest.raises(ValidationError) as error:
        emergency_create(actor=coordinator, **fields)
    assert field in error.value.message_dict
    assert not EmergencyRequest.objects.exists()


def test_a_call_is_not_sent_to_a_donor_who_withdrew_consent_after_the_wave(
    cast, coordinator, hospital, units
):
    emergency = record(coordinator, hospital, units)
    wave_run(emergency.pk)
    donor = cast.living[0]
    consent_withdraw(donor=donor, purpose=ConsentPurpose.REMINDERS, source=ConsentSource.STAFF)
    message = Message.objects.get(topic="emergency_call", recipient_key=f"donor:{donor.pk}")
    assert message_send(message.pk) == "cancelled"
    message.refresh_from_db()
    assert message.state == MessageState.CANCELLED
