"""Where a dashboard request spends its time: the page and ``dashboard/totals/`` once warm,
as the state admin and the district coordinator of a database seeded by ``bench/seed.py``.
Prints every SQL statement with its wall time (slowest first, the caller in our code that
ran it) and, with ``--profile``, pyinstrument's tree. Measures nothing the bench tables
need; it says what to remove.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bb_bench_state \\
        uv run python bench/profile_dashboard.py [--only admin] [--match page] [--profile]"""

from __future__ import annotations

import argparse
import time
import traceback
from datetime import timedelta

from common import client_as  # noqa: F401  (sets Django up)
from django.db import connection
from django.utils import timezone
from pyinstrument import Profiler

OURS = ("dashboard", "thalassemia", "donors", "notifications", "accounts")


class StatementTimer:
    """Every statement's wall time and the first frame of ours that ran it."""

    def __init__(self):
        self.rows = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            where = ""
            for frame in reversed(traceback.extract_stack()[:-1]):
                if any(f"/{room}/" in frame.filename for room in OURS):
                    where = f"{frame.filename.rsplit('/', 2)[-2]}/{frame.name}:{frame.lineno}"
                    break
            self.rows.append((elapsed, where, " ".join(sql.split())[:160]))


def requests(years: int):
    today = timezone.localdate()
    start = today - timedelta(days=round(365.25 * years))
    span = {"from": start.isoformat(), "to": today.isoformat()}
    return [
        (f"page {years} y", "/dashboard/", span),
        *(
            (f"totals by={by} {years} y", "/api/v1/dashboard/totals/", span | {"by": by})
            for by in ("month", "unit", "blood_group", "camp", "blood_centre")
        ),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="admin or coordinator")
    parser.add_argument("--match", help="profile only requests whose label holds this")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="pyinstrument's tree too")
    parser.add_argument("--top", type=int, default=15, help="statements shown")
    args = parser.parse_args()
    who = {"admin": client_as("bench-admin"), "coordinator": client_as("bench-coordinator")}
    for persona, client in who.items():
        if args.only and persona != args.only:
            continue
        for label, url, params in requests(args.years):
            if args.match and args.match not in label:
                continue
            client.get(url, params)  # warm: imports, templates, the plan cache
            timer = StatementTimer()
            profiler = Profiler(interval=0.0005) if args.profile else None
            if profiler:
                profiler.start()
            started = time.perf_counter()
            with connection.execute_wrapper(timer):
                response = client.get(url, params)
            total = (time.perf_counter() - started) * 1000
            if profiler:
                profiler.stop()
            sql = sum(row[0] for row in timer.rows)
            print(
                f"\n===== {persona}: {label} ({response.status_code}) {total:.0f} ms,"
                f" SQL {sql:.0f} ms in {len(timer.rows)} statements ====="
            )
            for elapsed, where, text in sorted(timer.rows, reverse=True)[: args.top]:
                print(f"{elapsed:8.1f} ms  {where:<45} {text}")
            if profiler:
                print(profiler.output_text(unicode=True))


if __name__ == "__main__":
    main()
