"""The IVR editor and the night-mode switch in headless Chromium, against the real daemon:
a menu made in the browser with its keys picked from the shared destination picker, a
refused value shown with the form as typed, and night mode flipped from the list."""

from tests.panel_browser import signed_in_page


def test_a_menu_made_in_the_ivr_editor_and_night_mode_flipped_in_the_browser(make_daemon, chromium):
    daemon = make_daemon().start()
    daemon.add_extension("1001", "Front desk")
    errors: list[str] = []
    page = signed_in_page(chromium, daemon, errors)

    page.click("text=IVR menus")
    page.fill("#f-name", "main")
    page.fill("#f-greeting", "no-such-prompt")
    page.locator('input[name="options.key"]').first.fill("1")
    page.select_option("#f-options-0", "ext:1001")
    page.fill("#f-timeout_s", "2")
    page.click("#save")
    assert "there is no prompt 'no-such-prompt'" in page.inner_text("#form-error")
    # The form is as it was typed, the key's destination still picked.
    assert page.input_value("#f-name") == "main"
    assert page.input_value("#f-options-0") == "ext:1001"
    assert page.input_value("#f-timeout_s") == "2"

    page.fill("#f-greeting", "vm-goodbye")  # one of the box's own recorded prompts
    page.click("#save")
    page.wait_for_selector('tr[data-name="main"]')
    assert "1 -> ext:1001" in page.inner_text('tr[data-name="main"]')

    page.click("text=Time conditions")
    page.fill("#f-name", "office")
    page.select_option("#f-open_destination", "ivr:main")
    page.select_option("#f-closed_destination", "hangup")
    page.click("#save")
    page.wait_for_selector("#night-office")
    assert page.inner_text("#night-office .state").startswith("open")
    page.click("#night-office-closed")
    page.wait_for_selector("#night-office.closed")
    assert page.get_attribute("#night-office-closed", "aria-pressed") == "true"
    assert "night mode" in page.inner_text("#night-office .state")
    # Nothing the CSP blocked, no script error (the refused form's 400 is the only one).
    assert [e for e in errors if "status of 400" not in e] == []
