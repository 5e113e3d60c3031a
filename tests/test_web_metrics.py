"""/metrics: Prometheus's text format, for an API token whose role holds metrics.view.

In the real daemon (an emulated fxs1, a SIP phone calling the echo test), because
what a scraper wants to see is the box's live state changing.
"""

import re

import pytest

from tests.harness import free_port, wait_until
from tests.phone_client import Phone
from tests.web_box import PASSWORD, Browser, DaemonPanel

# One sample: name, optional {labels}, value (the format's timestamps are not used).
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)')


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample, keyed by name and labels; fails on any line not in the format."""
    samples, typed = {}, set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("gauge", "counter"), line
            typed.add(name)
            continue
        match = _SAMPLE.match(line)
        assert match, f"not a sample: {line!r}"
        name, labels, value = match.groups()
        assert name.startswith("callbox_"), line
        assert name in typed, line
        pairs = _LABEL.findall(labels or "")
        assert ",".join(f'{k}="{v}"' for k, v in pairs) == (labels or ""), line
        samples[name, frozenset(pairs)] = float(value)
    return samples


@pytest.fixture
def box(make_daemon):
    return make_daemon({"board": {"lines": {"fxs1": {"extension": "1001"}}}}).start()


@pytest.mark.asyncio
async def test_metrics_need_a_token_whose_role_may_see_them_and_show_the_box_live(box):
    panel = DaemonPanel.of(box)
    admin = Browser(panel)
    await admin.set_up()
    await admin.get("/users")
    await admin.post("/users", {"username": "ann", "role": "agent", "password": PASSWORD})
    admin_token, agent_token = await admin.api_token("admin"), await admin.api_token("ann")
    scraper = Browser(panel, "127.0.0.5")  # no cookies: a Prometheus server

    assert (await scraper.get("/metrics")).code == 401
    refused = await scraper.fetch("/metrics", Authorization=f"Bearer {agent_token}")
    assert refused.code == 403

    async def scrape() -> dict:
        answer = await scraper.fetch("/metrics", Authorization=f"Bearer {admin_token}")
        assert answer.code == 200
        assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return parse(answer.body.decode())

    idle = await scrape()
    fxs1 = frozenset({("port", "fxs1"), ("kind", "fxs"), ("state", "idle")})
    assert idle["callbox_port_state", fxs1] == 1
    assert idle["callbox_call_legs_active", frozenset()] == 0
    assert idle["callbox_engine_state", frozenset({("state", "running")})] == 1

    with Phone.start(port=free_port(), name="tech") as phone:
        phone.call(f"sip:*43@127.0.0.1:{box.sip_port}")
        phone.wait_for("state", state="CONFIRMED", timeout=10)
        during = await scrape()
        phone.hangup()
        phone.wait_for("state", state="DISCONNECTED")
    assert during["callbox_call_legs_active", frozenset()] == 1
    wait_until(lambda: box.status()["calls_active"] == 0, 5, "the echo call to end")
    after = await scrape()
    assert after["callbox_call_legs_active", frozenset()] == 0
    total = "callbox_call_legs_total", frozenset()
    assert after[total] == idle[total] + 1
