"""`make run`'s last word: wait until the portal answers ``/healthz``, the worker answers a
ping and beat has opened its schedule, then print the addresses to open (with a QR code a
phone scans) and the demo sign-ins in a box.

Started by honcho beside web, worker and beat (Procfile.dev), so the box comes after the
server listens, not seconds before; it then stays running (honcho stops every process when
one ends) and prints nothing more. Celery runs quiet (warnings only) and, on a camp network,
so do the request lines, so the box stays on the screen.
"""

import io
import time
import urllib.request
from pathlib import Path
from urllib.error import URLError

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import User
from donation_portal import network
from donation_portal.management.commands.load_demo import USERS

POLL_SECONDS = 0.5


def health_url(bind: network.Bind) -> str:
    """Where this machine itself reaches the server (a wildcard bind listens on loopback)."""
    host = "127.0.0.1" if bind.is_wildcard or bind.is_local else network.as_host(bind.host)
    return f"http://{host}:{bind.port}/healthz"


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 (our own http URL)
            return response.status == 200
    except (URLError, OSError):
        return False


def worker_answers() -> bool:
    """A Celery worker answers a ping over the broker (works on the filesystem transport)."""
    from donation_portal.celery import app

    try:
        return bool(app.control.ping(timeout=1))
    except Exception:  # a broker not up yet is "not yet", whatever kombu raises
        return False


def beat_started(*, since: float) -> bool:
    """Beat writes its schedule file as it starts: one written since we started is ours."""
    schedule = Path(settings.CELERY_BEAT_SCHEDULE_FILENAME)
    return any(path.stat().st_mtime >= since for path in schedule.parent.glob(schedule.name + "*"))


def qr_lines(url: str) -> list[str]:
    """A QR code of ``url`` drawn with half blocks (two modules a character row)."""
    import segno

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue().rstrip("\n").splitlines()


def boxed(lines: list[str]) -> str:
    width = max(len(line) for line in lines)
    rule = "═" * (width + 2)
    body = [f"║ {line.ljust(width)} ║" for line in lines]
    return "\n".join([f"╔{rule}╗", *body, f"╚{rule}╝"])


def demo_sign_ins() -> list[str]:
    present = set(
        User.objects.filter(username__in=[row[0] for row in USERS], is_active=True).values_list(
            "username", flat=True
        )
    )
    return [
        f"  {username:15} / {password:16} {role.label}"
        for username, password, role, *_ in USERS
        if username in present
    ]


class Command(BaseCommand):
    help = "Wait for the portal to answer, then print its address, a QR code and the sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=int, default=300, help="seconds to wait")
        parser.add_argument("--exit", action="store_true", help="exit after printing")

    def handle(self, *args, timeout, exit, **options):
        started = time.time()
        bind = settings.PORTAL_BIND
        url = health_url(bind)
        checks = {
            "web": lambda: answers(url),
            "worker": worker_answers,
            "beat": lambda: beat_started(since=started),
        }
        waiting = dict(checks)
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            waiting = {name: check for name, check in waiting.items() if not check()}
            if waiting:
                time.sleep(POLL_SECONDS)
        self.stdout.write(self.box(bind, down=list(waiting)))
        self.stdout.flush()
        while not exit:
            time.sleep(3600)

    def box(self, bind: network.Bind, *, down=()) -> str:
        site = f"{settings.SITE_URL}/"
        if down:
            status = "Not answering yet: " + ", ".join(down) + " (see the lines above)."
        else:
            status = "Web, worker and beat are running."
        lines = [f"{settings.PORTAL_NAME}: {status}", ""]
        if bind.is_local:
            lines += [
                f"Open {site}",
                "(this computer only: PORTAL_BIND=0.0.0.0:8000 serves phones)",
            ]
        else:
            lines += [
                f"On a phone on the same Wi-Fi, open {site}",
                "or scan this code with the phone's camera:",
                *qr_lines(site),
                f"On this computer: http://127.0.0.1:{bind.port}/",
            ]
            others = [h for h in settings.ALLOWED_HOSTS if h not in network.LOCAL_NAMES]
            if len(others) > 1:
                lines.append("Also answers to: " + ", ".join(others))
        sign_ins = demo_sign_ins()
        if sign_ins:
            lines += ["", "Sign in with (username / password, role):", *sign_ins]
            if not bind.is_local:
                lines.append("Demo passwords are public: anyone on this network can use them.")
        lines += ["", "Ctrl-C stops web, worker and beat."]
        return boxed(lines)
