"""Hook flash end to end: transfer and call waiting on an analog phone, in the real daemon on
the emulated board, with a pjsua2 phone registered at the edge.

fxs1 feeds extension 1001 (the phone that flashes), fxs2 extension 1003; 1002 is Bob's SIP
phone. Music on hold is a 600 Hz tone and every tone is the US's, so who hears what can be
told apart: ringback 440+480 Hz, call waiting 440 Hz, Bob's voice 1209 Hz, fxs2's 697 Hz
and fxs1's 770 Hz. The bench's `wait` moves the board's time on, so a hang-up (a break
longer than the longest flash, 1250 ms) is recognised without waiting for it.
"""

import contextlib

import pytest

from board.emu.bench_client import BenchError
from tests.call_center_box import extension, read_notifications
from tests.harness import Daemon, short_tempdir, wait_until
from tests.line_bench import LineBench, hears
from tests.phone_client import Phone
from tests.test_edge import write_tone
from tests.tones import has_tone

PHONE_HOST = "127.0.0.4"
MUSIC_HZ, RINGBACK_HZ = 600, 440
BOB_HZ, FXS2_HZ, FXS1_HZ = 1209, 697, 770
US_DIAL = (350, 440)
RING_TIMEOUT_S = 5


@pytest.fixture(scope="module")
def box():
    """One daemon for the module (each test leaves it without calls: see `bench`)."""
    with short_tempdir() as workdir:
        music = workdir / "music"
        music.mkdir()
        write_tone(music / "hold.wav", MUSIC_HZ)
        (workdir / "box").mkdir()
        daemon = Daemon(
            workdir / "box",
            {
                "board": {
                    "country": "US",
                    "lines": {"fxs1": {"extension": "1001"}, "fxs2": {"extension": "1003"}},
                },
                "moh": {"default_dir": str(music)},
                "prompts": {"tone_country": "US"},
                "routing": {"ring_timeout_s": RING_TIMEOUT_S},
            },
        )
        try:
            daemon.start()
            read_notifications(daemon)
            daemon.add_extension("1001", "Front desk")
            daemon.add_extension("1003", "Back office")
            daemon.secrets = {"1002": daemon.add_extension("1002", "Bob")}
            yield daemon
        finally:
            daemon.close()


@pytest.fixture
def bench(box):
    """The bench; afterwards both analog phones hang up and the box has no call left."""
    bench = LineBench(box)
    yield bench
    print(box.log_tail(60))  # shown when the test failed
    for number in (1, 2):
        with contextlib.suppress(BenchError):
            bench.command(f"fxs {number} onhook")
    bench.command("wait 1500")
    bench.close()
    wait_until(lambda: box.status()["calls_active"] == 0, 10, "every call over")


@pytest.fixture
def bob(box):
    with extension(box, "1002", PHONE_HOST) as phone:
        yield phone


def port(box, name: str) -> dict:
    return next(p for p in box.status()["ports"] if p["name"] == name)


def bob_calls_fxs1(bench: LineBench, bob: Phone) -> None:
    bob.call("1001")
    bench.wait_until("fxs 1 ring?", lambda f: f["ringing"] == "yes", 10, "fxs1 ringing")
    bench.command("fxs 1 offhook")
    bench.command("wait 100")  # the ring trip over and the loop fed: a flash can be told
    bob.wait_for("state", state="CONFIRMED", timeout=5)
    bob.wait_for("media", timeout=5)


def flash(bench: LineBench, port_number: int) -> None:
    bench.command(f"fxs {port_number} flash")
    bench.command("wait 700")  # the 600 ms break, over


def hang_up(bench: LineBench, port_number: int) -> None:
    bench.command(f"fxs {port_number} onhook")
    bench.command("wait 1300")  # longer than any flash: hung up


def bob_hears(bob: Phone, tmp_path, name: str) -> str:
    """What Bob hears over 1.5 s: the path of his recording."""
    path = tmp_path / f"{name}.wav"
    bob.record(path, seconds=1.5)
    bob.wait_for("recorded", timeout=10)
    return path


def bob_and_fxs2_talk(bench: LineBench, bob: Phone, tmp_path) -> tuple[bool, bool]:
    """(Bob heard fxs2, fxs2 heard Bob)."""
    bench.command(f"fxs 2 tone {FXS2_HZ}")
    recording = bob_hears(bob, tmp_path, "bob-fxs2")
    bench.command("fxs 2 quiet")
    bob.play_tone(BOB_HZ, 5.0)
    heard = bench.wait_until("fxs 2 hear", hears(BOB_HZ), 5, "Bob on fxs2")
    bob.stop_tone()
    return has_tone(recording, FXS2_HZ), hears(BOB_HZ)(heard)


def ended_records(box, count: int, after: int) -> list[dict] | None:
    """The records of legs after the first `after`, once `count` of them have ended."""
    records = box.call_records()[after:]
    return records if len(records) >= count and all(r["ended_at"] for r in records) else None


