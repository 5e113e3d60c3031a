"""The System page in headless Chromium on the real daemon: a VPN peer's QR code shown inline
(nothing the CSP blocks), and a file uploaded by system.js refused with the box's message."""

from tests.panel_browser import signed_in_page


def test_a_peer_qr_code_shows_and_a_bad_bundle_is_refused_in_the_browser(
    make_daemon, chromium, tmp_path
):
    daemon = make_daemon({"edge": {"enabled": False}}).start()
    errors: list[str] = []
    page = signed_in_page(chromium, daemon, errors)
    page.click("text=System")
    page.wait_for_url("**/system")

    page.check("input[name=enabled]")
    page.fill("#vpn-endpoint", "vpn.example.com")
    page.click("#save-vpn")
    assert page.inner_text("#system-done") == "VPN settings saved."
    page.fill("#peer-name", "ann-phone")
    page.click("#add-peer")
    qr = page.locator("#new-peer .qr svg")
    assert qr.bounding_box()["width"] > 100  # drawn: a real <svg> the CSP let through
    assert "Endpoint = vpn.example.com:51820" in page.inner_text("#peer-config")

    bundle = tmp_path / "not-a-bundle.cbu"
    bundle.write_bytes(b"\0" * 4096)
    page.set_input_files("#firmware-file", str(bundle))
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#upload-firmware")
    result = page.locator("#upload-firmware + .upload-result")
    page.wait_for_function(
        "el => el.textContent.includes('firmware update key')", arg=result.element_handle()
    )
    assert "error" in result.get_attribute("class")
    # The browser logs the refused upload's 400 itself; nothing else (no CSP refusal).
    assert [e for e in errors if "status of 400" not in e] == []
