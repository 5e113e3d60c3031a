"""The scripted test phone against itself and a SIPp registrar: no Callbox daemon involved."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import free_port, wait_until
from tests.phone_client import Phone
from tests.tones import has_tone

ALICE_PORT = free_port()
BOB_PORT = free_port()
BOB_URI = f"sip:bob@127.0.0.1:{BOB_PORT}"
REGISTRAR_PORT = free_port()
REGISTERING_PORT = free_port()
SIPP_DIR = Path(__file__).resolve().parent / "sipp"


@pytest.fixture
def phones() -> Iterator[tuple[Phone, Phone]]:
    with (
        Phone.start(port=ALICE_PORT, name="alice") as alice,
        Phone.start(port=BOB_PORT, name="bob") as bob,
    ):
        yield alice, bob


def test_tone_reaches_the_called_phone(phones, tmp_path):
    alice, bob = phones
    alice.call(BOB_URI)
    incoming = bob.wait_for("incoming")
    assert "alice@127.0.0.1" in incoming["from"]
    assert "bob@127.0.0.1" in incoming["to"]
    bob.answer()
    for phone in (alice, bob):
        phone.wait_for("state", state="CONFIRMED")
    for phone in (alice, bob):
        phone.wait_for("media")

    alice.play_tone(697, 2.0)
    recording = tmp_path / "bob.wav"
    bob.record(recording, seconds=1.5)
    assert bob.wait_for("recorded")["path"] == str(recording)
    assert has_tone(recording, 697)
    assert not has_tone(recording, 1209)

    alice.hangup()
    bob.wait_for("state", state="DISCONNECTED")
    alice.wait_for("state", state="DISCONNECTED")


def test_busy_callee_ends_the_call_with_486(phones):
    alice, bob = phones
    alice.call(BOB_URI)
    bob.wait_for("incoming")
    bob.hangup(code=486)
    ended = alice.wait_for("state", state="DISCONNECTED")
    assert ended["code"] == 486
    bob.wait_for("state", state="DISCONNECTED")


def udp_bound(port: int) -> bool:
    """True once some socket is bound to UDP `port` (read from /proc, not by binding it)."""
    suffix = f":{port:04X}"
    with open("/proc/net/udp", encoding="ascii") as table:
        next(table)  # header
        return any(line.split()[1].endswith(suffix) for line in table)


def test_phone_registers_after_a_digest_challenge(tmp_path):
    registrar = subprocess.Popen(
        [
            "sipp",
            "-sf",
            str(SIPP_DIR / "registrar_challenge.xml"),
            "-i",
            "127.0.0.1",
            "-p",
            str(REGISTRAR_PORT),
            "-m",
            "1",
            "-timeout",
            "30s",
            "-timeout_error",
            "-nostdin",
        ],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(
            lambda: udp_bound(REGISTRAR_PORT) or registrar.poll() is not None,
            10,
            f"SIPp to listen on UDP {REGISTRAR_PORT}",
        )
        with Phone.start(
            port=REGISTERING_PORT,
            name="reg",
            registrar=f"sip:127.0.0.1:{REGISTRAR_PORT}",
            user="1001",
            secret="x" * 20,
        ) as phone:
            # The 401 is answered inside pjsip: the first event is the outcome.
            registered = phone.wait_for("registration", timeout=15)
            assert registered["active"] is True, registered
            assert registered["code"] == 200, registered
            assert registered["expires"] > 0, registered
            output, _ = registrar.communicate(timeout=30)
    finally:
        if registrar.poll() is None:
            registrar.kill()
            registrar.communicate()
    assert registrar.returncode == 0, output[-3000:]
