"""The phone-company line on each FXO port, on the rig: calls in and out, caller ID, hang-ups."""

import numpy as np
import pytest

from board.dsp.alert_tone import AlertToneDetector
from board.dsp.busy_cadence import disconnect_detector
from board.dsp.country import load_countries
from board.dsp.dtmf import DtmfDetector, DtmfGenerator
from board.dsp.dtmf_caller_id import DtmfCallerIdReceiver
from board.dsp.fsk import BELL_202, V23
from board.dsp.fsk_caller_id import FskCallerIdReceiver
from board.dsp.level import dbm0_of_power
from board.dsp.tones import Tone, render
from board.events import BatteryChanged, LineAlarm, PolarityChanged, RingChanged

pytestmark = pytest.mark.asyncio

COUNTRIES = load_countries()


def level_dbm0(samples: np.ndarray) -> float:
    return dbm0_of_power(float(np.mean(samples.astype(float) ** 2)))


async def test_a_country_cadence_is_detected_as_rings(board):
    """Target 5 with the UK's double ring: four edges per cadence."""
    await board.bench.at("fxo1", "ring uk")
    events = await board.events_within(2900)
    assert [e.ringing for e in events if isinstance(e, RingChanged)] == [True, False, True, False]
    await board.bench.at("fxo1", "stop")


@pytest.mark.parametrize(
    ("country", "receiver", "before_first_ring"),
    [
        ("us", FskCallerIdReceiver(BELL_202), False),
        ("uk", FskCallerIdReceiver(V23), True),
        ("sa", DtmfCallerIdReceiver(), True),
    ],
)
async def test_caller_id_decodes_from_the_line(board, country, receiver, before_first_ring):
    board.take_audio("fxo2")
    board.events.clear()
    await board.bench.at("fxo2", f'ring {country} cid 5551234 "Pat Caller" date 03141592')
    callers, alerts = [], AlertToneDetector()
    alerted = []

    def hear(chunk):
        callers.extend(receiver.feed(chunk))
        alerted.extend(alerts.feed(chunk))

    await board.record("fxo2", 6500, hear)
    assert [c.number for c in callers] == ["5551234"]
    rings = [e for e in board.events if isinstance(e, RingChanged)]
    assert rings[0].ringing
    assert [e.args[0] for e in board.bench.events("cid-sent", "fxo2")] == ["5551234"]
    reversals = [e for e in board.events if isinstance(e, PolarityChanged)]
    assert bool(reversals) == before_first_ring
    assert bool(alerted) == (country == "uk")


async def answer(board, port: str) -> None:
    await board.bench.at(port, "ring us")
    await board.bench.wait_ms(300)
    board.ports.fxo[port].set_off_hook(True)
    await board.bench.wait_ms(300)
    assert (await board.bench.line_state(port))["state"] == "connected"
    assert board.bench.events("answered", port)


async def test_answering_stops_the_ringing_and_reverses_if_configured(board):
    await board.bench.at("fxo3", "set reverse-on-answer yes")
    board.events.clear()
    await answer(board, "fxo3")
    await board.bench.wait_ms(6000)
    line = await board.bench.line_state("fxo3")
    assert (line["ringing"], line["polarity"]) == ("no", "reversed")
    assert [e.reversed for e in board.events if isinstance(e, PolarityChanged)] == [True]


@pytest.mark.parametrize("method", ["battery", "polarity"])
async def test_a_hang_up_the_driver_sees(board, method):
    """Target 8: battery denial within 250 ms, polarity within 150 ms."""
    await answer(board, "fxo4")
    await board.bench.at("fxo4", f"hangup {method}")
    events = await board.events_within(250 if method == "battery" else 150)
    expected = BatteryChanged if method == "battery" else PolarityChanged
    assert [type(e) for e in events] == [expected]
    board.ports.fxo["fxo4"].set_off_hook(False)
    await board.bench.wait_ms(1000)
    assert (await board.bench.line_state("fxo4"))["state"] == "idle"
    assert board.bench.events("released", "fxo4")


async def test_a_busy_tone_hang_up_is_recognised(board):
    """Target 8: busy recognised within 4 cadences."""
    await answer(board, "fxo1")
    board.take_audio("fxo1")
    await board.bench.at("fxo1", "hangup busy")
    detector, found = disconnect_detector(COUNTRIES["US"]), []
    await board.record("fxo1", 4100, lambda chunk: found.extend(detector.feed(chunk)))
    assert [m.kind for m in found][:1] == ["busy"]


async def test_a_silent_hang_up_is_only_silence(board):
    await answer(board, "fxo2")
    await board.bench.at("fxo2", "tone 1004")
    await board.record("fxo2", 300)
    assert level_dbm0(await board.record("fxo2", 300)) == pytest.approx(-10, abs=1)
    await board.bench.at("fxo2", "hangup silence")
    await board.record("fxo2", 100)
    assert level_dbm0(await board.record("fxo2", 1000)) < -60


async def test_the_box_dials_out_and_is_answered(board):
    await board.bench.at("fxo3", "set answer-after-ms 1000")
    board.ports.fxo["fxo3"].set_off_hook(True)
    await board.bench.wait_ms(500)
    assert board.bench.events("seized", "fxo3")
    heard = await board.record("fxo3", 500)
    spectrum = np.abs(np.fft.rfft(heard * np.hanning(len(heard))))
    assert 340 <= np.argmax(spectrum) * 8000 / len(heard) <= 450, "dial tone"
    await board.play("fxo3", DtmfGenerator().render("1002"))
    await board.bench.wait_ms(3500)
    assert await board.bench.at("fxo3", "digits?") == {"number": "1002", "heard": "1002"}
    assert [e.args for e in board.bench.events("dialled", "fxo3")] == [("1002",)]
    await board.bench.wait_ms(1200)
    assert board.bench.events("connected", "fxo3")


async def test_audio_both_ways_on_a_call(board):
    await answer(board, "fxo4")
    await board.play("fxo4", render(Tone((697.0,), (), -10.0), 500))
    assert abs(int((await board.bench.at("fxo4", "hear"))["freqs"]) - 697) <= 2


async def test_a_yanked_cable_then_plugged_back(board):
    await board.bench.at("fxo1", "yank")
    events = await board.events_within(1300)
    assert [type(e) for e in events] == [BatteryChanged, LineAlarm]
    await board.bench.at("fxo1", "plug")
    events = await board.events_within(300)
    assert [type(e) for e in events] == [BatteryChanged, LineAlarm]


async def test_noise_on_the_line_reaches_the_board(board):
    await answer(board, "fxo2")
    await board.bench.at("fxo2", "noise -40")
    await board.record("fxo2", 200)
    assert level_dbm0(await board.record("fxo2", 1000)) == pytest.approx(-40, abs=1.5)


async def test_the_far_party_keys_digits_the_board_hears(board):
    await answer(board, "fxo3")
    board.take_audio("fxo3")
    detector, digits = DtmfDetector(), []
    await board.bench.at("fxo3", "keys 1#")
    await board.record("fxo3", 500, lambda chunk: digits.extend(detector.feed(chunk)))
    assert "".join(d.digit for d in digits) == "1#"
    assert [e.args for e in board.bench.events("keyed", "fxo3")] == [("1#",)]
