"""Headless Chromium (Debian's, driven by Playwright) on a real daemon's panel.

def test_x(make_daemon, chromium):
    daemon = make_daemon().start()
    page = signed_in_page(chromium, daemon)   # first start done, signed in as admin
    page.click("text=Extensions")
"""

import shutil

import pytest

CHROMIUM = shutil.which("chromium")
ADMIN = "owner"
PASSWORD = "Violet-Harbour-1987"


@pytest.fixture
def chromium():
    """A headless Chromium, closed after the test."""
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is missing: `make setup` installs it")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        # --no-sandbox: the tests run as root, where Chromium's sandbox cannot start.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def new_page(chromium, errors: list[str] | None = None):
    """A page in a fresh context that trusts the box's self-signed certificate; console errors
    (a script error, something the CSP blocked) are appended to `errors`."""
    context = chromium.new_context(ignore_https_errors=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    if errors is not None:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page


def set_up(page, daemon, username: str = ADMIN, password: str = PASSWORD) -> None:
    """The first-start page, with the token from `callbox status`; ends signed in."""
    web = daemon.status()["web"]
    page.goto(web["url"] + "setup")
    page.fill("#token", web["setup_token"])
    page.fill("#username", username)
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.click("#set-up")
    page.wait_for_url(web["url"])


def signed_in_page(chromium, daemon, errors: list[str] | None = None):
    """A page of a daemon just started, its first admin set up and signed in."""
    page = new_page(chromium, errors)
    set_up(page, daemon)
    return page
