"""Shared set-up for the benchmarks: a throw-away database filled at a force's scale, and a
timer that prints figures. Benchmarks measure; they never pass or fail on a stopwatch.

The database is a fresh SQLite file under a temporary VAR_DIR unless DATABASE_URL points at
a PostgreSQL database made for the run (never the development or test database)."""

import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "donation_portal.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bloodbond-bench-"))
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

GROUPS = ["O+", "B+", "A+", "AB+", "O-", "B-", "A-", "AB-", "Oh"]
# Roughly India's ABO/RhD spread (B+ and O+ most common); Oh about 1 in 10,000.
GROUP_WEIGHTS = [32, 31, 22, 8, 2, 2, 1.5, 0.5, 0.01]


def build_force() -> None:
    """Migrate and load the demo force (units and one user of each role)."""
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())


def station_units():
    from accounts.choices import UnitKind
    from accounts.models import PoliceUnit

    return list(PoliceUnit.objects.filter(kind=UnitKind.STATION).order_by("path"))


def make_donors(count: int, *, seed: int = 7, today: date | None = None) -> None:
    """``count`` verified donors spread over the stations, a third with one or two past
    donations and one in twenty with a deferral, written in bulk."""
    from django.utils import timezone

    from donors.models import Deferral, Donation, Donor

    rng = random.Random(seed)
    today = today or timezone.localdate()
    units = station_units()
    now = timezone.now()
    donors = [
        Donor(
            name=f"Donor {i:06d}",
            sex=rng.choice("MMMF"),
            date_of_birth=date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45)),
            blood_group=rng.choices(GROUPS, GROUP_WEIGHTS)[0],
            phone=f"+9170{i:08d}",
            weight_kg=Decimal(rng.randrange(48, 95)),
            unit=rng.choice(units),
            living_blood_bank=rng.random() < 0.1,
            verified_at=now,
        )
        for i in range(count)
    ]
    Donor.objects.bulk_create(donors, batch_size=2000)
    ids = list(Donor.objects.values_list("id", flat=True))
    donations, deferrals = [], []
    for n, donor_id in enumerate(ids):
        for _ in range(rng.choice((0, 0, 1, 2))):
            donations.append(
                Donation(
                    donor_id=donor_id,
                    donated_on=today - timedelta(days=rng.randrange(1, 700)),
                    bag_volume_ml=350,
                    bag_number=f"B{n:07d}{len(donations)}",
                )
            )
        if n % 20 == 0:
            start = today - timedelta(days=rng.randrange(1, 200))
            deferrals.append(
                Deferral(
                    donor_id=donor_id,
                    category="tattoo",
                    starts_on=start,
                    until=start + timedelta(days=365),
                )
            )
    Donation.objects.bulk_create(donations, batch_size=2000)
    Deferral.objects.bulk_create(deferrals, batch_size=2000)
    analyse()


def analyse() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would in a running
    database; without it PostgreSQL plans for empty tables."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def client_as(username: str) -> Client:
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def measure(label: str, fn, *, runs: int = 7) -> dict:
    """Call ``fn`` ``runs`` times after one warm-up; print the median and worst wall time
    and the SQL query count of the last call."""
    fn()
    times = []
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - started) * 1000)
        status = getattr(result, "status_code", "")
    figures = {
        "label": label,
        "median_ms": statistics.median(times),
        "max_ms": max(times),
        "queries": len(ctx.captured_queries),
        "status": status,
    }
    print(
        f"{label:<58} median {figures['median_ms']:8.1f} ms   max {figures['max_ms']:8.1f} ms"
        f"   {figures['queries']:3d} queries   {status}"
    )
    return figures


def describe_database() -> str:
    return f"{connection.vendor} ({connection.settings_dict['NAME']})"
