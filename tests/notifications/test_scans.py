"""The reminder scans: the right messages on the right day, once, and after downtime what
is still useful and nothing stale."""

import datetime as dt
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from camps import reminders as camp_reminders
from donors import reminders as donor_reminders
from donors.choices import ConsentPurpose, ConsentSource
from donors.consent import consent_give
from notifications import sending
from notifications.choices import MessageState
from notifications.models import Message
from tests.factories import (
    CampFactory,
    DonationFactory,
    DonorFactory,
    make_assignment,
    make_patient,
)
from thalassemia import reminders
from thalassemia.guardians import guardian_set_opt_out
from thalassemia.transfusions import transfusion_cancel

IST = ZoneInfo("Asia/Kolkata")
D = dt.date(2026, 12, 10)
pytestmark = pytest.mark.django_db


def noon(day):
    return time_machine.travel(dt.datetime.combine(day, dt.time(12, 0), tzinfo=IST), tick=False)


def child(unit, due_on, *, name="Riya", phone="+919000000101", language="hi", today=None):
    return make_patient(
        unit,
        name=name,
        interval=21,
        last_transfused_on=due_on - timedelta(days=21),
        guardians=[
            {
                "name": f"{name}'s mother",
                "phone": phone,
                "relation": "mother",
                "preferred_language": language,
            }
        ],
    )


def open_transfusion(patient):
    return patient.transfusions.get(status="due")


def test_a_guardian_is_reminded_three_days_before_in_their_language_once(units, settings):
    settings.THAL_REMINDER_DAYS_BEFORE = 3
    with noon(D):
        patient = child(units.station_a, D + timedelta(days=4), today=D)
        assert reminders.scan() == 0
    with noon(D + timedelta(days=1)):
        assert reminders.scan() == 1
        assert reminders.scan() == 0
    message = Message.objects.get()
    assert message.topic == "transfusion_due"
    assert message.recipient_name == "Riya's mother"
    assert message.language == "hi" and "ट्रांसफ्यूज़न" in message.body
    assert message.due_on == D + timedelta(days=4)
    assert message.unit == units.station_a
    assert message.subject_key == f"transfusion:{open_transfusion(patient).pk}"


def test_no_reminder_for_a_guardian_who_opted_out_even_one_already_queued(units, settings):
    settings.NOTIFY_QUIET_CHANNELS = []
    with noon(D):
        patient = child(units.station_a, D + timedelta(days=2), today=D)
        reminders.scan()
        guardian_set_opt_out(guardian=patient.guardians.get(), opted_out=True)
        message = Message.objects.get()
        assert sending.message_send(message.pk) == "cancelled"
        assert reminders.scan() == 0
    message.refresh_from_db()
    assert message.last_error == "the guardian opted out"


def test_asked_donors_get_a_request_with_the_answer_link_and_confirmed_ones_two_reminders(
    units, settings
):
    settings.SITE_URL = "https://bloodbond.example"
    with noon(D):
        patient = child(units.station_a, D + timedelta(days=2), today=D)
        asked = make_assignment(
            open_transfusion(patient), DonorFactory(unit=units.station_a, preferred_language="en")
        )
        reminders.scan()
        request = Message.objects.get(topic="donor_request")
        assert request.recipient_key == f"donor:{asked.donor_id}"
        assert "https://bloodbond.example/r/" in request.body
        assert "https://bloodbond.example/stop/" in request.body
        assert request.body.startswith("Blood Bond: can you donate blood for a child")
    from thalassemia.booking import assignment_set_status

    assignment_set_status(assignment=asked, status="confirmed")
    with noon(D + timedelta(days=1)):
        reminders.scan()
        reminders.scan()
    with noon(D + timedelta(days=2)):
        reminders.scan()
    topics = sorted(Message.objects.values_list("topic", flat=True))
    assert topics == [
        "donor_reminder_day",
        "donor_reminder_eve",
        "donor_request",
        "transfusion_due",
    ]


def test_coordinators_get_one_digest_a_day_of_transfusions_without_a_confirmed_donor(
    units, coordinator, staff_a
):
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    with noon(D):
        uncovered = child(units.station_a, D + timedelta(days=5), today=D)
        covered = child(units.station_b, D + timedelta(days=6), name="Kabir", phone="+919000000102")
        child(units.station_c, D + timedelta(days=3), name="Elsewhere", phone="+919000000103")
        make_assignment(
            open_transfusion(covered), DonorFactory(unit=units.station_b), status="confirmed"
        )
        reminders.scan()
        reminders.scan()
    digest = Message.objects.get(topic="coordinator_digest")
    assert digest.channel == "email" and digest.email == "coordinator@example.org"
    assert uncovered.name in digest.body
    assert "Kabir" not in digest.body  # covered by a confirmed donor
    assert "Elsewhere" not in digest.body  # another force
    assert digest.due_on == D


