"""DATABASE_REPLICA_URL and DATABASE_POOLER (issue 17), read at start-up in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SHOW = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    alias: {"host": db.get("HOST"), "name": db.get("NAME"),
            "no_cursors": db.get("DISABLE_SERVER_SIDE_CURSORS", False),
            "test": db.get("TEST", {})}
    for alias, db in settings.DATABASES.items()
} | {"routers": settings.DATABASE_ROUTERS}))
"""

PRIMARY = "postgres://app:pw@primary.internal:5432/bloodbond"
REPLICA = "postgres://app:pw@replica.internal:5432/bloodbond"


def show(**env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_REPLICA_URL", "DATABASE_POOLER", "DEBUG", "SECRET_KEY"}
    }
    environment.update(DATABASE_URL=PRIMARY, **env)
    result = subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    return result


def test_without_a_replica_url_there_is_only_the_primary():
    result = show()
    assert result.returncode == 0, result.stderr
    databases = json.loads(result.stdout)
    assert set(databases) == {"default", "routers"}
    assert databases["routers"] == ["portal.dbrouter.ReplicaRouter"]
    assert databases["default"]["no_cursors"] is False


def test_a_replica_url_adds_the_alias_mirrored_in_tests():
    databases = json.loads(show(DATABASE_REPLICA_URL=REPLICA).stdout)
    assert databases["replica"]["host"] == "replica.internal"
    assert databases["default"]["host"] == "primary.internal"
    # The test run reads the test database through it, never the real replica.
    assert databases["replica"]["test"]["MIRROR"] == "default"


def test_pgbouncer_turns_off_server_side_cursors_on_both_aliases():
    result = show(DATABASE_REPLICA_URL=REPLICA, DATABASE_POOLER="pgbouncer")
    databases = json.loads(result.stdout)
    assert databases["default"]["no_cursors"] is True
    assert databases["replica"]["no_cursors"] is True


def test_an_unknown_pooler_stops_the_start():
    result = show(DATABASE_POOLER="pgpool")
    assert result.returncode != 0
    assert "DATABASE_POOLER" in result.stderr
