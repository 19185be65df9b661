"""A fake SMS gateway (a real HTTP server on 127.0.0.1) and a real Celery worker."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings


class FakeGateway:
    """Answers each request with the next scripted answer (an HTTP status, or "timeout":
    no answer for longer than the client waits); the last answer repeats. Records every
    request it received."""

    def __init__(self, script):
        self.script = list(script)
        self.requests = []
        self.delivered = []  # requests answered 2xx: messages the gateway took
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with gateway.lock:
                    gateway.requests.append({"headers": dict(self.headers), "json": body})
                    answer = gateway.script.pop(0) if len(gateway.script) > 1 else gateway.script[0]
                if answer == "timeout":
                    time.sleep(settings.NOTIFY_HTTP_TIMEOUT + 1.5)
                    return
                if answer == "hang":  # the sender dies before any answer
                    time.sleep(20)
                    return
                if answer == "accept-then-hang":  # took the message, the answer never left
                    with gateway.lock:
                        gateway.take(body)
                    time.sleep(20)
                    return
                with gateway.lock:
                    gateway.take(body)
                payload = json.dumps({"id": f"gw-{body.get('reference')}"}).encode()
                self.send_response(answer)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        # Like a gateway that honours our reference as its idempotency field: a request
        # whose reference it already took is answered again but not delivered again.
        self.dedupe = True
        self.taken = set()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self, body):
        reference = body.get("reference")
        if self.dedupe and reference in self.taken:
            return
        self.taken.add(reference)
        self.delivered.append(body)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    """Route SMS to a fake gateway; set its script with ``gateway.script = [...]``."""
    fake = FakeGateway([200])
    settings.NOTIFY_BACKENDS = {
        **settings.NOTIFY_BACKENDS,
        "sms": "notifications.backends.sms.Backend",
    }
    settings.NOTIFY_SMS_URL = fake.url
    settings.NOTIFY_SMS_API_KEY = "test-key"
    settings.NOTIFY_SMS_SENDER_ID = "BLDBND"
    settings.NOTIFY_SMS_DLT_ENTITY_ID = "1101000000000000001"
    settings.NOTIFY_SMS_DLT_TEMPLATE_IDS = {"guardian_transfusion_due": "1107000000000000042"}
    settings.NOTIFY_HTTP_TIMEOUT = 1
    settings.NOTIFY_QUIET_CHANNELS = []  # quiet hours have their own tests
    yield fake
    fake.close()


needs_redis = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis://")
    or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    # In-memory SQLite shares one cache between the test and the worker thread and locks
    # whole tables across them: these run on PostgreSQL, as CI does.
    reason="needs the Redis broker and PostgreSQL (CI sets CELERY_BROKER_URL, DATABASE_URL)",
)


@pytest.fixture
def worker():
    """A real Celery worker in a thread, on the configured (Redis) broker."""
    from celery.contrib.testing.worker import start_worker

    from donation_portal.celery import app

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as w:
        yield w


def wait_for(condition, *, seconds=60, what="the condition"):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen in {seconds} s"
        time.sleep(0.2)
