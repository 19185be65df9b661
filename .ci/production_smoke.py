"""The API side of CI's production smoke (.ci/production_smoke starts the processes).

Against gunicorn with DEBUG=0 (a Celery worker and beat behind it): a hashed static file is
served, the force admin gets a token from /api/v1/auth/token/, registers through
/api/v1/patients/ a child of a station whose transfusion is due in two days with a consenting
guardian, and then waits for the guardian's SMS to reach the fake gateway: the beat's scan
writes the outbox row, the dispatch hands it to the worker, the worker posts it. The outbox
(/api/v1/messages/) must then say "sent" with the gateway's reference.

Stdlib only. Settings come from the environment .ci/production_smoke sets (SMOKE_*)."""

import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

BASE = os.environ["SMOKE_BASE_URL"].rstrip("/")
RECORD = os.environ["SMOKE_RECORD_FILE"]
WAIT_SECONDS = int(os.environ["SMOKE_WAIT_SECONDS"])
TODAY = datetime.now(ZoneInfo(os.environ.get("TIME_ZONE") or "Asia/Kolkata")).date()
DUE_IN_DAYS = 2  # within THAL_REMINDER_DAYS_BEFORE (3) even if the date turns meanwhile
INTERVAL_DAYS = 21


def fail(message: str) -> None:
    print(f"production smoke: FAILED: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def call(method: str, path: str, body=None, token: str | None = None):
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Token {token}"
    url = BASE + path  # http://127.0.0.1:<port>, set by .ci/production_smoke
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def static_files_are_served_hashed() -> None:
    status, page, headers = call("GET", "/accounts/login/")
    if status != 200:
        fail(f"the sign-in page answered {status}")
    links = re.findall(rb'(?:href|src)="(/static/[^"]+\.[0-9a-f]{12}\.(?:css|js))"', page)
    if not links:
        fail("the sign-in page links no hashed static file (collectstatic, DEBUG=0?)")
    status, _, headers = call("GET", links[0].decode())
    if status != 200:
        fail(f"{links[0].decode()} answered {status}")
    print(f"static: {links[0].decode()} served ({headers.get('Cache-Control', '')})")


def token_for(username: str, password: str) -> str:
    status, raw, _ = call(
        "POST", "/api/v1/auth/token/", {"username": username, "password": password}
    )
    if status != 200:
        fail(f"auth/token/ answered {status}: {raw[:300]!r}")
    return json.loads(raw)["token"]


def station_id(token: str, code: str) -> int:
    status, raw, _ = call("GET", f"/api/v1/units/?q={code}", token=token)
    if status != 200:
        fail(f"units/ answered {status}: {raw[:300]!r}")
    answer = json.loads(raw)
    rows = answer["results"] if isinstance(answer, dict) else answer
    for row in rows:
        if row.get("code") == code:
            return row["id"]
    fail(f"units/ does not list the unit {code}: {rows!r}")


def register_child(token: str, unit: int) -> dict:
    body = {
        "name": "Smoke Riya",
        "sex": "F",
        "date_of_birth": (TODAY - timedelta(days=8 * 365)).isoformat(),
        "blood_group": "B+",
        "unit": unit,
        "units_per_transfusion": 1,
        "interval_days": INTERVAL_DAYS,
        "last_transfused_on": (TODAY - timedelta(days=INTERVAL_DAYS - DUE_IN_DAYS)).isoformat(),
        "guardians": [
            {
                "name": "Smoke Meena",
                "relation": "mother",
                "phone": "98123 45678",
                "preferred_language": "en",
            }
        ],
        "guardian_consent": True,
        "consent_by": "Smoke Meena",
    }
    status, raw, _ = call("POST", "/api/v1/patients/", body, token=token)
    if status != 201:
        fail(f"patients/ answered {status}: {raw[:500]!r}")
    child = json.loads(raw)
    due = date.fromisoformat(child["next_due_on"])
    if due != TODAY + timedelta(days=DUE_IN_DAYS) or child["consent_pending"]:
        fail(f"the child is not due in {DUE_IN_DAYS} days with consent: {child!r}")
    phone = child["guardians"][0]["phone"]
    print(f"child #{child['id']} registered, due on {due}, guardian {phone}")
    return child


def received() -> list[dict]:
    try:
        with open(RECORD, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except FileNotFoundError:
        return []


def wait_for_the_sms(child: dict, started: float) -> dict:
    phone = child["guardians"][0]["phone"]
    due = date.fromisoformat(child["next_due_on"])
    text = f"{child['name']}'s transfusion is due on {due:%d %b %Y}"
    deadline = started + WAIT_SECONDS
    while time.monotonic() < deadline:
        for request in received():
            sms = request["json"]
            if sms.get("to") == phone and text in sms.get("text", ""):
                return request
        time.sleep(0.5)
    fail(
        f"no SMS to {phone} saying {text!r} reached the gateway in {WAIT_SECONDS} s; "
        f"it received: {[r['json'] for r in received()]!r}"
    )


def check_the_post(request: dict) -> None:
    sms, headers = request["json"], {k.lower(): v for k, v in request["headers"].items()}
    expected = {
        "sender": os.environ["NOTIFY_SMS_SENDER_ID"],
        "dlt_entity_id": os.environ["NOTIFY_SMS_DLT_ENTITY_ID"],
        "dlt_template_id": os.environ["NOTIFY_SMS_DLT_TEMPLATE_IDS"].split("=", 1)[1],
        "unicode": False,
    }
    wrong = {k: sms.get(k) for k, v in expected.items() if sms.get(k) != v}
    if wrong:
        fail(f"the SMS post has {wrong!r}, expected {expected!r}")
    if headers.get("authorization") != f"Bearer {os.environ['NOTIFY_SMS_API_KEY']}":
        fail("the SMS post does not carry the gateway's API key")
    if headers.get("idempotency-key") != f"bloodbond-{sms['reference']}":
        fail(f"Idempotency-Key {headers.get('idempotency-key')!r} is not the message's")


def the_outbox_says_sent(token: str, reference: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status, raw, _ = call("GET", f"/api/v1/messages/{reference}/", token=token)
        if status == 200:
            message = json.loads(raw)
            if message["state"] == "sent":
                if message["provider_ref"] != f"gw-{reference}":
                    fail(f"the outbox kept {message['provider_ref']!r} as the reference")
                print(f"outbox: message #{reference} sent at {message['sent_at']}")
                return
        time.sleep(0.5)
    fail(f"the outbox does not say message #{reference} was sent: {status} {raw[:300]!r}")


def main() -> None:
    static_files_are_served_hashed()
    token = token_for(os.environ["SMOKE_USERNAME"], os.environ["SMOKE_PASSWORD"])
    child = register_child(token, station_id(token, os.environ["SMOKE_STATION_CODE"]))
    started = time.monotonic()
    request = wait_for_the_sms(child, started)
    took = time.monotonic() - started
    check_the_post(request)
    print(f"gateway: {request['json']['to']} got {request['json']['text']!r} after {took:.1f} s")
    the_outbox_says_sent(token, request["json"]["reference"])


if __name__ == "__main__":
    main()
