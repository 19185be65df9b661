"""Without DATABASE_REPLICA_URL there is no ``replica`` alias and the router has no opinion:
the dashboard, its APIs and the exports read the primary like every other page (issue 17).
Runs on SQLite and PostgreSQL alike."""

import pytest
from django.conf import settings
from django.db import router
from django.urls import get_resolver

from donors.models import Donor
from portal.dbrouter import REPLICA, REPLICA_VIEWS, ReplicaRouter, replica_reads
from tests.factories import DonorFactory
from thalassemia.models import Patient

pytestmark = pytest.mark.django_db


def test_no_replica_alias_and_no_opinion_from_the_router(units):
    assert REPLICA not in settings.DATABASES
    routed = ReplicaRouter()
    with replica_reads():
        assert routed.db_for_read(Donor) is None
        assert routed.db_for_write(Donor) is None
        assert router.db_for_read(Donor) == router.db_for_write(Donor) == "default"


def test_the_dashboard_and_the_export_read_the_primary(admin_user, client_for, units):
    Patient.objects.create(
        name="Primary child", date_of_birth="2018-03-01", sex="F", unit=units.station_a
    )
    DonorFactory(unit=units.station_a, name="Primary donor")
    client = client_for(admin_user)
    assert client.get("/dashboard/").context["totals"]["children_active"] == 1
    exported = client.get("/donors/export/?format=csv")
    assert b"Primary donor" in b"".join(exported.streaming_content)


def url_names(patterns, namespace=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_view_the_replica_serves_is_a_real_url():
    """A renamed URL would silently move its reads back to the primary."""
    names = set(url_names(get_resolver().url_patterns))
    assert names >= REPLICA_VIEWS, REPLICA_VIEWS - names
