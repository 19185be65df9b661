"""A real Celery worker for the donor import and export that run in one."""

import pytest
from django.conf import settings

needs_worker = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis://")
    or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="needs the Redis broker and PostgreSQL (CI sets CELERY_BROKER_URL, DATABASE_URL)",
)


@pytest.fixture
def worker(settings, tmp_path):
    """A worker in a thread on the configured broker; files kept under a fresh MEDIA_ROOT."""
    from celery.contrib.testing.worker import start_worker

    from donation_portal.celery import app

    settings.MEDIA_ROOT = tmp_path
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as w:
        yield w
