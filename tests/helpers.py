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


def follow_import_job(client, response):
    """Where a spreadsheet import page sends the browser: the job's page, after running the
    job's task body here, in the test's transaction, as the worker would
    (``tests/donors/test_import_task.py`` runs it on a real worker); or the page a refusal
    redirects to; or ``response`` itself when it is a page."""
    from urllib.parse import parse_qs, urlparse

    from donors.tasks import import_donor_sheet

    if response.status_code != 302:
        return response
    query = parse_qs(urlparse(response.url).query)
    if "job" in query:
        import_donor_sheet(query["job"][0])
    return client.get(response.url)
