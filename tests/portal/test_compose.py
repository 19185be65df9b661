"""docker-compose.yml is checked without a Docker engine: web, worker and beat run the same
image with the same settings, against PostgreSQL and Redis. Where Debian's docker-compose
is installed (CI installs it), its ``config`` command validates the file too."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


def resolved_with_docker_compose(*profiles):
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("BLOODBOND_CI"):
            pytest.fail("CI must install Debian's docker-compose to validate the file")
        pytest.skip("docker-compose is not installed")
    chosen = [arg for name in profiles for arg in ("--profile", name)]
    result = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), *chosen, "config"],
        env={**os.environ, "SECRET_KEY": "compose-check"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def raw():
    with open(ROOT / "docker-compose.yml") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(params=["file", "docker-compose config"])
def services(request):
    data = raw() if request.param == "file" else resolved_with_docker_compose()
    return data["services"]


def test_the_production_shape_has_every_service(services):
    assert set(services) >= {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_web_worker_and_beat_share_image_and_settings(services):
    first = services["web"]
    for name in APP_SERVICES:
        service = services[name]
        assert service["image"] == first["image"]
        assert service.get("build") == first.get("build")
        assert service["environment"] == first["environment"], name


def test_app_services_point_at_postgresql_and_redis(services):
    environment = services["web"]["environment"]
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["CELERY_BROKER_URL"].startswith("redis://")
    assert str(environment["DEBUG"]) == "0"


def test_each_app_service_runs_its_own_process(services):
    commands = {name: " ".join(services[name]["command"]) for name in APP_SERVICES}
    assert "gunicorn donation_portal.wsgi" in commands["web"]
    assert "celery -A donation_portal worker" in commands["worker"]
    assert "celery -A donation_portal beat" in commands["beat"]


def test_the_worker_runs_below_the_web_in_cpu_priority(services):
    """A spreadsheet the worker checks must not starve the pages on a shared host (issue
    13: /healthz took 1.35 s while two worker processes read a row bomb)."""
    command = services["worker"]["command"]
    assert command[:3] == ["nice", "-n", "10"]
    assert "nice" not in services["web"]["command"]


def test_compose_refuses_to_start_without_a_secret_key():
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed")
    environment = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/tmp",
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# --- the "scale" profile (issue 17) -------------------------------------------------------

SCALE_SERVICES = ("web-scale", "worker-scale", "lb", "pgbouncer", "db-replica")


@pytest.fixture(params=["file", "docker-compose --profile scale config"])
def scaled(request):
    data = raw() if request.param == "file" else resolved_with_docker_compose("scale")
    return data["services"]


def env_of(service):
    environment = service["environment"]
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return environment


def test_the_scale_profile_leaves_the_default_shape_alone(scaled):
    for name in SCALE_SERVICES:
        assert scaled[name].get("profiles") == ["scale"], name
    for name in ("db", "redis", "migrate", *APP_SERVICES):
        assert not scaled[name].get("profiles"), name
    assert scaled["web"]["ports"]  # the single web keeps its port


def test_three_web_replicas_behind_one_port_and_two_workers(scaled):
    assert scaled["web-scale"]["deploy"]["replicas"] == 3
    assert scaled["worker-scale"]["deploy"]["replicas"] == 2
    assert "ports" not in scaled["web-scale"]  # reached through lb only
    assert len(scaled["lb"]["ports"]) == 1
    mounted = " ".join(str(volume) for volume in scaled["lb"]["volumes"])
    assert "ops/nginx/scale.conf" in mounted
    conf = (ROOT / "ops/nginx/scale.conf").read_text()
    assert "server web-scale:8000" in conf and "proxy_pass http://bloodbond_web" in conf
    assert "gunicorn donation_portal.wsgi" in " ".join(scaled["web-scale"]["command"])
    assert "celery -A donation_portal worker" in " ".join(scaled["worker-scale"]["command"])


def test_scaled_app_goes_through_pgbouncer_and_reads_the_replica(scaled):
    bouncer = env_of(scaled["pgbouncer"])
    assert bouncer["POOL_MODE"] == "transaction"
    assert "@db:5432/" in bouncer["DATABASE_URL"]
    default = env_of(scaled["web"])
    for name in ("web-scale", "worker-scale"):
        environment = env_of(scaled[name])
        assert "@pgbouncer:6432/" in environment["DATABASE_URL"], name
        assert "@db-replica:5432/" in environment["DATABASE_REPLICA_URL"], name
        assert environment["DATABASE_POOLER"] == "pgbouncer", name
        # Every other setting is the single web's.
        changed = {"DATABASE_URL", "DATABASE_REPLICA_URL", "DATABASE_POOLER"}
        same = {k: v for k, v in environment.items() if k not in changed}
        assert same == {k: v for k, v in default.items() if k not in changed}, name


def test_the_replica_streams_from_the_primary(scaled):
    replica = scaled["db-replica"]
    assert replica["image"] == scaled["db"]["image"]
    command = " ".join(replica["command"])
    assert "pg_basebackup -h db" in command and " -R " in command
    mounted = " ".join(str(volume) for volume in scaled["db"]["volumes"])
    assert "allow-replication.sh:/docker-entrypoint-initdb.d/" in mounted
    assert "host replication" in (ROOT / "ops/postgres/allow-replication.sh").read_text()
