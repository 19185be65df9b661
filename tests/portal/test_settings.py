"""Settings come from the environment and refuse nonsense at start-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SHOW = """
import django
from django.conf import settings
django.setup()
print(settings.DEBUG, settings.STORAGES["staticfiles"]["BACKEND"], settings.TIME_ZONE,
      settings.DATABASES["default"]["ENGINE"], settings.ALLOWED_HOSTS)
"""


def run(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_embedded_default_runs_without_any_variable():
    result = run(DATABASE_URL="", CELERY_BROKER_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:4] == [
        "True",
        "django.contrib.staticfiles.storage.StaticFilesStorage",
        "Asia/Kolkata",
        "django.db.backends.sqlite3",
    ]


def test_production_refuses_to_start_without_a_secret_key():
    result = run(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_serves_hashed_static_files():
    result = run(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="blood.example.in")
    assert result.returncode == 0, result.stderr
    assert "CompressedManifestStaticFilesStorage" in result.stdout
    assert "['blood.example.in']" in result.stdout


def test_a_misspelt_boolean_stops_the_start():
    result = run(DEBUG="flase")
    assert result.returncode != 0
    assert "DEBUG='flase' is not a boolean" in result.stderr


def test_a_bad_number_stops_the_start():
    result = run(PAGE_SIZE="twenty")
    assert result.returncode != 0
    assert "PAGE_SIZE='twenty' is not a whole number" in result.stderr


def test_the_upload_caps_default_to_what_a_real_sheet_needs():
    """Issue 13: 20,000 rows and 20 MB unpacked by default, each a setting."""
    show = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.DONOR_IMPORT_MAX_ROWS, settings.IMPORT_MAX_UNPACKED_BYTES)"
    )
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DONOR_IMPORT_MAX_ROWS", "IMPORT_MAX_UNPACKED_BYTES"}
    }
    result = subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["20000", str(20 * 1024 * 1024)]
    result = subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env={**environment, "DONOR_IMPORT_MAX_ROWS": "500"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split()[0] == "500"


def test_the_reminder_scan_and_dispatch_keep_their_defaults_and_take_seconds():
    """NOTIFY_SCAN_SECONDS and NOTIFY_DISPATCH_SECONDS are for a short trial (CI's production
    smoke); unset, the scans run every NOTIFY_SCAN_MINUTES (5) and the dispatch every minute."""
    show = (
        "import django; from django.conf import settings; django.setup(); "
        "s = settings.CELERY_BEAT_SCHEDULE; "
        "print(*(int(s[k]['schedule'].total_seconds()) for k in ("
        "'thalassemia-reminders-scan', 'donors-reminders-scan', 'camps-reminders-scan', "
        "'notifications-dispatch')))"
    )
    names = {"NOTIFY_SCAN_MINUTES", "NOTIFY_SCAN_SECONDS", "NOTIFY_DISPATCH_SECONDS"}
    environment = {k: v for k, v in os.environ.items() if k not in names}

    def schedule(**env):
        result = subprocess.run(
            [sys.executable, "-c", show],
            cwd=ROOT,
            env={**environment, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert schedule() == ["300", "300", "300", "60"]
    assert schedule(NOTIFY_SCAN_MINUTES="2") == ["120", "120", "120", "60"]
    short = {"NOTIFY_SCAN_SECONDS": "5", "NOTIFY_DISPATCH_SECONDS": "3"}
    assert schedule(NOTIFY_SCAN_MINUTES="2", **short) == ["5", "5", "5", "3"]
