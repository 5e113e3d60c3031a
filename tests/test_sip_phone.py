"""The scripted test phone against itself: no Callbox daemon involved."""

from collections.abc import Iterator

import pytest

from tests.phone_client import Phone
from tests.tones import has_tone

ALICE_PORT = 7101
BOB_PORT = 7102
BOB_URI = f"sip:bob@127.0.0.1:{BOB_PORT}"


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
