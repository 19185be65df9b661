"""The emergency pages: who may open them, what they show, the stop button, the donor's
answer page, and query counts that do not grow with the rows."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import AuditEvent
from emergency.choices import CallStatus, RequestStatus
from emergency.models import EmergencyCall, EmergencyRequest
from emergency.services import emergency_create
from emergency.waves import wave_run
from tests.factories import HospitalFactory, UserFactory
from tests.helpers import assert_queries_bounded

pytestmark = pytest.mark.django_db


def make_request(actor, unit, hospital, **fields):
    emergency = emergency_create(
        actor=actor,
        unit=unit,
        hospital=hospital,
        blood_group=fields.get("blood_group", "O+"),
        units_needed=fields.get("units_needed", 2),
        needed_by=timezone.now() + timedelta(hours=4),
    )
    wave_run(emergency.pk)
    return EmergencyRequest.objects.get(pk=emergency.pk)


@pytest.fixture
def emergency(cast, coordinator, hospital, units):
    return make_request(coordinator, units.knp, hospital)


@pytest.fixture
def dehat_coordinator(units):
    return UserFactory(username="dehat_coord", role=Role.COORDINATOR, unit=units.dehat)


def test_anonymous_visitors_are_sent_to_sign_in_and_station_staff_are_refused(
    emergency, anon, client_for, staff_a
):
    pages = [
        reverse("emergency:list"),
        reverse("emergency:create"),
        reverse("emergency:detail", args=[emergency.pk]),
    ]
    for url in pages:
        assert anon.get(url).status_code == 302
        assert client_for(staff_a).get(url).status_code == 403
    assert (
        client_for(staff_a).post(reverse("emergency:stop", args=[emergency.pk])).status_code == 403
    )
    assert EmergencyRequest.objects.get().status == RequestStatus.OPEN


def test_a_coordinator_of_another_force_sees_neither_the_request_nor_its_donors_phones(
    emergency, client_for, dehat_coordinator
):
    client = client_for(dehat_coordinator)
    assert client.get(reverse("emergency:detail", args=[emergency.pk])).status_code == 404
    assert client.post(reverse("emergency:stop", args=[emergency.pk])).status_code == 404
    listing = client.get(reverse("emergency:list")).content.decode()
    assert "Lala Lajpat Rai" not in listing
    assert EmergencyRequest.objects.get().status == RequestStatus.OPEN


def test_the_request_page_shows_who_was_asked_who_answered_and_who_is_coming(
    emergency, cast, client_for, coordinator
):
    calls = list(EmergencyCall.objects.filter(request=emergency).select_related("donor"))
    client = client_for(coordinator)
    assert client.post(reverse("emergency:answer", args=[calls[0].code]), {"answer": "confirm"})
    client.post(reverse("emergency:answer", args=[calls[1].code]), {"answer": "decline"})
    page = client.get(reverse("emergency:detail", args=[emergency.pk])).content.decode()
    assert "1 of 2 coming" in page
    assert "10 asked in 1 wave ·" in page
    assert page.count('data-testid="call"') == 10
    assert page.count('data-status="confirmed"') == 1
    assert page.count('data-status="declined"') == 1
    assert calls[0].donor.phone in page
    assert "Living blood bank" in page
    # Donors' phones on screen: the view is in the audit log.
    assert AuditEvent.objects.filter(
        actor=coordinator, action="view", object_id=str(emergency.pk)
    ).exists()


def test_the_stop_button_stops_the_waves(emergency, client_for, coordinator):
    client = client_for(coordinator)
    response = client.post(reverse("emergency:stop", args=[emergency.pk]), follow=True)
    assert "no more donors will be called" in response.content.decode()
    emergency.refresh_from_db()
    assert emergency.status == RequestStatus.STOPPED
    assert wave_run(emergency.pk, now=timezone.now() + timedelta(hours=1)) == "closed"
    assert EmergencyCall.objects.filter(wave=2).count() == 0
    # Pressed again: said so, nothing changes.
    again = client.post(reverse("emergency:stop", args=[emergency.pk]), follow=True)
    assert again.status_code == 200
    assert "no longer calling" in again.content.decode()


def test_recording_a_need_on_the_page_starts_the_first_wave(
    cast, client_for, coordinator, hospital, units
):
    needed_by = timezone.localtime() + timedelta(hours=3)
    response = client_for(coordinator).post(
        reverse("emergency:create"),
        {
            "hospital": hospital.pk,
            "blood_group": "O+",
            "units_needed": "3",
            "needed_by": needed_by.strftime("%Y-%m-%dT%H:%M"),
            "unit": units.knp.pk,
        },
    )
    emergency = EmergencyRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("emergency:detail", args=[emergency.pk])
    assert emergency.created_by == coordinator and emergency.units_needed == 3


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"units_needed": "abc", "needed_by": "yesterday", "blood_group": "Q"},
        {"units_needed": "0", "needed_by": "2020-01-01T10:00"},
        {"unit": "999999", "hospital": "999999"},
        {"units_needed": "99", "needed_by": "2099-01-01T10:00"},
    ],
)
def test_bad_input_shows_field_errors_and_records_nothing(
    client_for, coordinator, hospital, units, data
):
    form = {
        "hospital": hospital.pk,
        "blood_group": "O+",
        "units_needed": "2",
        "needed_by": (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "unit": units.knp.pk,
    }
    form = {**form, **data} if data else {}
    response = client_for(coordinator).post(reverse("emergency:create"), form)
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not EmergencyRequest.objects.exists()


def test_a_coordinator_cannot_record_a_need_for_a_unit_of_another_force(
    client_for, coordinator, hospital, units
):
    response = client_for(coordinator).post(
        reverse("emergency:create"),
        {
            "hospital": hospital.pk,
            "blood_group": "O+",
            "units_needed": "2",
            "needed_by": (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "unit": units.dehat.pk,
        },
    )
    assert response.status_code == 200
    assert not EmergencyRequest.objects.exists()


def test_the_list_runs_the_same_few_queries_whatever_the_number_of_requests(
    client_for, admin_user, units, coordinator
):
    client = client_for(admin_user)
    hospitals = [HospitalFactory() for _ in range(3)]
    make_request(coordinator, units.knp, hospitals[0])

    def grow():
        for i in range(12):
            make_request(coordinator, units.station_a, hospitals[i % 3], units_needed=1 + i % 4)

    assert_queries_bounded(lambda: client.get(reverse("emergency:list")), grow, maximum=10)


# --- the donor's answer page -------------------------------------------------------------


def test_opening_the_link_changes_nothing_and_confirming_shows_where_to_go(emergency, anon):
    call = EmergencyCall.objects.filter(request=emergency).first()
    url = reverse("emergency:answer", args=[call.code])
    page = anon.get(url)
    assert page.status_code == 200
    assert 'data-state="ask"' in page.content.decode()
    call.refresh_from_db()
    assert call.status == CallStatus.ASKED
    done = anon.post(url, {"answer": "confirm"}).content.decode()
    assert "Swaroop Nagar, Kanpur 208002" in done
    assert "Dr Anita Verma" in done and "+919711111111" in done
    call.refresh_from_db()
    assert call.status == CallStatus.CONFIRMED
    # The link again: the same address, no second answer.
    again = anon.post(url, {"answer": "decline"}).content.decode()
    assert 'data-state="used"' in again and "Swaroop Nagar" in again
    call.refresh_from_db()
    assert call.status == CallStatus.CONFIRMED


@pytest.mark.parametrize("code", ["nothing1", "x" * 40, "%00", "abc'--"])
def test_a_made_up_link_answers_404_and_changes_nothing(emergency, anon, code):
    response = anon.post(f"/e/{code}/", {"answer": "confirm"})
    assert response.status_code == 404
    assert not EmergencyCall.objects.exclude(status=CallStatus.ASKED).exists()


def test_the_link_is_short_enough_for_an_sms(emergency):
    call = EmergencyCall.objects.filter(request=emergency).first()
    assert re.fullmatch(r"/e/[A-Za-z0-9]{8}/", reverse("emergency:answer", args=[call.code]))
