"""The Analog ports page and /api/ports on the real daemon and its emulated board: live state
and loop figures, the test ring (the emulated phone on fxs1 rings; refused off-hook), the
country profile (applied at once, kept across a restart, refused during a call), and each
port's settings. The far ends are driven and watched through the bench channel.
"""

import pytest
import pytest_asyncio

from tests.harness import wait_until
from tests.line_bench import LineBench, hears
from tests.web_box import PASSWORD, Browser, DaemonPanel

US_DIAL, DE_DIAL = (350, 440), (425,)


@pytest.fixture
def box(make_daemon):
    return make_daemon(
        {"board": {"country": "US", "lines": {"fxs1": {"extension": "1001"}}}}
    ).start()


@pytest.fixture
def bench(box):
    bench = LineBench(box)
    yield bench
    bench.close()


@pytest_asyncio.fixture
async def admin(box):
    browser = Browser(DaemonPanel.of(box))
    await browser.set_up()
    return browser


def port(body: dict, name: str) -> dict:
    return next(p for p in body["ports"] if p["name"] == name)


@pytest.mark.asyncio
async def test_the_ports_show_live_state_and_a_fresh_loop_reading(box, bench, admin):
    code, body = await admin.api("/api/ports")
    assert code == 200
    assert body["country"] == "US"
    assert {"US", "UK", "DE"} <= set(body["countries"])
    fxs1 = port(body, "fxs1")
    assert (fxs1["kind"], fxs1["state"], fxs1["extension"]) == ("fxs", "idle", "1001")
    assert abs(fxs1["loop_voltage_v"]) > 40  # on-hook: the open-circuit feed
    assert fxs1["loop_current_ma"] < 1
    assert port(body, "fxo1")["kind"] == "fxo"
    page = (await admin.get("/ports")).body.decode()
    assert 'data-port="fxs1"' in page
    assert 'id="ring-fxs1"' in page
    assert 'id="set-country"' in page

    bench.command("fxs 1 offhook")
    wait_until(lambda: port_state(box, "fxs1") == "off-hook", 5, "fxs1 off-hook")
    code, lifted = await admin.api("/api/ports/fxs1/measure", "POST")
    assert code == 200
    assert lifted["state"] == "off-hook"
    assert lifted["loop_current_ma"] > 15  # the phone draws the loop current
    assert abs(lifted["loop_voltage_v"]) < abs(fxs1["loop_voltage_v"])
    assert lifted["measured_at"]
    shown = await admin.post("/ports/fxs1/measure")
    assert shown.code == 200
    assert "fxs1 now:" in shown.body.decode()


@pytest.mark.asyncio
async def test_ring_makes_the_phone_ring_and_is_refused_while_it_is_off_hook(box, bench, admin):
    code, body = await admin.api("/api/ports/fxs1/ring", "POST")
    assert (code, body) == (200, {"port": "fxs1", "ringing_s": 2.0})
    bench.wait_until("fxs 1 ring?", lambda f: f["ringing"] == "yes", 5, "fxs1 ringing")
    ring = bench.command("fxs 1 ring?")
    assert float(ring["freq"]) == pytest.approx(20.0)
    # A short burst: it stops by itself, and the port is idle again.
    wait_until(lambda: bench.events("ring-off", "fxs", 1), 5, "the test ring to end")
    assert len(bench.events("ringing", "fxs", 1)) == 1
    assert port((await admin.api("/api/ports"))[1], "fxs1")["state"] == "idle"

    bench.command("fxs 1 offhook")
    wait_until(lambda: port_state(box, "fxs1") == "off-hook", 5, "fxs1 off-hook")
    code, body = await admin.api("/api/ports/fxs1/ring", "POST")
    assert code == 409
    assert "off-hook" in body["error"]
    assert (await admin.api("/api/ports/fxo1/ring", "POST"))[0] == 400  # not a phone
    refused = await admin.post("/ports/fxs1/ring")
    assert refused.code == 409
    assert "a test ring needs an idle phone" in refused.body.decode()
    assert bench.command("fxs 1 ring?")["ringing"] == "no"
    assert len(bench.events("ringing", "fxs", 1)) == 1
    rings = (await admin.api("/api/audit?action=port.ring"))[1]["events"]
    assert [e["outcome"] for e in rings] == ["refused", "refused", "refused", "ok"]


