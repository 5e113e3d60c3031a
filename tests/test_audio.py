"""Audio through the daemon, heard by a real SIP phone: test tone, echo, refusals."""

import pytest

from tests.harness import free_port
from tests.phone_client import Phone
from tests.tones import has_tone

PHONE_PORT = free_port()


@pytest.fixture
def box(make_daemon):
    return make_daemon().start()


def connect(phone: Phone, uri: str) -> None:
    phone.call(uri)
    phone.wait_for("state", state="CONFIRMED", timeout=10)
    phone.wait_for("media", timeout=5)


def test_test_tone_number_plays_1004_hz(box, tmp_path):
    recording = tmp_path / "heard.wav"
    with Phone.start(port=PHONE_PORT, name="tech") as phone:
        connect(phone, f"sip:*44@127.0.0.1:{box.sip_port}")
        phone.record(recording, seconds=1.5)
        phone.wait_for("recorded", timeout=10)
        phone.hangup()
        phone.wait_for("state", state="DISCONNECTED")
    assert has_tone(recording, 1004)
    assert not has_tone(recording, 697)


def test_echo_number_sends_the_callers_audio_back(box, tmp_path):
    recording = tmp_path / "heard.wav"
    with Phone.start(port=PHONE_PORT, name="tech") as phone:
        connect(phone, f"sip:*43@127.0.0.1:{box.sip_port}")
        phone.play_tone(697, 3.0)
        phone.record(recording, seconds=1.5)
        phone.wait_for("recorded", timeout=10)
        phone.hangup()
    assert has_tone(recording, 697)
    assert not has_tone(recording, 1004)
    (record,) = box.call_records()
    assert (record["dialled"], record["caller_number"], record["caller_name"]) == (
        "*43",
        "tech",
        "tech",
    )


def test_a_number_nobody_answers_is_refused_as_not_found(box):
    with Phone.start(port=PHONE_PORT, name="tech") as phone:
        phone.call(f"sip:5555@127.0.0.1:{box.sip_port}")
        ended = phone.wait_for("state", state="DISCONNECTED", timeout=10)
    assert ended["code"] == 404
