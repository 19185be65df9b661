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


def settings_in_fresh_process(script: str, tmp_path, **env) -> list[str]:
    """Run ``script`` (it calls ``django.setup()`` and prints) in a new Python process whose
    environment holds only PATH, HOME, LANG, VAR_DIR=``tmp_path`` and ``env``: settings
    read at start-up, as a deployment would start. Answers the printed lines."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    keep["DJANGO_SETTINGS_MODULE"] = "donation_portal.settings"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[1],
        env={**keep, "VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


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
