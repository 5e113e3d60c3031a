"""Call recording with the real daemon and real phones through the edge.

Alice (1001) calls Bob (1002), as in test_edge; Carol (1003) calls Dave (1004)
when two calls are needed. Each phone plays a tone of its own, which the
recording must hold: in the mono file both, in the two-channel file each on
its own side.
"""

import contextlib
import math
import os
import signal
import sqlite3
import subprocess
import time
import wave
from array import array
from datetime import UTC, datetime
from pathlib import Path

import pytest

from firmware import control
from pbx.recording.wav_file import is_closed
from tests.harness import CALLBOX, free_port, wait_until
from tests.test_edge import call, phone, talk
from tests.tones import tone_level_db

HOSTS = {"1001": "127.0.0.3", "1002": "127.0.0.4", "1003": "127.0.0.5", "1004": "127.0.0.6"}
ALICE_HZ, BOB_HZ, CAROL_HZ, DAVE_HZ = 697, 1209, 852, 1477
MAX_LOSS_S = 2.0  # the promise: a kill loses at most this much of a recording


def start_box(make_daemon, recording: dict, numbers=("1001", "1002")):
    box = make_daemon({"recording": {"sync_interval_s": 0.5, **recording}}).start()
    box.secrets = {n: box.add_extension(n, f"Ext {n}") for n in numbers}
    return box


def registered_phones(box, numbers=("1001", "1002")):
    started = []
    try:
        for number in numbers:
            started.append(phone(box, number, HOSTS[number], free_port()))
        for side in started:
            side.wait_for("registration", active=True, timeout=10)
    except BaseException:
        for side in started:
            side.close()
        raise
    return started


def recordings(box, **query) -> list[dict]:
    return control.request(box.data_dir / "callbox.sock", "rec.list", **query)


def with_status(box, status: str, count: int = 1) -> list[dict] | None:
    found = [r for r in recordings(box) if r["status"] == status]
    return found if len(found) == count else None


def channels(path) -> tuple[list[list[float]], int]:
    """Each channel's samples scaled to -1..1, and the rate."""
    with wave.open(str(path)) as wav:
        count, rate = wav.getnchannels(), wav.getframerate()
        samples = array("h", wav.readframes(wav.getnframes()))
    return [[v / 32768 for v in samples[c::count]] for c in range(count)], rate


