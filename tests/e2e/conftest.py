"""Headless Chromium, from Debian's ``chromium`` package, driven by Playwright for Python.

Playwright cannot download its own browser here, so the executable is fixed. Without it the
browser tests skip on a developer's machine and fail in CI (BLOODBOND_CI=1), where
``.ci/run`` installs it. Screenshots go to tests/artifacts/ (not committed)."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Flags the machine needs: no sandbox as root, no calls home on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _patient_expectations():
    """expect() waits 5 s by default; a loaded 2-core CI machine can take longer to answer a
    page, so assertions wait as long as actions do."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


_patient_expectations()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("BLOODBOND_CI"):
            pytest.fail(f"CI needs Chromium at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="en-IN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A script or style the Content-Security-Policy refused counts as a page error: every
    # browser test that checks js_errors also checks the page works under the policy.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.js_errors = errors
    return context, page


@pytest.fixture
def phone(browser):
    context, page = _page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context, page = _page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, base_url, username, password="correct horse battery"):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def fits_width(page) -> bool:
    """No sideways scrolling: the page is no wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(params=["phone", "laptop"])
def screen(request, browser):
    """The same test on a phone (390 px) and on a common laptop screen (1366 px);
    ``page.screen_name`` names the screenshots."""
    context, page = _page(browser, PHONE if request.param == "phone" else LAPTOP)
    page.screen_name = request.param
    yield page
    context.close()
