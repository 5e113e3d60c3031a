"""The web panel in headless Chromium (Debian's, driven by Playwright), against the real daemon:
first start with the console's token, signing in, adding an extension and seeing its secret
once, and a pjsua2 phone registering with that secret showing up on the page."""

from tests.harness import free_port
from tests.panel_browser import PASSWORD, new_page
from tests.phone_client import Phone


def test_first_start_to_a_registered_phone_in_the_browser(make_daemon, chromium, tmp_path):
    daemon = make_daemon().start()
    web = daemon.status()["web"]
    errors: list[str] = []
    page = new_page(chromium, errors)

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
