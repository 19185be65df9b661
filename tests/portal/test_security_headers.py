"""Headers and settings a security review asks for (ASVS L2): a Content-Security-Policy with
no inline script, HSTS behind TLS, no-store on answers that may hold personal data, secure
cookies in production, a clean `check --deploy` on the compose settings, and a cap on what
an anonymous visitor may post."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import settings_in_fresh_process

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def compose_environment() -> dict:
    """The web service's environment as docker compose would pass it with nothing in .env:
    `${X:-default}` takes the default, `${X:?message}` needs the variable (SECRET_KEY),
    an empty entry leaves the variable unset."""
    with open(ROOT / "docker-compose.yml") as handle:
        service = yaml.safe_load(handle)["services"]["web"]
    env = {}
    for name, value in service["environment"].items():
        if value in (None, ""):
            continue
        value = str(value)
        match = re.fullmatch(r"\$\{(\w+)(:-|:\?)(.*)\}", value)
        if match:
            # A required variable gets what a deployer would set: a long random secret.
            value = match.group(3) if match.group(2) == ":-" else secrets.token_urlsafe(50)
        env[name] = value
    return env


def run_manage(*args, env: dict) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**keep, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_on_the_compose_settings(tmp_path):
    env = {**compose_environment(), "VAR_DIR": str(tmp_path), "STATIC_ROOT": str(tmp_path)}
    assert env["DEBUG"] == "0"
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


SHOW = """
import django
from django.conf import settings
django.setup()
print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS,
      settings.SECURE_SSL_REDIRECT)
"""


def show_settings(tmp_path, **env) -> list[str]:
    return " ".join(settings_in_fresh_process(SHOW, tmp_path, **env)).split()


def test_production_cookies_are_secure_unless_the_deployer_says_plain_http(tmp_path):
    production = {"DEBUG": "0", "SECRET_KEY": "s" * 50}
    assert show_settings(tmp_path, **production)[:2] == ["True", "True"]
    assert show_settings(tmp_path, **production, SECURE_COOKIES="0")[:2] == ["False", "False"]
    assert show_settings(tmp_path)[:2] == ["False", "False"]  # the embedded default (DEBUG)


def test_hsts_and_the_https_redirect_follow_the_tls_proxy(tmp_path):
    assert show_settings(tmp_path)[2:] == ["0", "False"]
    assert show_settings(tmp_path, BEHIND_TLS_PROXY="1")[2:] == ["31536000", "True"]
    assert show_settings(tmp_path, BEHIND_TLS_PROXY="1", SECURE_HSTS_SECONDS="0")[2] == "0"


def test_hsts_header_is_sent_over_tls(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_every_page_carries_a_policy_without_inline_script(client, staff_a):
    client.force_login(staff_a)
    for url in ("/", "/accounts/login/", "/api/v1/docs/"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part)
        assert directives["script-src"] == "'self'", url
        assert "unsafe-inline" not in directives["script-src"]
        assert directives["frame-ancestors"] == "'none'"


def test_no_template_holds_an_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1):
                offenders.append(f"{path.relative_to(ROOT)}: inline <script>")
        for match in re.finditer(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(0).strip()} handler")
    assert offenders == []


@pytest.mark.parametrize("url", ["/", "/donors/", "/api/v1/donors/", "/accounts/login/"])
def test_pages_and_api_answers_are_not_stored_by_any_cache(client, coordinator, url):
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/pledge/", "/accounts/login/", "/api/v1/auth/token/"])
def test_a_huge_anonymous_post_is_refused_before_it_is_read(client, url):
    response = client.post(
        url,
        data="x=1",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413


def test_a_signed_in_user_may_post_more_than_the_anonymous_cap(client, staff_a, settings):
    settings.ANON_MAX_BODY_BYTES = 1024
    client.force_login(staff_a)
    body = {"old_password": "x" * 4000, "new_password1": "a", "new_password2": "b"}
    response = client.post("/accounts/password_change/", body)
    assert response.status_code == 200  # the form answers with its errors, not a 413
