"""Three .xlsx bombs at once against production-like settings (issue 13): does /healthz still
answer in under a second?

Builds a ~300 KB .xlsx whose one sheet unpacks to ~97 MB of repeated inline strings (and a
~170 KB one of 19.5 MB in 48,176 short rows), starts gunicorn with 3 workers and DEBUG=0 and
a Celery worker (2 processes, as docker-compose runs it) on the PostgreSQL database
DATABASE_URL names (it must be called ``bb_bench…``: the script migrates it and adds a
user), signs three staff sessions in and posts each bomb to the donor import page from all
three at once. The page only keeps the file and queues the check: the script times that
answer (what a web worker does), then polls each job's page until the worker has refused
the file (what the worker does), and probes /healthz every 0.1 s all along. Prints the
figures; fails on nothing.

    createdb -h 127.0.0.1 -U postgres bb_bench_bombs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bb_bench_bombs \\
      CELERY_BROKER_URL=redis://127.0.0.1:6379/0 uv run python bench/xlsx_bombs.py
"""

import argparse
import io
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import requests

ROOT = Path(__file__).resolve().parent.parent
USERNAME, PASSWORD = "bench_bomber", "bench-bomber-pass-1"

HEADER = ["name", "sex", "date_of_birth", "blood_group", "phone", "unit"]


def build_bomb(unpacked_mb: float = 97, cell_chars: int = 2000) -> tuple[bytes, int]:
    """An .xlsx (a zip) whose sheet is ``unpacked_mb`` MB of rows of long inline strings,
    written in pieces so the script itself never holds the unpacked sheet. Answers the
    file's bytes and the sheet's unpacked size."""

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    filler = "A" * cell_chars
    row = "".join(cell(f"{col}2", filler) for col in "ABCDEF")
    # A real workbook from openpyxl (content types, relations, styles), whose one sheet is
    # then replaced by the streamed bomb.
    template = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.title = "donors"
    workbook.active.append(HEADER)
    workbook.save(template)
    buffer = io.BytesIO()
    unpacked = 0
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book,
    ):
        for member in source.namelist():
            if member != "xl/worksheets/sheet1.xml":
                book.writestr(member, source.read(member))
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            head = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                '<sheetData><row r="1">'
                + "".join(cell(f"{c}1", h) for c, h in zip("ABCDEF", HEADER, strict=True))
                + "</row>"
            ).encode()
            sheet.write(head)
            unpacked += len(head)
            number = 2
            while unpacked < unpacked_mb * 1_000_000 - 100:
                piece = f'<row r="{number}">{row}</row>'.encode()
                sheet.write(piece)
                unpacked += len(piece)
                number += 1
            tail = b"</sheetData></worksheet>"
            sheet.write(tail)
            unpacked += len(tail)
    return buffer.getvalue(), unpacked


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def prepare(env: dict) -> None:
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(
        env,
        "shell",
        "-c",
        "from accounts.models import User, PoliceUnit\n"
        "unit = PoliceUnit.objects.first() or PoliceUnit.add_root("
        "name='Bench force', kind='commissionerate', code='bench-force')\n"
        f"u, _ = User.objects.get_or_create(username='{USERNAME}', "
        "defaults={'role': 'coordinator', 'unit': unit})\n"
        f"u.set_password('{PASSWORD}'); u.is_active = True; u.save()\n",
    )


