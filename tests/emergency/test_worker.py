"""End to end against the real broker (Redis), a real Celery worker started here (not eager)
and the fake SMS gateway: an emergency request filled in two waves, each donor asked by one
SMS, the waves stopping once enough donors are coming."""

from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from emergency.choices import CallStatus, RequestStatus
from emergency.models import EmergencyCall, EmergencyRequest
from emergency.services import emergency_create
from emergency.tasks import run_wave, run_waves
from tests.notifications.conftest import needs_redis, wait_for

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]


def _drained():
    from donation_portal.celery import app

    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen("celery") == 0


def answer(client, call, what):
    response = client.post(reverse("emergency:answer", args=[call.code]), {"answer": what})
    assert response.status_code == 200


def test_an_emergency_request_is_filled_in_two_waves(
    cast, coordinator, hospital, units, gateway, worker, anon, settings
):
    # The next wave is due at beat's next tick (the minutes between waves: test_waves.py).
    settings.EMERGENCY_WAVE_MINUTES = 0
    emergency = emergency_create(
        actor=coordinator,
        unit=units.knp,
        hospital=hospital,
        blood_group="O+",
        units_needed=2,
        needed_by=timezone.now() + timedelta(hours=3),
    )
    # Saving queued the first wave: the worker asks 10 donors, the outbox sends 10 SMS.
    wait_for(lambda: len(gateway.delivered) == 10, what="the first wave's 10 SMS")
    first = list(EmergencyCall.objects.filter(request=emergency, wave=1).select_related("donor"))
    assert {c.donor_id for c in first} >= {d.pk for d in cast.living}
    assert {b["to"] for b in gateway.delivered} == {c.donor.phone for c in first}
    assert all("/e/" in b["text"] for b in gateway.delivered)

    answer(anon, first[0], "confirm")
    answer(anon, first[1], "decline")
    wait_for(lambda: len(gateway.delivered) == 11, what="the confirmed donor's directions")
    directions = gateway.delivered[-1]
    assert directions["to"] == first[0].donor.phone
    assert "+919711111111" in directions["text"]

    run_waves.delay()  # beat's tick: one of two confirmed, so a second wave
    wait_for(lambda: len(gateway.delivered) == 15, what="the second wave's 4 SMS")
    second = list(EmergencyCall.objects.filter(request=emergency, wave=2).select_related("donor"))
    assert len(second) == 4  # everyone left who may be asked

    answer(anon, second[0], "confirm")
    emergency.refresh_from_db()
    assert emergency.status == RequestStatus.FILLED
    wait_for(lambda: len(gateway.delivered) == 16, what="the second donor's directions")

    # More ticks and a wave task delivered again: nobody more is asked, nothing more sent.
    run_waves.delay()
    run_wave.delay(emergency.pk)
    run_waves.delay()
    wait_for(_drained, what="the queue to drain")
    assert EmergencyCall.objects.filter(request=emergency).count() == 14
    assert not EmergencyCall.objects.filter(wave=3).exists()
    assert len(gateway.delivered) == 16
    per_phone = Counter(b["to"] for b in gateway.delivered)
    assert per_phone[first[0].donor.phone] == 2 and per_phone[second[0].donor.phone] == 2
    assert (
        max(
            n
            for phone, n in per_phone.items()
            if phone not in {first[0].donor.phone, second[0].donor.phone}
        )
        == 1
    )
    never = {d.phone for d in cast.never.values()}
    assert never.isdisjoint(per_phone)
    coming = EmergencyCall.objects.filter(request=emergency, status=CallStatus.CONFIRMED)
    assert set(coming.values_list("donor_id", flat=True)) == {
        first[0].donor_id,
        second[0].donor_id,
    }
    assert EmergencyRequest.objects.get().waves_sent == 2


def test_stopping_after_the_first_wave_sends_no_second_wave(
    cast, coordinator, hospital, units, gateway, worker, settings
):
    from emergency.services import emergency_stop

    settings.EMERGENCY_WAVE_MINUTES = 0
    emergency = emergency_create(
        actor=coordinator,
        unit=units.knp,
        hospital=hospital,
        blood_group="O+",
        units_needed=3,
        needed_by=timezone.now() + timedelta(hours=3),
    )
    wait_for(lambda: len(gateway.delivered) == 10, what="the first wave")
    emergency_stop(emergency=emergency, actor=coordinator)
    run_waves.delay()
    run_wave.delay(emergency.pk)
    wait_for(_drained, what="the queue to drain")
    assert len(gateway.delivered) == 10
    assert not EmergencyCall.objects.filter(wave=2).exists()
