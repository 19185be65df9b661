"""The donor import at a state's size (issue 12: 10,000 rows, dry run and apply, ≤ 5 s),
timed through the functions the import task runs: read the sheet, check every row (the dry
run), then read, check again and write them all (the apply), on a database seeded by
``bench/seed.py`` (it needs the ``bench-admin`` persona and the first force's stations).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bb_bench_state \\
        uv run python bench/import_donors.py --rows 10000 --runs 3

Each run imports a fresh sheet of new numbers (the apply writes them: reseed before
comparing two databases). Prints the wall time and query count of each step, and beside the
apply a ``COPY`` of the same rows into a temporary table; asserts nothing about time."""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import time
from datetime import timedelta

from common import describe_database
from django.db import connection  # noqa: E402  (after common sets Django up)
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from seed import FIRST_NAMES, LAST_NAMES, MOBILE_PREFIXES

COLUMNS = ["name", "sex", "date_of_birth", "blood_group", "phone", "unit", "consent_registry"]


def sheet(
    rows: int, stations: list[str], rng: random.Random, tag: str, *, seeded_names: bool = False
) -> bytes:
    """``rows`` donors with numbers nobody has registered, spread over ``stations``. Named
    "Imported <tag>-<n>" (their names sort together: the name indexes take them in one
    place), or with ``seeded_names`` as the seeder names people (first and last names drawn
    from its lists: every row lands somewhere else in the name indexes, as real names do)."""
    from donors.models import Donor

    today = timezone.localdate()
    phones = {
        f"+91{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}" for _ in range(rows * 2)
    }
    taken = set()
    ordered = sorted(phones)
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start : start + 5000]
        taken.update(Donor.objects.filter(phone__in=chunk).values_list("phone", flat=True))
    phones = sorted(phones - taken)[:rows]
    rng.shuffle(phones)
    if len(phones) < rows:
        raise SystemExit("could not find enough unregistered numbers")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for n, phone in enumerate(phones):
        born = today - timedelta(days=rng.randrange(19 * 365, 50 * 365))
        group = rng.choice(["O+", "B+", "A+", "AB+"])
        name = f"Imported {tag}-{n}"
        if seeded_names:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        writer.writerow(
            [
                name,
                rng.choice("MF"),
                born.isoformat(),
                group,
                phone,
                stations[n % len(stations)],
                "yes",
            ]
        )
    return out.getvalue().encode()


def timed(step):
    """(result, wall seconds, this process's CPU seconds, queries): on a shared machine the
    CPU time says what the Python side costs whatever the load; the rest of the wall time
    is waiting for a core or for PostgreSQL."""
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        result = step()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return result, seconds, cpu, len(queries.captured_queries)


def copy_anchor(data: bytes) -> float:
    """The same rows COPYed into a temporary table: the floor for writing them."""
    text = "\n".join("\t".join(row) for row in list(csv.reader(io.StringIO(data.decode())))[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_import_anchor (name text, sex text, "
            "date_of_birth date, blood_group text, phone text, unit text, consent text)"
        )
        cursor.execute("TRUNCATE bench_import_anchor")
        started = time.perf_counter()
        cursor.copy_expert("COPY bench_import_anchor FROM STDIN", io.StringIO(text))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--seeded-names",
        action="store_true",
        help="name the donors as the seeder does (spread over the name indexes)",
    )
    args = parser.parse_args()

    from django.conf import settings

    from accounts.models import PoliceUnit, User
    from donors import spreadsheets
    from donors.models import Donor

    settings.DEBUG = False
    admin = User.objects.get(username="bench-admin")
    force = User.objects.get(username="bench-coordinator").unit
    stations = list(
        PoliceUnit.objects.filter(path__startswith=force.path, kind="station")
        .order_by("path")
        .values_list("code", flat=True)
    )
    print(f"database: {describe_database()}; donors {Donor.objects.count():,}")
    rng = random.Random(time.time_ns())  # new numbers on every run
    figures = {"dry run": [], "apply": [], "anchor": [], "together": [], "cpu": []}
    for run in range(args.runs):
        data = sheet(
            args.rows,
            stations,
            rng,
            f"{timezone.now():%H%M%S}-{run}",
            seeded_names=args.seeded_names,
        )

        def dry_run(data=data):
            table = spreadsheets.read_donor_file(data, filename="donors.csv")
            return spreadsheets.check_donor_rows(table=table, user=admin)

        def apply(data=data):
            table = spreadsheets.read_donor_file(data, filename="donors.csv")
            return spreadsheets.import_donors(table=table, actor=admin)

        report, dry_s, dry_cpu, dry_q = timed(dry_run)
        assert report.ok, report.errors[:5]
        report, apply_s, apply_cpu, apply_q = timed(apply)
        assert report.applied == len(report.results), report.errors[:5]
        anchor = copy_anchor(data)
        figures["dry run"].append(dry_s)
        figures["apply"].append(apply_s)
        figures["anchor"].append(anchor)
        figures["together"].append(dry_s + apply_s)
        figures["cpu"].append(dry_cpu + apply_cpu)
        print(
            f"run {run + 1}: {args.rows:,} rows: dry run {dry_s:.2f} s ({dry_cpu:.2f} s CPU, "
            f"{dry_q} queries), apply {apply_s:.2f} s ({apply_cpu:.2f} s CPU, {apply_q} "
            f"queries), together {dry_s + apply_s:.2f} s ({dry_cpu + apply_cpu:.2f} s CPU); "
            f"COPY anchor {anchor * 1000:.1f} ms; load average {os.getloadavg()[0]:.1f}"
        )
    print(
        f"median of {args.runs}: dry run {statistics.median(figures['dry run']):.2f} s, "
        f"apply {statistics.median(figures['apply']):.2f} s, together "
        f"{statistics.median(figures['together']):.2f} s "
        f"({statistics.median(figures['cpu']):.2f} s CPU in this process), COPY "
        f"{statistics.median(figures['anchor']) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
