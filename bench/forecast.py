"""The forecast and the eligible pool on a seeded database (`bench/seed.py`): each new read
beside the one it replaced, the same answer checked at that scale (issue 12).

- donors eligible today and at the page's horizons, and on the API's one day: the eligible
  pool's steps (``donors.pool.eligible_counts``) against one scan of the donor rows
  (``dashboard.demand.eligible_by_group_scan``);
- units the children need by each horizon: the calendars summed in SQL
  (``demand.units_due_by_group``) against every calendar walked in Python
  (``demand.units_due_by_walk``);
- the page's forecast, supply-risk and pool reads together (what ``dashboard_for`` asks of
  ``demand`` for them), and ``GET /api/v1/dashboard/forecast/?days=90`` through Django;
- the children's figures of the page and ``totals`` (``children_summary``), and the children
  at risk, all of them and the first few with their count.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bb_bench_state
    uv run python bench/forecast.py          # RUNS=20 by default; the old reads 3 times
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import timedelta

from common import client_as, describe_database
from django.conf import settings  # noqa: E402  (after common sets Django up)
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from dashboard import demand  # noqa: E402
from dashboard.figures import YEAR_DAYS  # noqa: E402
from dashboard.selectors import DashboardQuery  # noqa: E402

RUNS = int(os.environ.get("RUNS", "20"))
PAGE_AT_RISK = 50  # children at risk a page might list before "… and N more"
OLD_RUNS = int(os.environ.get("OLD_RUNS", "3"))


def p95(times):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(read, runs=RUNS):
    """The answer, median and p95 in ms of ``runs`` calls after one, and that one's queries
    (counted by a wrapper: a request through the test client resets ``connection.queries``)."""
    answer, times, queries = None, [], []
    with connection.execute_wrapper(lambda execute, *a: queries.append(1) or execute(*a)):
        answer = read()
    for _ in range(runs):
        started = time.perf_counter()
        answer = read()
        times.append((time.perf_counter() - started) * 1000)
    return answer, statistics.median(times), p95(times), len(queries)


def fmt(ms):
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.1f} ms"


def row(what, before, after):
    (_, b_med, b_p95, b_q), (_, a_med, a_p95, a_q) = before, after
    print(
        f"| {what} | {fmt(b_med)} / {fmt(b_p95)} ({b_q} q) | {fmt(a_med)} / {fmt(a_p95)}"
        f" ({a_q} q) | ×{b_med / a_med:,.0f} |"
    )


def page_part(query, today):
    """What ``dashboard_for`` asks of ``demand`` for the need, forecast, pool and risk."""
    horizons = sorted(set(settings.DASHBOARD_FORECAST_DAYS))
    days = [*horizons, YEAR_DAYS]
    annual = demand.annual_need_by_group(query, today)
    pool = demand.eligible_by_group_on(query, [today, *(today + timedelta(days=n) for n in days)])
    forecasts = demand.forecasts(query, days, today, pool=pool)
    risk = demand.supply_risk(query, today, annual=annual, eligible=pool[today])
    return forecasts, risk


def main() -> None:
    print(describe_database())
    print(f"load average: {os.getloadavg()}")
    today = timezone.localdate()
    horizons = sorted(set(settings.DASHBOARD_FORECAST_DAYS))
    page_days = [today] + [today + timedelta(days=n) for n in [*horizons, YEAR_DAYS]]
    untils = page_days[1:]
    print("| read | before: median / p95 (queries) | after: median / p95 (queries) | gain |")
    print("|---|---|---|---|")
    for name in ("bench-admin", "bench-coordinator"):
        user = User.objects.get(username=name)
        query = DashboardQuery(user=user, start=today, end=today)
        for label, days in (("page's 4 days", page_days), ("API's 90 days", [untils[1]])):
            before = timed(lambda q=query, d=days: demand.eligible_by_group_scan(q, d), OLD_RUNS)
            after = timed(lambda q=query, d=days: demand.eligible_by_group_on(q, d))
            assert before[0] == after[0], (before[0], after[0])
            row(f"eligible pool, {label}, {name}", before, after)
        for label, days in (("page's 3 horizons", untils), ("API's 90 days", [untils[1]])):
            before = timed(lambda q=query, d=days: demand.units_due_by_walk(q, d, today), OLD_RUNS)
            after = timed(lambda q=query, d=days: demand.units_due_by_group(q, d, today))
            assert before[0] == after[0], (before[0], after[0])
            row(f"units due, {label}, {name}", before, after)
    print()
    print("| read | median | p95 | queries |")
    print("|---|---|---|---|")
    for name in ("bench-admin", "bench-coordinator"):
        user = User.objects.get(username=name)
        query = DashboardQuery(user=user, start=today, end=today)
        _, med, top, n = timed(lambda q=query: page_part(q, today))
        print(f"| page's need, forecasts, pool and risk, {name} | {fmt(med)} | {fmt(top)} | {n} |")
        client = client_as(name)
        response = client.get("/api/v1/dashboard/forecast/?days=90")
        assert response.status_code == 200, response.status_code
        _, med, top, n = timed(lambda c=client: c.get("/api/v1/dashboard/forecast/?days=90"))
        print(f"| `dashboard/forecast/?days=90`, {name} | {fmt(med)} | {fmt(top)} | {n} |")
        for years in (1, 5):
            start = today - timedelta(days=round(365.25 * years))
            ranged = DashboardQuery(user=user, start=start, end=today)
            _, med, top, n = timed(lambda q=ranged: demand.children_summary(q, today))
            print(f"| children_summary, {years} y, {name} | {fmt(med)} | {fmt(top)} | {n} |")
        rows, med, top, n = timed(lambda q=query: demand.children_at_risk(q, today), OLD_RUNS)
        print(f"| children at risk, all {len(rows):,}, {name} | {fmt(med)} | {fmt(top)} | {n} |")
        _, med, top, n = timed(
            lambda q=query: (
                demand.children_at_risk(q, today, limit=PAGE_AT_RISK),
                demand.children_at_risk_count(q, today),
            )
        )
        print(
            f"| children at risk, first {PAGE_AT_RISK} and the count, {name} | {fmt(med)}"
            f" | {fmt(top)} | {n} |"
        )
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
