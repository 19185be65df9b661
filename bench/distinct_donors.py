"""Distinct donors and the eligible pool on a seeded database (`bench/seed.py`): each new
read beside the one it replaced, the same answer checked at that scale.

- donors who donated, were deferred, gave again in a range ending today: ``DonorCount`` (how
  many donors of a subtree have each last day, ``dashboard.selectors._donors_counted``) against
  ``COUNT(DISTINCT donor_id)`` over ``DonorDay`` (the read before, still used for a range
  that ends before the latest donation);
- donors eligible today and at the page's horizons (30, 90, 365 days): one scan with a
  ``FILTER`` per day (``dashboard.demand.eligible_by_group_on``) against one query per day.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bb_bench_state
    uv run python bench/distinct_donors.py
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import timedelta

from common import describe_database
from django.utils import timezone  # noqa: E402  (after common sets Django up)

from accounts.models import User  # noqa: E402
from dashboard import demand  # noqa: E402
from dashboard.selectors import (  # noqa: E402
    DashboardQuery,
    _donors_counted,
    donors_counted_by_day,
)

RUNS = int(os.environ.get("RUNS", "5"))


def timed(read):
    answer, times = None, []
    for _ in range(RUNS):
        started = time.perf_counter()
        answer = read()
        times.append((time.perf_counter() - started) * 1000)
    return answer, statistics.median(times), max(times)


def main() -> None:
    print(describe_database())
    today = timezone.localdate()
    for name in ("bench-admin", "bench-coordinator"):
        user = User.objects.get(username=name)
        for years in (1, 5):
            query = DashboardQuery(user=user, start=today - timedelta(days=365 * years), end=today)
            before, b_med, b_max = timed(lambda q=query: donors_counted_by_day(q))
            after, a_med, a_max = timed(lambda q=query: _donors_counted(q))
            assert before == after, (before, after)
            print(
                f"distinct donors, {years} y, {name}: DonorDay {b_med:.1f} ms (max {b_max:.1f})"
                f" -> DonorCount {a_med:.1f} ms (max {a_max:.1f}); equal: {after}"
            )
        query = DashboardQuery(user=user, start=today, end=today)
        days = [today] + [today + timedelta(days=n) for n in (30, 90, 365)]
        before, b_med, b_max = timed(
            lambda q=query, days=days: {d: demand.eligible_by_group(q, d) for d in days}
        )
        after, a_med, a_max = timed(lambda q=query, days=days: demand.eligible_by_group_on(q, days))
        assert before == after, (before, after)
        print(
            f"eligible pool, 4 days, {name}: a query a day {b_med:.1f} ms (max {b_max:.1f})"
            f" -> one scan {a_med:.1f} ms (max {a_max:.1f}); equal"
        )


if __name__ == "__main__":
    main()