def test_hanging_up_after_a_consultation_transfers_the_held_caller(box, bench, bob, tmp_path):
    earlier = len(box.call_records())
    bob_calls_fxs1(bench, bob)
    flash(bench, 1)
    bench.wait_until("fxs 1 hear", hears(*US_DIAL, tone="dial"), 2, "dial tone after the flash")
    assert has_tone(bob_hears(bob, tmp_path, "held"), MUSIC_HZ), "Bob is on hold"
    bench.command("fxs 1 dial 1003")
    bench.wait_until("fxs 2 ring?", lambda f: f["ringing"] == "yes", 10, "fxs2 ringing")
    bench.command("fxs 2 offhook")
    bench.command(f"fxs 2 tone {FXS2_HZ}")
    bench.wait_until("fxs 1 hear", hears(FXS2_HZ), 5, "the consultation")
    bench.command("fxs 2 quiet")
    assert port(box, "fxs1")["second_call"] == "held"
    hang_up(bench, 1)
    assert bob_and_fxs2_talk(bench, bob, tmp_path) == (True, True)
    wait_until(lambda: port(box, "fxs1")["state"] == "idle", 5, "fxs1 free")
    bob.hangup()
    bench.wait_until("fxs 2 hear", hears(480, 620, tone="busy"), 5, "fxs2 left alone")
    records = wait_until(lambda: ended_records(box, 4, earlier), 10, "four legs recorded")
    transferred = {r["call_uid"] for r in records if r["line"] != "fxs1"}
    assert len(transferred) == 1, f"Bob's and fxs2's legs are one call: {records}"


def consult_fxs2_and_hang_up(bench: LineBench) -> None:
    """fxs1 flashes, dials fxs2 (1003), and hangs up while it rings."""
    flash(bench, 1)
    bench.command("fxs 1 dial 1003")
    bench.wait_until("fxs 2 ring?", lambda f: f["ringing"] == "yes", 10, "fxs2 ringing")
    hang_up(bench, 1)


def test_a_consultation_still_ringing_is_connected_to_the_held_caller_once_answered(
    box, bench, bob, tmp_path
):
    bob_calls_fxs1(bench, bob)
    consult_fxs2_and_hang_up(bench)
    wait_until(lambda: port(box, "fxs1")["second_call"] == "transferring", 5, "the hand-over")
    ringing = bob_hears(bob, tmp_path, "ringing")
    assert has_tone(ringing, RINGBACK_HZ), "Bob hears ringback while fxs2 rings"
    assert not has_tone(ringing, MUSIC_HZ), "and no music"
    assert port(box, "fxs1")["state"] == "idle", "fxs1 is free meanwhile"
    bench.command("fxs 2 offhook")
    assert bob_and_fxs2_talk(bench, bob, tmp_path) == (True, True)
    wait_until(lambda: port(box, "fxs1")["second_call"] == "", 5, "fxs1 done with the calls")
    assert bench.command("fxs 1 ring?")["ringing"] == "no"


def test_a_consultation_nobody_answers_rings_the_transferor_back(box, bench, bob, tmp_path):
    bob_calls_fxs1(bench, bob)
    consult_fxs2_and_hang_up(bench)
    ring_s = RING_TIMEOUT_S + 3
    bench.wait_until("fxs 1 ring?", lambda f: f["ringing"] == "yes", ring_s, "a recall")
    assert bench.command("fxs 2 ring?")["ringing"] == "no", "fxs2 is given up"
    assert has_tone(bob_hears(bob, tmp_path, "recall"), MUSIC_HZ), "Bob is on hold again"
    bench.command("fxs 1 offhook")
    bench.command(f"fxs 1 tone {FXS1_HZ}")
    assert has_tone(bob_hears(bob, tmp_path, "back"), FXS1_HZ), "Bob is back with fxs1"


def test_call_waiting_answered_by_flash_swapped_and_rung_back_after_hanging_up(
    box, bench, bob, tmp_path
):
    bob_calls_fxs1(bench, bob)
    bob.play_tone(BOB_HZ, 60.0)
    bench.command("fxs 2 offhook")
    bench.command("fxs 2 dial 1001")
    wait_until(lambda: port(box, "fxs1")["second_call"] == "waiting", 5, "a call waiting")
    bench.command("wait 10700")  # a whole cadence of the US call-waiting tone, and more
    bench.wait_until("fxs 1 hear", hears(BOB_HZ, tone="call_waiting"), 3, "the tone over Bob")
    assert bench.command("fxs 2 hear")["tone"] == "ringback"
    flash(bench, 1)  # answers the waiting call; Bob is held
    bench.command(f"fxs 1 tone {FXS1_HZ}")
    bench.wait_until("fxs 2 hear", hears(FXS1_HZ), 5, "fxs1 on the waiting call")
    held = bob_hears(bob, tmp_path, "held")
    assert (has_tone(held, MUSIC_HZ), has_tone(held, FXS1_HZ)) == (True, False), "Bob is held"
    assert port(box, "fxs1")["second_call"] == "held"
    flash(bench, 1)  # back to Bob
    bench.wait_until("fxs 1 hear", hears(BOB_HZ), 5, "Bob again")
    # Only fxs1's side was waited for: under load (the full suite) Bob's music has once
    # lasted into his first 1.5 s recording, so his side is waited for too.
    wait_until(lambda: has_tone(bob_hears(bob, tmp_path, "back"), FXS1_HZ), 6, "Bob hearing fxs1")
    hang_up(bench, 1)  # ends Bob's call; fxs1 rings for fxs2's
    bob.wait_for("state", state="DISCONNECTED", timeout=5)
    bench.wait_until("fxs 1 ring?", lambda f: f["ringing"] == "yes", 5, "fxs1 rung back")
    bench.command("fxs 1 offhook")
    bench.command(f"fxs 1 tone {FXS1_HZ}")
    bench.wait_until("fxs 2 hear", hears(FXS1_HZ), 5, "fxs1 back on fxs2's call")
