"""Personas and the unit tree every test can use.

The tree (codes in brackets):

    Uttar Pradesh [up] (state)
    ├── Kanpur Nagar Police Commissionerate [knp]
    │   ├── Kotwali Circle [kotwali-circle]
    │   │   ├── Kotwali [station-a]          ← staff_a
    │   │   └── Moolganj [station-a2]
    │   └── Cantt Circle [cantt-circle]
    │       └── Cantt [station-b]            ← staff_b
    └── Kanpur Dehat District [dehat]
        └── Akbarpur [station-c]

Personas: ``staff_a`` (station A), ``staff_b`` (station B), ``circle_staff`` (Kotwali
Circle), ``coordinator`` (the commissionerate), ``admin``, and ``anon`` (a client with
nobody signed in). ``client_for(user)`` gives a client signed in as that user.
"""

import os
from types import SimpleNamespace

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.choices import Role, UnitKind
from tests.factories import PoliceUnitFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def units(db):
    up = PoliceUnitFactory(name="Uttar Pradesh", kind=UnitKind.STATE, code="up")
    knp = PoliceUnitFactory(
        name="Kanpur Nagar Police Commissionerate",
        kind=UnitKind.COMMISSIONERATE,
        code="knp",
        parent=up,
    )
    kotwali_circle = PoliceUnitFactory(
        name="Kotwali Circle", kind=UnitKind.CIRCLE, code="kotwali-circle", parent=knp
    )
    station_a = PoliceUnitFactory(name="Kotwali", code="station-a", parent=kotwali_circle)
    station_a2 = PoliceUnitFactory(name="Moolganj", code="station-a2", parent=kotwali_circle)
    cantt_circle = PoliceUnitFactory(
        name="Cantt Circle", kind=UnitKind.CIRCLE, code="cantt-circle", parent=knp
    )
    station_b = PoliceUnitFactory(name="Cantt", code="station-b", parent=cantt_circle)
    dehat = PoliceUnitFactory(
        name="Kanpur Dehat District", kind=UnitKind.DISTRICT, code="dehat", parent=up
    )
    station_c = PoliceUnitFactory(name="Akbarpur", code="station-c", parent=dehat)
    return SimpleNamespace(
        up=up,
        knp=knp,
        kotwali_circle=kotwali_circle,
        station_a=station_a,
        station_a2=station_a2,
        cantt_circle=cantt_circle,
        station_b=station_b,
        dehat=dehat,
        station_c=station_c,
    )


@pytest.fixture
def staff_a(units):
    return UserFactory(username="staff_a", role=Role.STAFF, unit=units.station_a)


@pytest.fixture
def staff_b(units):
    return UserFactory(username="staff_b", role=Role.STAFF, unit=units.station_b)


@pytest.fixture
def circle_staff(units):
    return UserFactory(username="circle_staff", role=Role.STAFF, unit=units.kotwali_circle)


@pytest.fixture
def coordinator(units):
    return UserFactory(username="coordinator", role=Role.COORDINATOR, unit=units.knp)


@pytest.fixture
def admin_user(units):
    return UserFactory(username="admin", role=Role.ADMIN, unit=None)


@pytest.fixture
def anon():
    return Client()


@pytest.fixture
def client_for():
    def make(user, *, htmx=False):
        """A signed-in client; ``htmx`` sends the header htmx sends, for the steps that answer
        htmx a fragment and a native request the whole page."""
        client = Client(headers={"HX-Request": "true"} if htmx else None)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for attackers, not for the test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # API throttles and the pledge rate limit count in the cache. The embedded default keeps
    # it in files under var/, so counts would leak between tests and between runs (with time
    # frozen, a full per-minute budget answers 429): every test starts with an empty one.
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "bloodbond-tests",
        }
    }
    cache.clear()
