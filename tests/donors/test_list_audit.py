"""A list of donors shows their phones: each page of it, in the browser or the API, is one
audit row naming the donors shown (by id) and the filters used."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from tests.factories import DonorFactory

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def donors(units):
    return [
        DonorFactory(name="Asha Verma", unit=units.station_a, blood_group="A+"),
        DonorFactory(name="Bilal Khan", unit=units.station_b, blood_group="B-"),
        DonorFactory(name="Chitra Devi", unit=units.station_c, blood_group="A+"),
    ]


def list_events():
    return list(AuditEvent.objects.filter(action=AuditAction.VIEW, details__what="donor list"))


def test_an_api_list_is_one_audit_row_naming_the_donors_returned(
    api_client_for, coordinator, donors
):
    body = api_client_for(coordinator).get("/api/v1/donors/", {"blood_group": "A+"}).json()

    (event,) = list_events()
    assert event.actor == coordinator
    assert event.details["ids"] == [row["id"] for row in body["results"]] == [donors[0].pk]
    assert event.details["count"] == 1
    assert event.details["filters"] == {"blood_group": "A+"}


def test_the_list_page_is_one_audit_row_per_page_shown(client_for, staff_a, donors, settings):
    client = client_for(staff_a)
    client.get(reverse("donors:list"))
    client.get(reverse("donors:list"), {"q": "asha"})

    first, second = sorted(list_events(), key=lambda e: e.pk)
    assert first.details["ids"] == [donors[0].pk] and first.details["filters"] == {}
    assert second.details["filters"] == {"q": "asha"}
    assert "Bilal" not in str(first.details) + str(second.details)


def test_a_page_listing_nobody_records_nothing(client_for, api_client_for, staff_a, units):
    client_for(staff_a).get(reverse("donors:list"))
    api_client_for(staff_a).get("/api/v1/donors/")
    api_client_for(staff_a).get("/api/v1/donors/", {"blood_group": "nonsense"})
    assert list_events() == []


def test_the_audit_row_is_one_insert(api_client_for, coordinator, donors):
    client = api_client_for(coordinator)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/donors/")
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(WRITES)]
    assert len(writes) == 1 and writes[0].startswith("INSERT")
