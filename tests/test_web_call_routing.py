"""The call-routing API on the real daemon: trunks and outbound routes as the engine and edge
take them, and call flows made through the API that really route a provider's calls.

The provider is a pjsua2 phone on 127.0.0.1 whose address and port the trunk
(made through the API) names, so the edge takes its calls as the provider's.
"""

import pytest

from tests.call_center_box import cli, extension, running_box
from tests.harness import free_port
from tests.phone_client import Phone
from tests.tone_track import write_tone
from tests.tones import has_tone
from tests.web_box import Browser, DaemonPanel

ALICE_HOST, BOB_HOST = "127.0.0.3", "127.0.0.4"
DID = "442071234567"
GREETING_HZ = 800


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    """One daemon for the module: Alice (1001), Bob (1002), a tone as the greeting prompt."""
    with running_box({"1001": "Alice", "1002": "Bob"}) as daemon:
        tone = write_tone(tmp_path_factory.mktemp("prompts") / "greet.wav", GREETING_HZ, 1.5)
        upload = cli(daemon, "prompt", "upload", "greet", tone)
        assert upload.returncode == 0, upload.stderr
        yield daemon


async def admin_of(box) -> Browser:
    """The daemon's admin, signed in (set up on the module's first use)."""
    admin = Browser(DaemonPanel.of(box))
    if "setup_token" in box.status()["web"]:
        await admin.set_up()
    else:
        await admin.log_in("admin")
    return admin


async def provider(admin: Browser, name: str) -> Phone:
    """A trunk made through the API for a phone that then calls as its provider."""
    port = free_port()
    code, made = await admin.api("/api/trunks", "POST", {"name": name, "host": f"127.0.0.1:{port}"})
    assert code == 201, made
    return Phone.start(port=port, name="447700900555")


def dial_did(caller: Phone, box) -> None:
    caller.call(f"sip:{DID}@127.0.0.1:{box.edge[1]}")
    caller.wait_for("state", state="CONFIRMED", timeout=10)


def rings(phone: Phone, caller: Phone) -> None:
    """`phone` rings with the provider's call; answered, then the caller hangs up."""
    incoming = phone.wait_for("incoming", timeout=10)
    assert incoming["caller_number"] == "447700900555"
    phone.answer()
    caller.wait_for("state", state="CONFIRMED", timeout=10)
    caller.hangup()
    phone.wait_for("state", state="DISCONNECTED", timeout=10)
    caller.wait_for("state", state="DISCONNECTED", timeout=10)


@pytest.mark.asyncio
async def test_trunks_and_outbound_routes_through_the_api_never_show_the_secret(box):
    admin = await admin_of(box)
    trunk = {"name": "carrier", "host": "127.0.0.1:5999", "username": "acct-77",
             "secret": "Provider-Secret-991", "caller_id": "442070000000",
             "dids": {DID: "ext:1001"}, "inbound_networks": ["127.0.0.0/30"]}  # fmt: skip
    code, made = await admin.api("/api/trunks", "POST", trunk)
    assert code == 201, made
    assert "secret" not in made
    assert (made["registration"], made["calls_failed"]) == ("not used", 0)
    assert made["dids"] == {DID: "ext:1001"}
    for path in ("/api/trunks", "/api/trunks/carrier", "/trunks", "/trunks/carrier"):
        answer = await admin.get(path)
        assert answer.code == 200, path
        assert b"Provider-Secret-991" not in answer.body, path
    assert b"not used" in (await admin.get("/trunks")).body

    code, answer = await admin.api("/api/trunks/carrier", "PUT", {"host": "bad host!"})
    assert code == 400
    assert "host must be a host name" in answer["error"]
    code, changed = await admin.api(
        "/api/trunks/carrier", "PUT", {"register": True, "max_channels": 2}
    )
    assert code == 200, changed
    assert changed["host"] == "127.0.0.1:5999"  # unchanged by the refused request
    assert (changed["register"], changed["max_channels"]) == (True, 2)
    assert changed["registration"] in ("registering", "failed")

    route = {"name": "national", "patterns": ["_0NXXXXXXXX"], "trunks": ["carrier"],
             "strip": 1, "prepend": "44", "permission": "national"}  # fmt: skip
    code, made = await admin.api("/api/outbound-routes", "POST", route)
    assert code == 201, made
    assert (made["permission"], made["trunks"]) == ("national", ["carrier"])
    code, answer = await admin.api(
        "/api/outbound-routes/national", "PUT", {"trunks": ["carrier", "nowhere"]}
    )
    assert code == 400
    assert "no trunk or line group nowhere" in answer["error"]
    code, answer = await admin.api("/api/trunks/carrier", "DELETE")
    assert code == 400
    assert "used by routes national" in answer["error"]
    page = await admin.get("/outbound-routes")
    assert b"_0NXXXXXXXX" in page.body
    assert b"1/44" in page.body
    assert (await admin.api("/api/outbound-routes/national", "DELETE"))[0] == 204
    assert (await admin.api("/api/trunks/carrier", "DELETE"))[0] == 204
    assert (await admin.api("/api/trunks/carrier"))[0] == 404


