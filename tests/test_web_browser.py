"""The web panel in headless Chromium (Debian's, driven by Playwright), against the real daemon:
first start with the console's token, signing in, adding an extension and seeing its secret
once, and a pjsua2 phone registering with that secret showing up on the page."""

import shutil

import pytest

from tests.harness import free_port
from tests.phone_client import Phone

CHROMIUM = shutil.which("chromium")
PASSWORD = "Violet-Harbour-1987"


@pytest.fixture
def chromium():
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is missing: `make setup` installs it")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        # --no-sandbox: the tests run as root, where Chromium's sandbox cannot start.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def test_first_start_to_a_registered_phone_in_the_browser(make_daemon, chromium, tmp_path):
    daemon = make_daemon().start()
    web = daemon.status()["web"]
    context = chromium.new_context(ignore_https_errors=True)  # the box's self-signed certificate
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(web["url"])
    assert page.url.endswith("/setup")  # no admin yet: only the first-start page opens
    page.fill("#token", web["setup_token"])
    page.fill("#username", "owner")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("#set-up")
    page.wait_for_url(web["url"])
    page.click("#sign-out")
    page.wait_for_url("**/login")

    page.fill("#username", "owner")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.click("text=Extensions")
    page.fill("#number", "1001")
    page.fill("#name", "Front desk")
    page.click("#add-extension")
    secret = page.inner_text("#new-secret")
    assert len(secret) == 20
    cell = '[data-registration="1001"]'
    assert page.inner_text(cell) == "not registered"

    page.goto(web["url"] + "extensions")  # the secret was shown once, and is gone
    assert secret not in page.content()
    with Phone.start(
        port=free_port(), name="desk", registrar=daemon.registrar, user="1001", secret=secret,
        bind="127.0.0.3",
    ) as desk:  # fmt: skip
        desk.wait_for("registration", active=True, timeout=10)
        page.wait_for_selector(f"{cell}.up")  # the page polls the API
        assert page.inner_text(cell) == "registered"
    assert errors == []  # nothing the CSP blocked, no script error
    context.close()
