"""The live views in the panel itself: the dashboard and its alarms, the host's health as
Linux reports it, the wallboard's WebSocket and who may open it, the agent's own page."""

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import tornado.httpclient
import tornado.websocket

from pbx.alarms import BoxState, alarms_of
from pbx.events import SecurityEvent
from pbx.host_health import HostHealth, HostReading
from tests.web_box import web_box


def _host(**figures) -> HostReading:
    values = dict.fromkeys(HostReading.__dataclass_fields__)
    return HostReading(**{**values, "cpus": 1, "temperature_zone": "", **figures})


def test_host_health_reads_proc_and_thermal_zones_and_says_what_is_missing(tmp_path):
    proc, sys = tmp_path / "proc", tmp_path / "sys"
    proc.mkdir()
    (proc / "loadavg").write_text("0.52 0.40 0.31 2/301 4242\n")
    (proc / "meminfo").write_text("MemTotal: 1000000 kB\nMemFree: 1 kB\nMemAvailable: 250000 kB\n")
    (proc / "uptime").write_text("3600.25 7000.00\n")
    bare = HostHealth(tmp_path, proc, sys).reading()
    assert (bare.load_1m, bare.load_5m, bare.load_15m) == (0.52, 0.40, 0.31)
    assert bare.memory_used_percent == 75.0
    assert bare.uptime_s == 3600.25
    assert bare.temperature_c is None  # no /sys/class/thermal here: "not available"
    assert bare.disk_total_mb > 0
    assert 0 <= bare.disk_used_percent <= 100

    for index, (kind, millidegrees) in enumerate((("gpu", "48500"), ("cpu-thermal", "61250"))):
        zone = sys / "class" / "thermal" / f"thermal_zone{index}"
        zone.mkdir(parents=True)
        (zone / "type").write_text(f"{kind}\n")
        (zone / "temp").write_text(f"{millidegrees}\n")
    hot = HostHealth(tmp_path, proc, sys).reading()
    assert (hot.temperature_c, hot.temperature_zone) == (61.2, "cpu-thermal")
    nothing = HostHealth(tmp_path / "gone", tmp_path / "none", tmp_path / "none").reading()
    assert nothing.load_1m is None
    assert nothing.memory_used_percent is None
    assert nothing.disk_total_mb is None


def test_alarms_name_each_part_in_trouble_and_nothing_when_all_is_well():
    now = datetime(2027, 1, 1, tzinfo=UTC)
    port = SimpleNamespace
    well = BoxState(
        "running", "running", [port(name="fxs1", state="idle")],
        [port(name="carrier", registration="registered")], {"alarm": None},
        _host(disk_used_percent=40.0, temperature_c=50.0), now + timedelta(days=300),
    )  # fmt: skip
    assert alarms_of(well, now) == []
    trouble = BoxState(
        "stalled", "down", [port(name="fxo2", state="alarm"), port(name="fxs1", state="idle")],
        [port(name="carrier", registration="failed")],
        {"alarm": "disk-full", "disk_free_mb": 90, "reserve_mb": 100},
        _host(disk_used_percent=95.0, temperature_c=85.0, temperature_zone="cpu-thermal"),
        now + timedelta(days=3),
    )  # fmt: skip
    found = {(a.kind, a.subject) for a in alarms_of(trouble, now)}
    assert found == {
        ("engine", "SIP engine"), ("edge", "SIP edge"), ("port", "fxo2"), ("trunk", "carrier"),
        ("recording-disk", "recordings"), ("disk", "data"), ("temperature", "cpu-thermal"),
        ("certificate", "HTTPS"),
    }  # fmt: skip


