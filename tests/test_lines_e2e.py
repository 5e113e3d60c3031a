"""Analog lines end to end: the real daemon on the emulated board, real Kamailio, a pjsua2
phone registered at the edge, and the far ends of the lines driven through the daemon's
bench channel (its pty), from this process.

fxs1 feeds extension 1001's analog phone; 1002 is a SIP phone; fxo1 is a phone-company
line whose calls go to 1002, and outbound route `_9.` (9 stripped) uses the fxo group.
"""

import pytest

from firmware import control
from tests.call_center import ask, events
from tests.harness import free_port, wait_until
from tests.line_bench import LineBench, hears
from tests.phone_client import Phone
from tests.tones import has_tone

PHONE_HOST = "127.0.0.4"
US_DIAL, US_BUSY = (350, 440), (480, 620)
US_RINGBACK = (440,)  # 440+480 Hz: the phone's ear hears tones 40 Hz apart as one
# Release targets (hardware.md §6, target 8); busy: four cadences of the US 500/500 tone.
RELEASE_TARGET_MS = {"battery": 250, "polarity": 150, "busy": 4000}


@pytest.fixture
def box(make_daemon):
    daemon = make_daemon(
        {
            "board": {
                "country": "US",
                "lines": {
                    "fxs1": {"extension": "1001"},
                    "fxo1": {"destination": "ext:1002", "answer_ring": 2},
                },
            }
        }
    ).start()
    daemon.add_extension("1001", "Front desk")
    daemon.secret = daemon.add_extension("1002", "Bob")
    control.request(
        daemon.data_dir / "callbox.sock",
        "route.set",
        name="outside",
        patterns=["_9."],
        trunks=["fxo"],
        strip=1,
    )
    return daemon


@pytest.fixture
def bench(box):
    bench = LineBench(box)
    yield bench
    bench.close()


@pytest.fixture
def bob(box):
    with Phone.start(
        port=free_port(), name="bob", user="1002", secret=box.secret, bind=PHONE_HOST,
        registrar=box.registrar,
    ) as phone:  # fmt: skip
        phone.wait_for("registration", active=True, timeout=10)
        yield phone


def tones_both_ways(bench: LineBench, port: str, bob: Phone, tmp_path) -> tuple[bool, bool]:
    """(bob heard the analog side's 697 Hz, the analog side heard bob's 1209 Hz)."""
    bench.command(f"{port} tone 697")
    bob.record(tmp_path / "bob.wav", seconds=1.5)
    bob.wait_for("recorded", timeout=10)
    bench.command(f"{port} quiet")
    bob.play_tone(1209, 5.0)
    heard = bench.wait_until(f"{port} hear", hears(1209), 5, "1209 Hz on the analog side")
    bob.stop_tone()
    return has_tone(tmp_path / "bob.wav", 697), hears(1209)(heard)


def answer(bob: Phone) -> dict:
    incoming = bob.wait_for("incoming", timeout=15)
    bob.answer()
    bob.wait_for("state", state="CONFIRMED", timeout=10)
    bob.wait_for("media", timeout=5)
    return incoming


def port_state(box, name: str) -> str:
    return next(p["state"] for p in box.status()["ports"] if p["name"] == name)


def ended_records(box, count: int) -> list[dict] | None:
    records = box.call_records()
    return records if len(records) >= count and all(r["ended_at"] for r in records) else None


def test_an_analog_phone_calls_a_sip_extension_and_they_hear_each_other(box, bench, bob, tmp_path):
    bench.command("fxs 1 offhook")
    bench.wait_until("fxs 1 hear", hears(*US_DIAL, tone="dial"), 2, "dial tone")
    bench.command("fxs 1 dial 1002")
    bob.wait_for("incoming", timeout=10)
    bench.wait_until("fxs 1 hear", hears(*US_RINGBACK), 5, "ringback")
    bob.answer()
    bob.wait_for("state", state="CONFIRMED", timeout=10)
    bob.wait_for("media", timeout=5)
    assert tones_both_ways(bench, "fxs 1", bob, tmp_path) == (True, True)
    bench.command("fxs 1 onhook")
    bob.wait_for("state", state="DISCONNECTED", timeout=5)
    records = wait_until(lambda: ended_records(box, 2), 10, "both legs recorded")
    analog = next(r for r in records if r["line"])
    assert (analog["line"], analog["dialled"], analog["caller_number"]) == ("fxs1", "1002", "1001")
    assert {r["disposition"] for r in records} == {"answered"}
    assert port_state(box, "fxs1") == "idle"


