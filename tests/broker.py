"""The Celery broker really down, for the pages that queue a task on a click."""

from contextlib import contextmanager

CLOSED_BROKER = "redis://127.0.0.1:1/0"  # port 1: nothing listens there


@contextmanager
def broker_down():
    """Point the Celery app at a port nothing listens on, as when Redis is down: every
    ``.delay()`` meets a refused connection (no mock: kombu's own error)."""
    from donation_portal.celery import app

    saved = app.conf.broker_url, app.conf.broker_write_url
    app.conf.broker_url = app.conf.broker_write_url = CLOSED_BROKER
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_write_url = saved
        app._pool = None
        app.amqp._producer_pool = None