def port_state(box, name: str) -> str:
    return next(p["state"] for p in box.status()["ports"] if p["name"] == name)


@pytest.mark.asyncio
async def test_the_country_applies_at_once_is_kept_and_is_refused_during_a_call(box, admin):
    bench = LineBench(box)  # this one's own: the daemon restarts, with a new bench channel
    bench.command("fxs 1 offhook")
    bench.wait_until("fxs 1 hear", hears(*US_DIAL), 5, "US dial tone")
    bench.command("fxs 1 onhook")
    wait_until(lambda: port_state(box, "fxs1") == "idle", 5, "fxs1 idle")

    code, body = await admin.api("/api/ports/country", "PUT", {"country": "de"})
    assert (code, body) == (200, {"country": "DE"})
    assert (await admin.api("/api/ports"))[1]["country"] == "DE"
    bench.command("fxs 1 offhook")
    bench.wait_until("fxs 1 hear", hears(*DE_DIAL), 5, "German dial tone (425 Hz)")

    bench.command("fxs 1 dial *43")  # the echo test: the phone is in a call
    wait_until(lambda: port_state(box, "fxs1") == "in-call", 10, "fxs1 in a call")
    code, body = await admin.api("/api/ports/country", "PUT", {"country": "UK"})
    assert code == 409
    assert "fxs1" in body["error"]
    assert (await admin.api("/api/ports"))[1]["country"] == "DE"
    assert (await admin.api("/api/ports/country", "PUT", {"country": "XX"}))[0] == 400
    bench.command("fxs 1 onhook")
    bench.close()

    box.terminate(10)
    box.start()
    again = Browser(DaemonPanel.of(box))
    await again.log_in("admin", PASSWORD)
    assert (await again.api("/api/ports"))[1]["country"] == "DE"
    bench = LineBench(box)
    try:
        bench.command("fxs 1 offhook")
        bench.wait_until("fxs 1 hear", hears(*DE_DIAL), 5, "German dial tone after a restart")
    finally:
        bench.close()


@pytest.mark.asyncio
async def test_port_settings_change_at_once_and_are_checked(box, admin):
    code, body = await admin.api("/api/ports/fxs1", "PUT", {"call_waiting": False})
    assert code == 200
    assert body["settings"]["call_waiting"] is False
    code, body = await admin.api("/api/ports/fxs1")
    assert (body["settings"]["call_waiting"], body["settings"]["extension"]) == (False, "1001")
    code, body = await admin.api("/api/ports/fxo1", "PUT", {"answer_ring": 50, "colour": "red"})
    assert code == 400
    assert "answer_ring" in body["error"]
    assert "colour" in body["error"]
    code, body = await admin.api("/api/ports/fxs2", "PUT", {"extension": "1001"})
    assert (code, body["error"]) == (400, "extension: 1001 is fxs1's")
    assert (await admin.api("/api/ports/fxs9"))[0] == 404

    form = (await admin.get("/ports/fxo1")).body.decode()
    assert 'name="destination"' in form
    fields = {"destination": "ext:1001", "group": "fxo", "answer_ring": "3",
              "dial_delay_ms": "0", "dial_tone_timeout_s": "3.0", "outbound_answer": "immediate",
              "supervision": "battery polarity", "silence_timeout_s": "60"}  # fmt: skip
    saved = await admin.post("/ports/fxo1", fields)
    assert saved.code == 200, saved.body
    code, body = await admin.api("/api/ports/fxo1")
    assert body["destination"] == "ext:1001"
    assert body["settings"]["supervision"] == ["battery", "polarity"]
    assert body["settings"]["answer_ring"] == 3
