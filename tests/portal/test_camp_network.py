"""`make run` on a camp network: bound to 0.0.0.0 the portal answers the phones on the same
Wi-Fi at the machine's private address, links its messages there, hides Django's debug
pages, and prints the address and sign-ins once it answers."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.error import HTTPError

import pytest
from django.core.exceptions import ImproperlyConfigured

from donation_portal import network
from tests.helpers import settings_in_fresh_process

ROOT = Path(__file__).resolve().parents[2]
CAMP_WIFI = ["127.0.0.1", "::1", "192.168.43.10", "fe80::1", "8.8.8.8", "fd00::2"]

# Variables of the test run that would point `make run` away from its embedded default.
NOT_PASSED = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "PORTAL_BASE_URL",
    "PORTAL_HOSTS",
    "DJANGO_SETTINGS_MODULE",
}


def test_bound_to_every_interface_the_portal_answers_to_the_private_addresses():
    bind = network.parse_bind("0.0.0.0:8000")
    hosts = network.allowed_hosts(bind, addresses=CAMP_WIFI)
    assert hosts == ["localhost", "127.0.0.1", "[::1]", "192.168.43.10", "[fd00::2]"]
    # A public address and a link-local one are not the camp's Wi-Fi.
    assert "8.8.8.8" not in hosts and not any("fe80" in h for h in hosts)


def test_bound_to_localhost_the_portal_answers_to_local_names_only():
    for value in ("127.0.0.1:8000", "localhost:8000", "8000", "[::1]:8000"):
        bind = network.parse_bind(value)
        assert bind.is_local
        assert network.allowed_hosts(bind, addresses=CAMP_WIFI) == list(network.LOCAL_NAMES)


def test_bound_to_one_address_the_portal_answers_to_it_and_the_named_hosts():
    bind = network.parse_bind("192.168.43.10:8080")
    hosts = network.allowed_hosts(bind, addresses=CAMP_WIFI, extra=["camp.lan", " "])
    assert hosts == ["localhost", "127.0.0.1", "[::1]", "192.168.43.10", "camp.lan"]
    assert network.csrf_trusted_origins(bind, hosts)[-2:] == [
        "http://192.168.43.10:8080",
        "http://camp.lan:8080",
    ]


def test_the_site_url_is_where_a_phone_reaches_the_bound_server():
    assert network.site_url(network.parse_bind("0.0.0.0:8000"), addresses=CAMP_WIFI) == (
        "http://192.168.43.10:8000"
    )
    assert network.site_url(network.parse_bind("[::]:9000"), addresses=["fd00::2"]) == (
        "http://[fd00::2]:9000"
    )
    # No network at all: the machine itself.
    assert network.site_url(network.parse_bind("0.0.0.0:8000"), addresses=["127.0.0.1"]) == (
        "http://127.0.0.1:8000"
    )
    assert network.site_url(network.parse_bind("127.0.0.1:8000")) == "http://127.0.0.1:8000"


@pytest.mark.parametrize("value", ["", "0.0.0.0", "host:port", "0.0.0.0:70000", "a:b:8000"])  # noqa: S104
def test_a_bind_address_that_makes_no_sense_stops_the_start(value):
    with pytest.raises(ImproperlyConfigured, match="PORTAL_BIND"):
        network.parse_bind(value)


SHOW = """
import django
from django.conf import settings
django.setup()
print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.SITE_URL)
print(",".join(settings.ALLOWED_HOSTS))
print(settings.SECRET_KEY)
"""


def show_settings(tmp_path, **env):
    return settings_in_fresh_process(SHOW, tmp_path, **env)


def test_on_a_network_the_embedded_default_turns_debug_off_with_its_own_secret(tmp_path):
    first = show_settings(tmp_path, PORTAL_BIND="0.0.0.0:8000", PORTAL_HOSTS="camp.lan")
    debug, secure_cookies, site_url = first[0].split()
    # Plain HTTP on the camp's Wi-Fi: cookies without the Secure flag, or nobody signs in.
    assert (debug, secure_cookies) == ("False", "False")
    assert "camp.lan" in first[1].split(",")
    assert first[2] != "django-insecure-embedded-default-do-not-use-in-production"
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    # The same key next start: sessions survive a restart of the laptop.
    assert show_settings(tmp_path, PORTAL_BIND="0.0.0.0:8000")[2] == first[2]
    local = show_settings(tmp_path)
    assert local[0] == "True False http://127.0.0.1:8000"
    assert show_settings(tmp_path, SITE_URL="https://blood.example.in/")[0].endswith(
        " https://blood.example.in"
    )


def private_address():
    found = network.private_addresses(network.machine_addresses())
    v4 = [a for a in found if ":" not in a]
    return (v4 or found or [None])[0]


def free_port():
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))  # noqa: S104 (the port make run will bind everywhere)
        return s.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode()


SEND_ONE = """
import django
django.setup()
from django.utils import timezone
from donors.consent import opt_out_url
from donors.models import Donor
from notifications.sending import message_send
from notifications.services import message_enqueue
from camps.models import Camp

donor = Donor.objects.exclude(phone="").first()
camp = Camp.objects.first()
message, _ = message_enqueue(
    topic="camp-network-check", subject_key="check", recipient_key=f"donor:{donor.pk}",
    channel="sms", template="camp_announcement", due_on=timezone.localdate(),
    context={"camp": camp, "opt_out_url": opt_out_url(donor)}, phone=donor.phone,
)
print(message_send(message.pk))
"""


def test_make_run_on_0_0_0_0_answers_at_the_private_address_and_links_there(tmp_path):
    address = private_address()
    if address is None:
        pytest.skip("this machine has no private address")
    port = free_port()
    bind = f"0.0.0.0:{port}"
    environment = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
    environment.update(VAR_DIR=str(tmp_path / "var"), PORTAL_BIND=bind)
    log = tmp_path / "run.log"
    with log.open("w") as out:
        run = subprocess.Popen(
            ["make", "run"],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 420
        while "Web, worker and beat are running" not in log.read_text():
            assert run.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(1)
        printed = log.read_text()
        site = f"http://{network.as_host(address)}:{port}"
        # The box comes after the server answered, with the address and the sign-ins.
        box = printed[printed.index("Web, worker and beat are running") :]
        assert f"{site}/" in box and "coordinator" in box and "bloodbond-coord" in box
        assert printed.index("Starting development server") < printed.index("Web, worker")

        status, page = fetch(f"{site}/accounts/login/")
        assert status == 200 and "Sign in" in page
        status, css = fetch(f"{site}/static/css/portal.css")
        assert status == 200 and "--bb-tap" in css  # static files with DEBUG off
        status, page = fetch(f"{site}/no-such-page/")
        assert status == 404 and "Not found" in page
        assert "URLconf" not in page and "Using the URLconf" not in page  # no debug page

        sent = subprocess.run(
            ["uv", "run", "python", "-c", SEND_ONE],
            cwd=ROOT,
            env={
                **environment,
                "NOTIFY_QUIET_CHANNELS": "",
                "DJANGO_SETTINGS_MODULE": "donation_portal.settings",
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert sent.stdout.strip().endswith("sent"), sent.stderr
        written = "".join(p.read_text() for p in (tmp_path / "var" / "messages").glob("*.log"))
        assert re.search(re.escape(site) + r"/\S+", written), written
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        try:
            run.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
