"""The camp day's queue: a donor scans the camp's QR code, pre-registers on the public join
page and gets a number; the table shows the queue and calls the next number."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from camps.models import QueueEntry
from camps.queue import join_code
from donors.choices import ConsentPurpose
from donors.models import Donor
from tests.factories import CampFactory, DonorFactory

pytestmark = pytest.mark.django_db


def join_data(**overrides):
    data = {
        "name": "Kavita Rawat",
        "phone": "98765 11111",
        "sex": "F",
        "date_of_birth": "1995-04-02",
        "blood_group": "",
        "consent": "on",
        "consent_reminders": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def camp(units):
    return CampFactory(unit=units.station_a, status="planned")


def join(client, camp, **overrides):
    return client.post(reverse("camps:join", args=[join_code(camp)]), join_data(**overrides))


def test_the_public_page_shows_the_camp_and_a_qr_code_without_signing_in(anon, camp, settings):
    settings.SITE_URL = "http://192.168.43.10:8000"
    page = anon.get(reverse("camps:join", args=[join_code(camp)]))
    html = page.content.decode()
    assert page.status_code == 200
    assert camp.venue in html and 'data-testid="join-form"' in html
    assert "<svg" in html and 'class="join-qr"' in html  # drawn on the server
    assert f"http://192.168.43.10:8000/camps/{join_code(camp)}/join/" in html


def test_a_camp_is_reached_only_by_its_signed_code(anon, camp):
    assert anon.get(f"/camps/{camp.pk}/join/").status_code == 404
    assert anon.get(f"/camps/{camp.pk}-aaaaaaaaaaaa/join/").status_code == 404
    assert anon.get("/camps/x-y/join/").status_code == 404


def test_a_new_donor_joins_with_consent_and_gets_the_next_number(anon, camp):
    response = join(anon, camp)
    assert response.status_code == 302
    donor = Donor.objects.get(phone="+919876511111")
    assert donor.unit == camp.unit and donor.verified_at is None  # staff have not seen them
    assert donor.consents.filter(withdrawn_at__isnull=True).count() == 2
    assert set(donor.consents.values_list("purpose", flat=True)) == {
        ConsentPurpose.REGISTRY,
        ConsentPurpose.REMINDERS,
    }
    page = anon.get(response["Location"]).content.decode()
    assert 'data-testid="queue-number">1<' in page
    entry = QueueEntry.objects.get(camp=camp)
    assert entry.number == 1 and entry.donor == donor
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(entry.pk)).exists()

    other = join(Client(), camp, phone="98765 22222", name="Arun Pal", sex="M")
    assert other.status_code == 302
    assert sorted(QueueEntry.objects.values_list("number", flat=True)) == [1, 2]


def test_a_known_person_joins_as_they_are_and_the_answer_tells_nothing_more(anon, camp, units):
    known = DonorFactory(
        unit=units.station_b,
        phone="+919876533333",
        name="Ramesh Gupta",
        date_of_birth=date(1995, 4, 2),
        sex="M",
    )
    response = join(anon, camp, phone="9876533333", name="ramesh  gupta", sex="F")
    assert response.status_code == 302
    known.refresh_from_db()
    assert known.sex == "M" and Donor.objects.count() == 1  # nothing changed
    page = anon.get(response["Location"]).content.decode()
    assert "Ramesh" not in page and "registered" not in page.lower()
    # Joining again keeps the same place.
    join(anon, camp, phone="9876533333", name="Ramesh Gupta")
    assert QueueEntry.objects.filter(camp=camp).count() == 1


def test_only_a_camp_on_its_day_or_the_day_before_takes_names(anon, units):
    today = timezone.localdate()
    later = CampFactory(unit=units.station_a, status="planned", held_on=today + timedelta(2))
    tomorrow = CampFactory(unit=units.station_a, status="planned", held_on=today + timedelta(1))
    closed = CampFactory(unit=units.station_a, status="closed")
    for camp in (later, closed):
        page = join(anon, camp)
        assert page.status_code == 200 and 'data-testid="join-closed"' in page.content.decode()
    assert join(anon, tomorrow, phone="98765 44444").status_code == 302
    assert QueueEntry.objects.count() == 1


def test_bad_input_answers_field_errors_and_stores_nothing(anon, camp):
    page = join(anon, camp, phone="12", date_of_birth="2030-01-01", consent="")
    assert page.status_code == 200
    assert not Donor.objects.exists() and not QueueEntry.objects.exists()
    assert "is-invalid" in page.content.decode()


def test_joining_is_rate_limited_per_address(anon, camp, settings):
    settings.CAMP_JOIN_RATE_LIMIT = "2/h"
    assert join(anon, camp, phone="98765 00001").status_code == 302
    assert join(anon, camp, phone="98765 00002").status_code == 302
    assert join(anon, camp, phone="98765 00003").status_code == 429
    assert QueueEntry.objects.count() == 2


def test_a_large_anonymous_body_is_refused(anon, camp, settings):
    settings.ANON_MAX_BODY_BYTES = 1024
    response = join(anon, camp, name="x" * 5000)
    assert response.status_code == 413 and not Donor.objects.exists()


def test_the_table_shows_the_queue_and_calls_the_next_number_once(client_for, staff_a, camp):
    camp.status = "open"
    camp.save()
    for n, phone in enumerate(["98765 00011", "98765 00012", "98765 00013"]):
        join(Client(), camp, phone=phone, name=f"Donor {n}")
    client = client_for(staff_a, htmx=True)
    panel = client.get(reverse("camps:table-queue", args=[camp.pk])).content.decode()
    assert "Queue: 3 waiting" in panel and "Donor 0" in panel
    called = client.post(reverse("camps:table-queue-next", args=[camp.pk])).content.decode()
    assert "Queue: 2 waiting" in called and "Now calling" in called
    first = QueueEntry.objects.get(number=1)
    assert first.called_by == staff_a and first.called_at is not None
    client.post(reverse("camps:table-queue-next", args=[camp.pk]))
    assert list(
        QueueEntry.objects.filter(called_at__isnull=False).values_list("number", flat=True)
    ) == [1, 2]
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(first.pk), actor=staff_a
    ).exists()


def test_the_queue_is_the_camps_units_only(client_for, staff_b, camp):
    client = client_for(staff_b)
    assert client.get(reverse("camps:table-queue", args=[camp.pk])).status_code == 404
    assert client.post(reverse("camps:table-queue-next", args=[camp.pk])).status_code == 404


def test_a_planned_camp_cannot_call_numbers(client_for, staff_a, camp):
    join(Client(), camp)
    page = client_for(staff_a, htmx=True).post(reverse("camps:table-queue-next", args=[camp.pk]))
    assert "Open the camp" in page.content.decode()
    assert not QueueEntry.objects.filter(called_at__isnull=False).exists()


def test_the_queue_panel_runs_a_bounded_number_of_queries(
    client_for, staff_a, camp, django_assert_max_num_queries
):
    for n in range(15):
        join(Client(), camp, phone=f"98765 100{n:02d}", name=f"Donor {n}")
    client = client_for(staff_a)
    with django_assert_max_num_queries(12):
        client.get(reverse("camps:table-queue", args=[camp.pk]))


def test_a_family_member_on_a_known_number_joins_as_a_new_donor(anon, camp, units):
    DonorFactory(unit=units.station_b, phone="+919876533333", name="Ramesh Gupta")
    assert join(anon, camp, phone="9876533333").status_code == 302  # Kavita Rawat
    kavita = Donor.objects.get(name="Kavita Rawat")
    assert kavita.phone == "+919876533333" and kavita.unit == camp.unit
    assert QueueEntry.objects.get(camp=camp).donor == kavita