def signed_in(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=30)
    answer = session.post(
        f"{base}/accounts/login/",
        data={
            "username": USERNAME,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    if "sessionid" not in session.cookies:
        raise SystemExit(f"sign-in failed: HTTP {answer.status_code}")
    return session


def said_on(html: str) -> str:
    """What a page said about the file: the form's error or the check's summary."""
    chunks = re.findall(r"(?:invalid-feedback|alert)[^>]*>(.{3,300}?)</(?:span|div)", html)
    return " / ".join(re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in chunks[:2]) or "-"


def upload(
    base: str,
    session: requests.Session,
    bomb: bytes,
    results: list,
    index: int,
    filename: str = "bomb.xlsx",
):
    """Post the bomb (the web's part: the answer is a redirect to the job's page), then poll
    that page as the browser would until the worker's verdict is on it."""
    session.get(f"{base}/donors/import/", timeout=30)
    started = time.perf_counter()
    web = worker = None
    try:
        answer = session.post(
            f"{base}/donors/import/",
            data={"csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
            files={"file": (filename, bomb, "application/octet-stream")},
            headers={"Referer": f"{base}/donors/import/"},
            timeout=120,
            allow_redirects=False,
        )
        web = time.perf_counter() - started
        status = answer.status_code
        if status in (301, 302, 303) and "job=" in answer.headers.get("Location", ""):
            job_page = requests.compat.urljoin(base, answer.headers["Location"])
            while True:  # the worker's part, polled every 0.2 s
                page = session.get(job_page, timeout=120)
                if 'data-testid="import-progress"' not in page.text:
                    break
                if time.perf_counter() - started > 600:
                    raise requests.Timeout("the worker did not finish in 10 minutes")
                time.sleep(0.2)
            worker = time.perf_counter() - started - web
            said = said_on(page.text)
        else:  # refused (or read) by the web process itself
            said = said_on(answer.text)
    except requests.RequestException as error:
        status, said = type(error).__name__, ""
    results[index] = (status, web, worker, said)


def probe(base: str) -> float | None:
    started = time.perf_counter()
    try:
        requests.get(f"{base}/healthz", timeout=90).raise_for_status()
    except requests.RequestException:
        return None
    return time.perf_counter() - started


def worker_peak_rss_mb(master_pid: int) -> list[float]:
    """Each child's peak resident memory (VmHWM), from /proc: gunicorn's or Celery's
    worker processes."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) / 1024)
    return sorted(peaks)


def warm_up(base: str, times: int = 6) -> None:
    """A few one-row uploads first, so each web worker has imported its views and opened its
    broker connection (as a running site has) before the bombs are timed."""
    session = signed_in(base)
    sheet = (",".join(HEADER) + "\nAsha Verma,F,1990-01-01,B+,9876543210,\n").encode()
    for _ in range(times):
        results: list = [None]
        upload(base, session, sheet, results, 0, filename="warm.csv")


def attack(base: str, kind: str, bomb: bytes, count: int) -> None:
    """``count`` uploads of ``bomb`` at once, /healthz probed until all have answered."""
    sessions = [signed_in(base) for _ in range(count)]
    results: list = [None] * count
    threads = [
        threading.Thread(target=upload, args=(base, s, bomb, results, i))
        for i, s in enumerate(sessions)
    ]
    for thread in threads:
        thread.start()
    probes = []
    while any(t.is_alive() for t in threads):
        probes.append(probe(base))
        time.sleep(0.1)
    for thread in threads:
        thread.join()
    for i, (status, web, worker, said) in enumerate(results, 1):
        web_text = f"{web:.2f} s" if web is not None else "-"
        worker_text = f", worker's verdict {worker:.2f} s later" if worker is not None else ""
        print(f"[{kind}] upload {i}: HTTP {status} after {web_text}{worker_text} ({said})")
    answered = [p for p in probes if p is not None]
    failed = len(probes) - len(answered)
    if answered:
        print(
            f"[{kind}] /healthz meanwhile (uploads and worker): {len(probes)} probes, "
            f"median {statistics.median(answered) * 1000:.0f} ms, "
            f"worst {max(answered) * 1000:.0f} ms, "
            f"{sum(p >= 1 for p in answered)} at 1 s or more, {failed} failed"
        )
    else:
        print(f"[{kind}] /healthz meanwhile: {len(probes)} probes, all failed")
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"[{kind}] load average after (1, 5, 15 min; {os.cpu_count()} cores): {load}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8797)
    parser.add_argument("--bombs", type=int, default=3)
    args = parser.parse_args()
    database = os.environ.get("DATABASE_URL", "")
    if not database.rsplit("/", 1)[-1].startswith("bb_bench"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database named bb_bench…")

    bombs = {
        # Refused by the unpacked-size cap (IMPORT_MAX_UNPACKED_BYTES, 20 MB).
        "size": build_bomb(97, 2000),
        # Under the size cap, over the row cap (DONOR_IMPORT_MAX_ROWS): read row by row.
        "rows": build_bomb(19.5, 20),
    }
    for kind, (data, unpacked) in bombs.items():
        print(f"bomb '{kind}': {len(data) / 1024:.0f} KB packed, {unpacked / 1e6:.1f} MB sheet")

    var = tempfile.mkdtemp(prefix="bb-bombs-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "VAR_DIR": var,
        "STATIC_ROOT": f"{var}/static",
    }
    prepare(env)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "donation_portal.wsgi:application"),
            *("--bind", f"127.0.0.1:{args.port}", "--workers", "3", "--timeout", "60"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The import's check runs in a worker, as in production (docker-compose.yml): niced
    # below the web.
    worker = subprocess.Popen(
        [
            *("nice", "-n", "10"),
            *(sys.executable, "-m", "celery", "-A", "donation_portal", "worker"),
            *("--loglevel=warning", "--concurrency=2", "-O", "fair"),
            *("--without-gossip", "--without-mingle"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if probe(base) is not None:
                break
            time.sleep(0.2)
        warm_up(base)
        quiet = [probe(base) for _ in range(10)]
        print(f"/healthz at rest: median {statistics.median(quiet) * 1000:.0f} ms")

        for kind, (bomb, _unpacked) in bombs.items():
            attack(base, kind, bomb, args.bombs)
        peaks = ", ".join(f"{mb:.0f}" for mb in worker_peak_rss_mb(server.pid))
        print(f"gunicorn workers' peak memory (MB): {peaks}")
        peaks = ", ".join(f"{mb:.0f}" for mb in worker_peak_rss_mb(worker.pid))
        print(f"Celery worker processes' peak memory (MB): {peaks}")
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
        for process in (server, worker):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


if __name__ == "__main__":
    main()