def level_db(samples: list[float], rate: int, hz: float) -> float:
    """A tone's share of a channel's power after the first half second (tone_level_db)."""
    return tone_level_db(samples[rate // 2 :], rate, hz)


def duration_s(path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


def test_a_recorded_call_holds_both_parties_each_on_its_own_channel(make_daemon):
    box = start_box(make_daemon, {"default_mode": "always", "two_channel": True})
    alice, bob = registered_phones(box)
    with alice, bob:
        call(alice, bob, "1002")
        wait_until(lambda: with_status(box, "recording"), 10, "the recording to start")
        alice.play_tone(ALICE_HZ, 10.0)
        bob.play_tone(BOB_HZ, 10.0)
        time.sleep(2.5)  # the call's length: two and a half seconds of both tones
        alice.hangup()
        bob.wait_for("state", state="DISCONNECTED", timeout=10)
    (done,) = wait_until(lambda: with_status(box, "complete"), 10, "the recording to close")

    (mono,), rate = channels(done["file"])
    assert level_db(mono, rate, ALICE_HZ) > -6, "Alice is in the mono file"
    assert level_db(mono, rate, BOB_HZ) > -6, "and so is Bob"
    (left, right), _ = channels(done["file"].replace(".wav", "-2ch.wav"))
    # The last 1.5 s, when both tones play whatever the moment each phone began its own.
    left, right = left[-rate * 3 // 2 :], right[-rate * 3 // 2 :]
    assert level_db(left, rate, ALICE_HZ) > -1, "the caller alone on the left"
    assert level_db(right, rate, BOB_HZ) > -1, "the answering side alone on the right"
    assert level_db(left, rate, BOB_HZ) < -30
    assert level_db(right, rate, ALICE_HZ) < -30
    assert 2.0 < done["duration_ms"] / 1000 < 4.5
    assert duration_s(done["file"]) == pytest.approx(done["duration_ms"] / 1000, abs=0.01)

    legs = [r for r in box.call_records() if r["call_uid"] == done["call_uid"]]
    assert len(legs) == 2
    assert {(r["recording_uid"], r["recording_status"]) for r in legs} == {
        (done["uid"], "recorded")
    }
    assert (done["caller"], done["callee"]) == ("1001", "1002")
    assert recordings(box, call_uid=done["call_uid"]) == [done]
    assert box.status()["recording"]["outcomes"] == {"recorded": 1}


def test_the_feature_code_records_only_the_part_between_two_presses(make_daemon):
    box = start_box(make_daemon, {"default_mode": "never"})
    changed = subprocess.run(
        [CALLBOX, "--config", box.config_path, "ext", "set", "1001", "--recording", "on-demand"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert changed.returncode == 0, changed.stderr
    alice, bob = registered_phones(box)
    with alice, bob:
        call(alice, bob, "1002")
        alice.play_tone(440, 10.0)  # before the code: not recorded
        time.sleep(1.0)
        alice.stop_tone()
        pressed = time.monotonic()
        alice.dtmf("*1")
        assert bob.take("dtmf", timeout=5)["digit"] == "*", "digits still reach Bob"
        wait_until(lambda: with_status(box, "recording"), 10, "the code to start a recording")
        seen = time.monotonic()
        alice.play_tone(ALICE_HZ, 10.0)
        time.sleep(2.0)
        alice.stop_tone()
        pressed_again = time.monotonic()
        alice.dtmf("*1")
        wait_until(lambda: with_status(box, "complete"), 10, "the code to stop it")
        stopped = time.monotonic()
        alice.play_tone(852, 10.0)  # after the code: not recorded either
        time.sleep(1.0)
        alice.hangup()
        bob.wait_for("state", state="DISCONNECTED", timeout=10)

    (done,) = recordings(box)
    (mono,), rate = channels(done["file"])
    assert level_db(mono, rate, ALICE_HZ) > -3
    assert level_db(mono, rate, 440) < -20
    assert level_db(mono, rate, 852) < -20
    assert pressed_again - seen - 0.3 < duration_s(done["file"]) < stopped - pressed
    assert box.call_records()[0]["recording_status"] == "recorded"


def expected_s(recording: dict, killed_at: datetime) -> float:
    return (killed_at - datetime.fromisoformat(recording["started_at"])).total_seconds()


def test_kill_9_during_recorded_calls_leaves_every_recording_playable(make_daemon, capsys):
    numbers = ("1001", "1002", "1003", "1004")
    box = start_box(make_daemon, {"default_mode": "always", "two_channel": True}, numbers)
    alice, bob, carol, dave = registered_phones(box, numbers)
    with alice, bob, carol, dave:
        call(alice, bob, "1002")
        call(carol, dave, "1004")
        for side, hz in ((alice, ALICE_HZ), (bob, BOB_HZ), (carol, CAROL_HZ), (dave, DAVE_HZ)):
            side.play_tone(hz, 10.0)
        running = wait_until(lambda: with_status(box, "recording", 2), 10, "two recordings")
        time.sleep(3.0)  # three seconds into the calls
        killed_at = datetime.now(UTC)
        box.process.send_signal(signal.SIGKILL)
        box.process.wait(timeout=10)
        cut = [r["file"] for r in running]
        assert all(os.path.getsize(f) > 44 * 3 for f in cut), "audio reached the disk"
        box.start()  # the phones still think their calls are up

    repaired = recordings(box)
    assert {r["status"] for r in repaired} == {"interrupted"}
    losses = []
    for recording in repaired:
        heard = duration_s(recording["file"])  # wave reads the sizes the repair wrote
        assert heard == pytest.approx(recording["duration_ms"] / 1000, abs=0.01)
        losses.append(expected_s(recording, killed_at) - heard)
        (left, right), rate = channels(recording["file"].replace(".wav", "-2ch.wav"))
        assert len(left) / rate == pytest.approx(heard, abs=0.05)
        assert not os.path.exists(recording["file"].replace(".wav", "-L.wav"))
        caller_hz, callee_hz = (
            (ALICE_HZ, BOB_HZ) if recording["caller"] == "1001" else (CAROL_HZ, DAVE_HZ)
        )
        assert level_db(left, rate, caller_hz) > -1
        assert level_db(right, rate, callee_hz) > -1
    assert all(0 <= loss <= MAX_LOSS_S for loss in losses), losses
    with capsys.disabled():
        print(f"\nrecording lost on kill -9: {', '.join(f'{x:.2f} s' for x in losses)}")
    legs = box.call_records()
    assert len(legs) == 4
    assert {(r["disposition"], r["recording_status"]) for r in legs} == {
        ("interrupted", "interrupted")
    }


@pytest.fixture
def small_disk(workdir):
    """A 24 MiB tmpfs the test can fill, as the recordings' data disk."""
    mount = workdir / "recordings"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m,mode=0750", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr!r}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill_to(mount, free_bytes: int) -> None:
    """Write a file that leaves `free_bytes` free on the mount."""
    stats = os.statvfs(mount)
    with (mount / "filler").open("wb") as filler:
        filler.truncate(0)
        remaining = stats.f_bavail * stats.f_frsize - free_bytes
        while remaining > 0:
            remaining -= filler.write(b"\0" * min(remaining, 1 << 20))


def test_a_disk_at_its_reserve_stops_recording_but_never_a_call(small_disk, make_daemon, tmp_path):
    reserve_mb = 8
    box = start_box(
        make_daemon, {"default_mode": "always", "dir": str(small_disk), "reserve_mb": reserve_mb}
    )
    alice, bob = registered_phones(box)
    with alice, bob:
        call(alice, bob, "1002")
        wait_until(lambda: with_status(box, "recording"), 10, "the recording to start")
        fill_to(small_disk, (reserve_mb - 2) << 20)
        wait_until(lambda: with_status(box, "stopped-disk-full"), 10, "the recording to stop")
        assert talk(alice, bob, tmp_path) == (True, True), "the call carries on"
        alice.hangup()
        bob.wait_for("state", state="DISCONNECTED", timeout=10)

        call(alice, bob, "1002")  # a new call still connects
        assert talk(alice, bob, tmp_path) == (True, True)
        alice.hangup()
        bob.wait_for("state", state="DISCONNECTED", timeout=10)

    assert len(recordings(box)) == 1, "no recording of the second call"
    first, second = sorted({r["call_uid"] for r in box.call_records()}, key=_started(box))
    assert _recording_statuses(box, first) == {"stopped-disk-full"}
    assert _recording_statuses(box, second) == {"skipped-disk-full"}
    status = box.status()["recording"]
    assert (status["alarm"], status["alarms"]) == ("disk-full", {"disk-full": 1})
    assert status["outcomes"] == {"stopped-disk-full": 1, "skipped-disk-full": 1}
    assert "recording alarm: " in box.log_tail(200)

    (small_disk / "filler").unlink()
    wait_until(lambda: box.status()["recording"]["alarm"] is None, 10, "the alarm to clear")


def _started(box):
    first_seen = {}
    for record in box.call_records():
        first_seen.setdefault(record["call_uid"], record["id"])
    return first_seen.get


def _recording_statuses(box, call_uid: str) -> set[str]:
    return {r["recording_status"] for r in box.call_records() if r["call_uid"] == call_uid}


def test_the_policy_and_the_extension_setting_are_shown(make_daemon):
    box = start_box(make_daemon, {"default_mode": "never", "retention_days": 30})
    socket_path = box.data_dir / "callbox.sock"
    control.request(socket_path, "ext.set", number="1002", recording="always")
    shown = control.request(socket_path, "rec.policy", extension="1002")
    assert shown["default"]["mode"] == "never"
    assert shown["default"]["retention_days"] == 30
    assert shown["on_demand_code"] == "*1"
    assert shown["extension"] == {"number": "1002", "setting": "always", "effective": "always"}
    with pytest.raises(control.RequestRefused, match="no extension 1009"):
        control.request(socket_path, "rec.policy", extension="1009")
    with pytest.raises(control.RequestRefused, match="recording must be one of"):
        control.request(socket_path, "ext.set", number="1002", recording="sometimes")
    assert math.isfinite(box.status()["recording"]["disk_free_mb"])


def test_a_transferred_call_is_recorded_bridge_by_bridge(make_daemon):
    numbers = ("1001", "1002", "1003")
    box = start_box(make_daemon, {"default_mode": "always"}, numbers)
    alice, bob, carol = registered_phones(box, numbers)
    with alice, bob, carol:
        call(alice, bob, "1002")
        wait_until(lambda: with_status(box, "recording"), 10, "the first recording")
        bob.hold()
        bob.transfer("1003")
        carol.wait_for("incoming", timeout=10)
        carol.answer()
        carol.wait_for("media", timeout=10)
        wait_until(lambda: with_status(box, "recording"), 10, "the second recording")
        alice.play_tone(ALICE_HZ, 10.0)
        time.sleep(1.5)
        carol.hangup()
        alice.wait_for("state", state="DISCONNECTED", timeout=10)
    first, second = sorted(
        wait_until(lambda: with_status(box, "complete", 2), 10, "both recordings closed"),
        key=lambda r: r["started_at"],
    )
    assert first["call_uid"] == second["call_uid"], "one call"
    assert (first["callee"], second["callee"]) == ("1002", "1003")
    (mono,), rate = channels(second["file"])
    assert level_db(mono, rate, ALICE_HZ) > -3, "Alice talking to Carol"


def test_a_clean_stop_closes_the_recordings_of_the_calls_it_hangs_up(make_daemon):
    box = start_box(make_daemon, {"default_mode": "always"})
    alice, bob = registered_phones(box)
    with alice, bob:
        call(alice, bob, "1002")
        (running,) = wait_until(lambda: with_status(box, "recording"), 10, "a recording")
        alice.play_tone(ALICE_HZ, 10.0)
        time.sleep(1.0)
        code, _ = box.terminate(timeout_s=15)
        assert code == 0, box.log_tail()
    with contextlib.closing(sqlite3.connect(box.data_dir / "callbox.db")) as db:
        status, duration_ms = db.execute("SELECT status, duration_ms FROM recording").fetchone()
    assert status == "complete"
    assert is_closed(Path(running["file"])), "the engine wrote the header sizes"
    assert duration_s(running["file"]) == pytest.approx(duration_ms / 1000, abs=0.01)
