"""Switching to Arabic in Chromium: the page turns right to left, in Arabic (the real daemon)."""

from tests.panel_browser import new_page, signed_in_page


def test_switching_to_arabic_turns_the_layout_right_to_left(make_daemon, chromium, tmp_path):
    daemon = make_daemon().start()
    errors: list[str] = []
    page = signed_in_page(chromium, daemon, errors)
    page.set_viewport_size({"width": 1200, "height": 800})
    page.click("text=Your account")
    page.wait_for_url("**/account")
    assert page.get_attribute("html", "dir") == "ltr"
    page.select_option("#language", label="العربية")
    page.click("#save-language")
    page.wait_for_url("**/account")

    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert page.inner_text("h1") == "حسابك"  # "Your account"
    assert page.inner_text("#sign-out") == "تسجيل الخروج"
    width = page.viewport_size["width"]
    brand = page.locator("header .brand").bounding_box()
    menu, main = page.locator("nav.side").bounding_box(), page.locator("main").bounding_box()
    assert brand["x"] + brand["width"] > width - 40  # the brand sits at the right edge
    assert menu["x"] + menu["width"] > width - 2  # the menu is the right-hand column
    assert main["x"] + main["width"] <= menu["x"] + 1  # and the page runs leftwards from it
    assert page.inner_text("nav.side h2 >> nth=0") == "مباشر"  # "Live"
    label, field = page.locator("label[for=language]"), page.locator("#language")
    assert label.bounding_box()["x"] + label.bounding_box()["width"] > field.bounding_box()["x"]
    page.screenshot(path=str(tmp_path / "account-ar.png"), full_page=True)

    # The choice is the user's: it holds on every page and after signing in again.
    page.goto(daemon.status()["web"]["url"] + "extensions")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.inner_text("h1") == "التحويلات"
    page.click("#sign-out")
    page.wait_for_url("**/login")
    assert errors == []

    # Before signing in, the login page follows the browser's language.
    persian = new_page(chromium)
    persian.context.set_extra_http_headers({"Accept-Language": "fa-IR,fa;q=0.9"})
    persian.goto(daemon.status()["web"]["url"] + "login")
    assert persian.get_attribute("html", "dir") == "rtl"
    assert persian.inner_text("h1") == "ورود"
