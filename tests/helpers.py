"""Assertions shared by every app's tests."""

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def assert_queries_bounded(fn, grow, *, maximum: int):
    """Call ``fn`` (a request, say), let ``grow`` add many more rows, call ``fn`` again: the
    number of SQL queries must not change with the row count and must stay under ``maximum``.
    Proves a list page or API list has no N+1, whatever the data size."""
    before = count_queries(fn)
    grow()
    after = count_queries(fn)
    assert after == before, f"query count grew with the rows: {before} → {after}"
    assert after <= maximum, f"{after} queries, more than the {maximum} allowed"
    return after


@contextmanager
def no_queries_beyond(maximum: int):
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    assert len(ctx.captured_queries) <= maximum, (
        f"{len(ctx.captured_queries)} queries, more than {maximum}:\n"
        + "\n".join(q["sql"] for q in ctx.captured_queries)
    )
