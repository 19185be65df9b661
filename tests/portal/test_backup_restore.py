"""ops/backup_restore_check.py, run against this machine's PostgreSQL (issue 17): it dumps the
test database, restores the dump into a scratch database and finds every row again. The
committed rows it counts come from a transactional test (a dump sees committed rows only)."""

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from ops.backup_restore_check import compare
from tests.factories import DonorFactory

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{quote(s['USER'])}{password}@{host}:{port}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_with_every_row(units, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump backs up PostgreSQL only (CI runs this on PostgreSQL)")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed")
    for n in range(3):
        DonorFactory(unit=units.station_a, name=f"Backed up {n}")
    kept = tmp_path / "bloodbond.dump"
    result = subprocess.run(
        [sys.executable, "ops/backup_restore_check.py", database_url(), "--keep", str(kept)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok       public.donors_donor: 3 dumped, 3 restored" in result.stdout
    assert "all restored" in result.stdout
    assert kept.stat().st_size > 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", ["%restore_check%"])
        assert cursor.fetchall() == []  # the scratch database is gone


def test_a_table_restored_short_is_reported():
    lines = compare({"public.a": 2, "public.b": 1}, {"public.a": 2, "public.b": 0})
    assert lines == [
        "ok       public.a: 2 dumped, 2 restored",
        "MISMATCH public.b: 1 dumped, 0 restored",
    ]