@pytest.mark.asyncio
async def test_a_form_with_a_bad_trunk_keeps_its_values_and_saves_nothing(box):
    admin = await admin_of(box)
    await admin.get("/trunks")
    form = {"name": "broken", "host": "no such:host", "transport": "udp", "username": "me",
            "max_channels": "0", "number_format": "e164", "enabled": "on",
            "secret": "Typed-Secret-123"}  # fmt: skip
    refused = await admin.post("/trunks", form)
    assert refused.code == 400
    body = refused.body.decode()
    assert "host must be a host name" in body
    assert 'value="broken"' in body
    assert 'value="no such:host"' in body
    assert "Typed-Secret-123" not in body  # a secret is never sent back, even to its typist
    _, listed = await admin.api("/api/trunks")
    assert "broken" not in [t["name"] for t in listed["trunks"]]


@pytest.mark.asyncio
async def test_an_inbound_route_to_an_ivr_made_through_the_api_routes_the_call(box, tmp_path):
    admin = await admin_of(box)
    menu = {"name": "front", "greeting": ["greet"], "options": {"1": "ext:1001"}}
    assert (await admin.api("/api/ivr", "POST", menu))[0] == 201
    route = {"name": "front-did", "did": DID, "destination": "ivr:front"}
    assert (await admin.api("/api/inbound-routes", "POST", route))[0] == 201
    with extension(box, "1001", ALICE_HOST) as alice, await provider(admin, "pstn-ivr") as caller:
        dial_did(caller, box)
        caller.wait_for("media", timeout=5)
        caller.record(tmp_path / "greeting.wav", seconds=1.0)
        caller.wait_for("recorded", timeout=10)
        assert has_tone(tmp_path / "greeting.wav", GREETING_HZ, skip_s=0.1), "the menu's greeting"
        caller.dtmf("1")
        incoming = alice.wait_for("incoming", timeout=10)
        assert incoming["caller_number"] == "447700900555"
        alice.answer()
        alice.wait_for("media", timeout=10)
        caller.hangup()
        alice.wait_for("state", state="DISCONNECTED", timeout=10)
    assert (await admin.api("/api/inbound-routes/front-did", "DELETE"))[0] == 204


@pytest.mark.asyncio
async def test_night_mode_flipped_through_the_api_changes_where_calls_go(box):
    admin = await admin_of(box)
    condition = {"name": "office", "open_destination": "ext:1001",
                 "closed_destination": "ext:1002", "timezone": "UTC"}  # fmt: skip
    assert (await admin.api("/api/time-conditions", "POST", condition))[0] == 201
    route = {"name": "office-did", "did": DID, "destination": "tc:office"}
    assert (await admin.api("/api/inbound-routes", "POST", route))[0] == 201
    with (
        extension(box, "1001", ALICE_HOST) as alice,
        extension(box, "1002", BOB_HOST) as bob,
        await provider(admin, "pstn-night") as caller,
    ):
        caller.call(f"sip:{DID}@127.0.0.1:{box.edge[1]}")
        rings(alice, caller)
        code, state = await admin.api(
            "/api/time-conditions/office/night", "PUT", {"mode": "closed"}
        )
        assert code == 200, state
        assert state["now"] == {**state["now"], "open": False, "why": "night mode"}
        caller.call(f"sip:{DID}@127.0.0.1:{box.edge[1]}")
        rings(bob, caller)
        assert (await admin.api("/api/time-conditions/office/night", "PUT", {"mode": "auto"}))[
            0
        ] == 200
        caller.call(f"sip:{DID}@127.0.0.1:{box.edge[1]}")
        rings(alice, caller)
