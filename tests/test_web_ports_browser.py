"""The Analog ports and Reports pages in headless Chromium: the ports' state follows the
phones without a reload (static/ports.js, under the CSP), the Ring button rings the emulated
phone, and the charts are drawn as SVG the browser lays out."""

from playwright.sync_api import expect

from tests.harness import wait_until
from tests.line_bench import LineBench
from tests.panel_browser import chromium, signed_in_page  # noqa: F401 (the fixture)


def test_the_ports_page_follows_the_phone_and_rings_it(make_daemon, chromium):  # noqa: F811
    box = make_daemon({"board": {"lines": {"fxs1": {"extension": "1001"}}}}).start()
    bench = LineBench(box)
    errors: list[str] = []
    try:
        page = signed_in_page(chromium, box, errors)
        page.click("nav.side a >> text=Analog ports")
        state = page.locator('tr[data-port="fxs1"] [data-field="state"]')
        assert state.inner_text() == "idle"
        bench.command("fxs 1 offhook")
        expect(state).to_have_text("off-hook")
        current = page.locator('tr[data-port="fxs1"] [data-field="loop_current_ma"]')
        assert float(current.inner_text()) > 15
        bench.command("fxs 1 onhook")
        expect(state).to_have_text("idle")
        page.click("#ring-fxs1")
        page.wait_for_selector("#done")
        wait_until(lambda: bench.events("ringing", "fxs", 1), 5, "the phone on fxs1 to ring")

        page.click("nav.side a >> text=Call records")
        page.click("text=Queue KPIs")
        page.wait_for_url("**/reports/kpi")
        assert page.locator("#kpi").is_visible()
        chart = page.locator("svg.chart").first.bounding_box()
        assert chart["width"] > 300  # drawn and laid out: the CSP let the page's SVG through
        assert page.locator("svg.chart rect.bar").count() == 24  # today, by hour
        assert errors == []
    finally:
        bench.close()