@pytest.mark.asyncio
async def test_the_dashboard_shows_the_box_and_its_security_events_with_banned_addresses(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        box.bus.publish(SecurityEvent("auth-failed", "127.0.0.9", "1001"))
        box.bus.publish(SecurityEvent("banned", "127.0.0.9"))
        page = await admin.get("/dashboard")
        assert page.code == 200
        text = page.body.decode()
        assert 'data-source="/api/dashboard"' in text
        assert "/static/live.js" in text
        assert "not available" in text  # this box reads no host figures
        code, board = await admin.api("/api/dashboard")
        assert code == 200
        assert board["engine"] == "stopped"  # the in-process box never starts its engine
        assert ("engine", "the SIP engine is stopped") in [
            (a["kind"], a["detail"]) for a in board["alarms"]
        ]
        assert board["security"]["counts"] == {"auth-failed": 1, "banned": 1}
        assert board["security"]["banned"] == ["127.0.0.9"]
        assert [e["kind"] for e in board["security"]["recent"]] == ["banned", "auth-failed"]
        assert board["host"] is None
        assert board["ports"] == []
        assert board["registrations"] == []
        home = (await admin.get("/")).body.decode()
        assert 'href="/dashboard"' in home
        agent = await box.signed_in("agent")
        assert (await agent.get("/dashboard")).code == 403
        assert (await agent.api("/api/dashboard"))[0] == 403


async def _socket(box, browser, origin: str | None):
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items())}
    if origin is not None:
        headers["Origin"] = origin
    request = tornado.httpclient.HTTPRequest(
        f"wss://127.0.0.1:{box.https_port}/ws/wallboard",
        headers=headers,
        ca_certs=str(box.cert_path),
        follow_redirects=False,
    )
    return await tornado.websocket.websocket_connect(request)


@pytest.mark.asyncio
async def test_the_wallboard_socket_needs_a_session_its_permission_and_the_panels_own_origin(
    tmp_path,
):
    async with web_box(tmp_path) as box:
        own = f"https://127.0.0.1:{box.https_port}"
        agent = await box.signed_in("agent")
        socket = await _socket(box, agent, own)
        first = json.loads(await socket.read_message())
        assert first["queues"] == []
        assert first["agents"]["available"] == 0
        socket.close()

        stranger = box.browser()
        with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
            await _socket(box, stranger, own)
        assert refused.value.code == 302  # sent to the log-in page, never upgraded
        for foreign in ("https://evil.example", f"http://127.0.0.1:{box.https_port}", "null"):
            with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
                await _socket(box, agent, foreign)
            assert refused.value.code == 403, foreign
        technician = await box.signed_in("technician")
        with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
            await _socket(box, technician, own)
        assert refused.value.code == 403  # no wallboard.view
        page = await agent.get("/wallboard")
        assert page.code == 200
        assert 'data-socket="/ws/wallboard"' in page.body.decode()


@pytest.mark.asyncio
async def test_an_agent_is_linked_to_an_extension_by_an_admin_before_acting_on_queues(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        await admin.api("/api/extensions", "POST", {"number": "1001", "name": "Ann"})
        agent = await box.signed_in("agent")
        assert "not linked to an extension" in (await agent.get("/agent")).body.decode()
        assert (await agent.api("/api/agent"))[0] == 409

        await admin.get("/users")
        refused = await admin.post("/users/agent1/extension", {"extension": "1999"})
        assert refused.code == 400
        assert b"1999" in refused.body
        linked = await admin.post("/users/agent1/extension", {"extension": "1001"})
        assert linked.code == 302
        assert [u.extension for u in box.api.web.access.users() if u.username == "agent1"] == [
            "1001"
        ]
        assert "Extension 1001" not in (await agent.get("/agent")).body.decode()  # no queues here
        code, answer = await agent.api("/api/agent", "POST", {"action": "login"})
        assert (code, answer) == (404, {"error": "this box has no queues"})
        rows = await box.api.web.audit.recent(action="user.extension")
        assert [(r.actor, r.target, r.outcome) for r in rows] == [("admin", "agent1", "ok")]


@pytest.mark.asyncio
async def test_signing_out_closes_an_open_wallboard_socket(tmp_path):
    async with web_box(tmp_path) as box:
        agent = await box.signed_in("agent")
        socket = await _socket(box, agent, f"https://127.0.0.1:{box.https_port}")
        assert json.loads(await socket.read_message())["queues"] == []
        await agent.post("/logout")
        while await socket.read_message() is not None:  # snapshots until the next tick
            pass
        assert socket.close_code == 4001