def test_a_sip_phone_calls_the_analog_phone(box, bench, bob):
    bob.call("1001")
    bench.wait_until("fxs 1 ring?", lambda f: f["ringing"] == "yes", 10, "the phone ringing")
    bob.wait_for("state", state="EARLY", timeout=5)
    assert port_state(box, "fxs1") == "ringing"
    bench.command("fxs 1 offhook")
    bob.wait_for("state", state="CONFIRMED", timeout=5)
    assert bench.command("fxs 1 ring?")["ringing"] == "no"
    assert port_state(box, "fxs1") == "in-call"
    bob.hangup()
    bench.wait_until("fxs 1 hear", hears(*US_BUSY, tone="busy"), 5, "busy once the caller left")


def test_a_line_rings_with_caller_id_and_reaches_the_extension_with_the_number(
    box, bench, bob, tmp_path
):
    bench.command('fxo 1 ring cid 5551234 "Pat Caller"')
    bench.command("wait 6100")  # the first ring, caller ID, the second ring: answered
    assert [e.args for e in bench.events("cid-sent", "fxo", 1)] == [("5551234", "Pat Caller")]
    incoming = answer(bob)
    assert (incoming["caller_number"], incoming["caller_name"]) == ("5551234", "Pat Caller")
    assert bench.command("fxo 1 line?")["seized"] == "yes"
    assert tones_both_ways(bench, "fxo 1", bob, tmp_path) == (True, True)
    bob.hangup()
    bench.wait_until("fxo 1 line?", lambda f: f["seized"] == "no", 3, "the line released")
    records = wait_until(lambda: ended_records(box, 2), 10, "both legs recorded")
    assert [r["line"] for r in records] == ["fxo1", ""]
    assert records[0]["caller_number"] == "5551234"


@pytest.mark.parametrize("method", ["battery", "polarity", "busy"])
def test_the_far_end_hanging_up_releases_the_line_within_the_target(box, bench, bob, method):
    bench.command('fxo 1 ring cid 5551234 "Pat Caller"')
    bench.command("wait 6100")
    answer(bob)
    wait_until(lambda: port_state(box, "fxo1") == "in-call", 5, "the box connecting the line")
    # A hang-up, not the seizure's own transients: past the guards (650 ms after seizure,
    # 600 ms after the answer) in board time, which the daemon paces in real time.
    bench.command("wait 800")
    bench.command(f"fxo 1 hangup {method}")
    bench.command(f"wait {RELEASE_TARGET_MS[method]}")  # board time, all at once
    assert bench.command("fxo 1 line?")["seized"] == "no"
    bob.wait_for("state", state="DISCONNECTED", timeout=5)
    bench.command("wait 500")
    assert len(bench.events("released", "fxo", 1)) == 1, "the exchange saw the box let go"


def test_an_analog_phone_dials_out_through_an_fxo_line(box, bench, tmp_path):
    bench.command("fxs 1 offhook")
    bench.wait_until("fxs 1 hear", hears(*US_DIAL, tone="dial"), 2, "the box's dial tone")
    bench.command("fxs 1 dial 95551234#")
    bench.wait_until("fxo 1 digits?", lambda f: f["heard"] == "5551234", 10, "the number dialled")
    assert [e.kind for e in bench.events("seized", "fxo", 1)] == ["seized"]
    bench.command("fxo 1 tone 1209")
    bench.wait_until("fxs 1 hear", hears(1209), 5, "the far party on the analog phone")
    bench.command("fxo 1 quiet")
    bench.command("fxs 1 tone 697")
    bench.wait_until("fxo 1 hear", hears(697), 5, "the analog phone on the line")
    assert (port_state(box, "fxs1"), port_state(box, "fxo1")) == ("in-call", "in-call")
    bench.command("fxs 1 onhook")
    bench.wait_until("fxo 1 line?", lambda f: f["seized"] == "no", 5, "the line released")
    bench.command("wait 500")
    assert len(bench.events("released", "fxo", 1)) == 1
    records = wait_until(lambda: ended_records(box, 2), 10, "both legs recorded")
    assert sorted(r["line"] for r in records) == ["fxo1", "fxs1"]


def test_an_analog_phone_is_a_queue_agent(box, bench, bob, tmp_path):
    ask(box, "queue.add", name="desk", number="600", members=["1001"], wrapup_s=0)
    ask(box, "agent.login", extension="1001")
    bob.call("600")
    bench.wait_until(
        "fxs 1 ring?", lambda f: f["ringing"] == "yes", 10, "the agent's phone ringing"
    )
    bench.command("fxs 1 offhook")
    assert tones_both_ways(bench, "fxs 1", bob, tmp_path) == (True, True)
    bench.command("fxs 1 onhook")
    bob.wait_for("state", state="DISCONNECTED", timeout=5)
    connects = wait_until(lambda: events(box, "connect"), 5, "the queue's connect event")
    assert [(e["queue"], e["agent"]) for e in connects] == [("desk", "1001")]
