"""Celery tasks of emergency requests: thin, take ids, safe to run twice (the row lock and
the unique call per donor decide)."""

import logging

from celery import shared_task
from kombu.exceptions import OperationalError as KombuOperationalError

from . import waves

log = logging.getLogger(__name__)


@shared_task
def run_wave(request_id: int) -> str:
    return waves.wave_run(request_id)


@shared_task
def run_waves() -> dict:
    """Every minute (beat): each open request whose next wave is due."""
    return waves.waves_run()


def start_waves(request_id: int) -> None:
    """Queue the first wave now; with the broker down, beat's next tick asks it."""
    try:
        run_wave.delay(request_id)
    except (KombuOperationalError, OSError) as exc:
        log.warning("broker unreachable; emergency %s waits for beat: %s", request_id, exc)
