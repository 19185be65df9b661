"""``/healthz`` answers 200 when the database and the broker are reachable, 503 naming
what is down. "Down" is real: the subprocess cases point at a closed port."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = "127.0.0.1:9"  # discard port: nothing listens there

PROBE = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status_code": response.status_code, "body": response.json()}))
"""


def reachable_database_url():
    """The test database, as a URL a second process can open (SQLite: any file will do)."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return ""
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def probe(**env):
    """Call /healthz in a fresh process whose settings come from ``env``."""
    environment = {
        **os.environ,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": reachable_database_url(),
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_healthy_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_names_the_database_when_it_is_down():
    answer = probe(DATABASE_URL=f"postgres://nobody@{CLOSED_PORT}/none")
    assert answer["status_code"] == 503
    assert answer["body"]["database"] == "down"
    assert answer["body"]["broker"] == "ok"
    assert answer["body"]["status"] == "down: database"


def test_names_the_broker_when_it_is_down():
    answer = probe(CELERY_BROKER_URL=f"redis://{CLOSED_PORT}/0")
    assert answer["status_code"] == 503
    assert answer["body"] == {"database": "ok", "broker": "down", "status": "down: broker"}


def test_names_both_when_both_are_down():
    answer = probe(
        DATABASE_URL=f"postgres://nobody@{CLOSED_PORT}/none",
        CELERY_BROKER_URL=f"redis://{CLOSED_PORT}/0",
    )
    assert answer["status_code"] == 503
    assert answer["body"]["status"] == "down: database, broker"


def test_only_get_is_allowed(client):
    assert client.post("/healthz").status_code == 405