def test_a_scan_after_three_days_of_downtime_sends_what_is_still_useful_and_nothing_stale(
    units, coordinator, settings, tmp_path
):
    settings.NOTIFY_FILE_DIR = tmp_path
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    before = D - timedelta(days=4)
    with noon(before):  # the portal runs: children, donors asked and confirmed, a scan
        overdue = child(units.station_a, D - timedelta(days=1), today=before)
        tomorrow = child(
            units.station_a, D + timedelta(days=1), name="Kabir", phone="+919000000102"
        )
        cancelled = child(
            units.station_a, D + timedelta(days=2), name="Anaya", phone="+919000000103"
        )
        today = child(units.station_a, D, name="Arjun", phone="+919000000104")
        gives_today = make_assignment(
            open_transfusion(today), DonorFactory(unit=units.station_a), status="confirmed"
        )
        gave_yesterday = make_assignment(
            open_transfusion(overdue), DonorFactory(unit=units.station_a), status="confirmed"
        )
        reminders.scan()
        before_downtime = set(Message.objects.values_list("pk", flat=True))
    with noon(D - timedelta(days=2)):  # the portal is down; staff cancel one date
        transfusion_cancel(transfusion=open_transfusion(cancelled))
    with noon(D):  # back up: beat scans, dispatch sends
        reminders.scan()
        for message_id in sending.due_message_ids():
            sending.message_send(message_id)
    sent = Message.objects.filter(state=MessageState.SENT)
    new = Message.objects.exclude(pk__in=before_downtime)
    assert sorted(new.values_list("topic", "subject_key")) == sorted(
        [
            ("transfusion_due", f"transfusion:{open_transfusion(tomorrow).pk}"),
            ("donor_reminder_day", f"assignment:{gives_today.pk}"),
            ("coordinator_digest", f"digest:{D.isoformat()}"),
        ]
    )
    assert set(sent) == set(new)  # everything useful went out …
    stale = Message.objects.filter(pk__in=before_downtime)
    # … and nothing queued before the downtime went late: the reminder for a date now past,
    # the old digest, the requests already answered.
    assert not stale.filter(state=MessageState.SENT).exists()
    assert stale.filter(state=MessageState.CANCELLED).count() == stale.count()
    assert not Message.objects.filter(
        subject_key=f"assignment:{gave_yesterday.pk}", topic__startswith="donor_reminder"
    ).exists()


def test_a_donor_is_told_on_the_day_they_may_donate_again_only_with_consent(units, settings):
    settings.SITE_URL = "https://bloodbond.example"
    settings.DONOR_ELIGIBLE_LOOKBACK_DAYS = 3
    with noon(D):
        consenting = DonorFactory(unit=units.station_a, sex="M", preferred_language="en")
        silent = DonorFactory(unit=units.station_a, sex="M")
        for donor in (consenting, silent):
            DonationFactory(donor=donor, donated_on=D - timedelta(days=91))
        consent_give(donor=consenting, purpose=ConsentPurpose.REMINDERS, source=ConsentSource.STAFF)
    with noon(D - timedelta(days=2)):
        assert donor_reminders.scan() == 0  # not yet eligible
    with noon(D + timedelta(days=2)):  # two days late (downtime): still true, still useful
        assert donor_reminders.scan() == 1
        assert donor_reminders.scan() == 0
    message = Message.objects.get()
    assert message.recipient_key == f"donor:{consenting.pk}"
    assert message.due_on == D - timedelta(days=1)
    assert "you can donate blood again" in message.body
    assert "https://bloodbond.example/stop/" in message.body


def test_pledged_donors_in_the_camps_units_hear_of_a_new_camp_once(units, settings):
    settings.CAMP_ANNOUNCE_DAYS_BEFORE = 7
    with noon(D):
        near = DonorFactory(unit=units.station_a, source="pledge", preferred_language="en")
        far = DonorFactory(unit=units.station_b, source="pledge")
        no_consent = DonorFactory(unit=units.station_a, source="pledge")
        for donor in (near, far):
            consent_give(donor=donor, purpose=ConsentPurpose.REMINDERS, source=ConsentSource.PLEDGE)
        camp = CampFactory(
            unit=units.kotwali_circle,
            status="planned",
            held_on=D + timedelta(days=5),
            venue="Police Lines",
        )
        CampFactory(unit=units.kotwali_circle, status="planned", held_on=D + timedelta(days=30))
        assert camp_reminders.scan() == 1
        assert camp_reminders.scan() == 0
    message = Message.objects.get()
    assert message.recipient_key == f"donor:{near.pk}"
    assert "Police Lines" in message.body and message.subject_key == f"camp:{camp.pk}"
    assert not Message.objects.filter(recipient_key=f"donor:{no_consent.pk}").exists()


def test_the_digest_is_written_in_the_morning_not_at_midnight(units, coordinator, settings):
    settings.THAL_DIGEST_HOUR = 7
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    with noon(D):
        child(units.station_a, D + timedelta(days=5))
    with time_machine.travel(dt.datetime.combine(D, dt.time(0, 5), tzinfo=IST), tick=False):
        reminders.scan()
    assert not Message.objects.filter(topic="coordinator_digest").exists()
    with time_machine.travel(dt.datetime.combine(D, dt.time(7, 5), tzinfo=IST), tick=False):
        reminders.scan()
    assert Message.objects.filter(topic="coordinator_digest").count() == 1


def test_each_recipient_gets_their_preferred_channel(units, settings):
    from notifications.models import RecipientPreference

    with noon(D):
        patient = child(units.station_a, D + timedelta(days=2))
        guardian = patient.guardians.get()
        RecipientPreference.objects.create(
            recipient_key=f"guardian:{guardian.pk}", channel="whatsapp"
        )
        no_email = DonorFactory(unit=units.station_a, email="")
        RecipientPreference.objects.create(recipient_key=f"donor:{no_email.pk}", channel="email")
        make_assignment(open_transfusion(patient), no_email)
        reminders.scan()
    assert Message.objects.get(topic="transfusion_due").channel == "whatsapp"
    # Email wanted but no address: the default channel, not a message that cannot go.
    assert Message.objects.get(topic="donor_request").channel == "sms"
