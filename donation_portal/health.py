"""``/healthz``: is the database reachable, is the broker reachable."""

import logging

from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 3


def _database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure to reach the database means "down"
        logger.exception("healthz: database unreachable")
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:  # kombu raises many kinds; all of them mean "down"
        logger.exception("healthz: broker unreachable")
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    down = [name for name, ok in checks.items() if not ok]
    body = {name: "ok" if ok else "down" for name, ok in checks.items()}
    body["status"] = "ok" if not down else "down: " + ", ".join(down)
    return JsonResponse(body, status=503 if down else 200)
