"""The phone on each FXS port, on the rig: what it dials, hears, rings and displays."""

import itertools

import numpy as np
import pytest

from board.dsp.caller_id import CallerId, encode_mdmf
from board.dsp.dtmf import DtmfDetector
from board.dsp.fsk import BELL_202
from board.dsp.fsk_caller_id import fsk_spill
from board.dsp.tones import Tone, render
from board.events import HookChanged
from board.hal import LineFeed, RingSignal

pytestmark = pytest.mark.asyncio

PAT = CallerId(number="5551234", name="Pat Caller", date_time="03141592")


async def lift(board, port: str) -> None:
    await board.bench.at(port, "offhook")
    await board.bench.wait_ms(100)


def breaks_ms(events, port: str) -> list[float]:
    hooks = [(e.off_hook, e.at_s * 1000) for e in events if isinstance(e, HookChanged)]
    return [b[1] - a[1] for a, b in itertools.pairwise(hooks) if not a[0] and b[0]]


async def test_dtmf_dialled_on_the_phone_reaches_the_board(board):
    await lift(board, "fxs1")
    board.take_audio("fxs1")
    await board.bench.at("fxs1", "dial 1002#")
    detector = DtmfDetector()
    digits = []
    await board.record("fxs1", 1200, lambda chunk: digits.extend(detector.feed(chunk)))
    assert "".join(d.digit for d in digits) == "1002#"
    assert [e.args for e in board.bench.events("dialled", "fxs1")] == [("1002#",)]


async def test_pulse_dialling_breaks_at_10_pps(board):
    """Target 3: every break a dial pulse (40-80 ms), 1 + 10 + 2 of them."""
    await lift(board, "fxs2")
    board.events.clear()
    await board.bench.at("fxs2", "dial 102 pulse")
    await board.bench.wait_ms(4000)
    breaks = breaks_ms(board.events, "fxs2")
    assert len(breaks) == 13
    assert all(40 <= b <= 80 for b in breaks)


@pytest.mark.parametrize("break_ms", [100, 600])
async def test_a_flash_is_a_break_of_its_length(board, break_ms):
    """Target 3: Europe's 100 ms and North America's 600 ms recall, within 5 ms."""
    await lift(board, "fxs3")
    board.events.clear()
    await board.bench.at("fxs3", f"flash {break_ms}")
    await board.bench.wait_ms(break_ms + 200)
    assert breaks_ms(board.events, "fxs3") == [pytest.approx(break_ms, abs=5)]
    assert [e.args for e in board.bench.events("flashed", "fxs3")] == [(str(break_ms),)]


async def test_the_phone_sees_the_ringing_cadence(board):
    """Target 4, at the phone: bursts and silences within 10 %."""
    board.ports.fxs["fxs4"].start_ringing(RingSignal(20.0, 70.0, (2000, 4000)))
    await board.bench.wait_ms(6100)
    ring = await board.bench.at("fxs4", "ring?")
    assert ring["ringing"] == "yes"
    assert ring["rings"] == "2"
    assert float(ring["on-ms"]) == pytest.approx(2000, rel=0.1)
    assert float(ring["off-ms"]) == pytest.approx(4000, rel=0.1)
    assert float(ring["freq"]) == pytest.approx(20.0, abs=1)
    assert len(board.bench.events("ringing", "fxs4")) == 2


async def test_caller_id_after_the_first_ring_is_shown_on_the_phone(board):
    port = board.ports.fxs["fxs1"]
    port.set_feed(LineFeed.ON_HOOK_TRANSMISSION)
    port.start_ringing(RingSignal(cadence_ms=(2000, 4000)))
    await board.bench.wait_ms(2000)
    port.stop_ringing()
    await board.bench.wait_ms(600)
    await board.play("fxs1", fsk_spill(encode_mdmf(PAT), BELL_202))
    await board.bench.wait_ms(300)  # Bellcore: the data ends 200 ms or more before the ring
    port.start_ringing(RingSignal(cadence_ms=(2000, 4000)))
    await board.bench.wait_ms(500)
    assert await board.bench.at("fxs1", "cid?") == {
        "number": "5551234",
        "name": "Pat Caller",
        "method": "bell202",
        "rings-before": "1",
        "alerted": "no",
    }
    assert board.bench.events("cid", "fxs1")[0].args == ("5551234", "Pat Caller")


async def test_the_phone_hears_dial_tone_and_a_test_tone(board):
    await lift(board, "fxs2")
    await board.play("fxs2", render(Tone((350.0, 440.0)), 1000))
    heard = await board.bench.at("fxs2", "hear")
    assert (heard["tone"], heard["freqs"]) in (("dial", "350+440"), ("dial", "440+350"))
    await board.play("fxs2", render(Tone((1004.0,), (), -10.0), 500))
    heard = await board.bench.at("fxs2", "hear")
    assert abs(int(heard["freqs"]) - 1004) <= 2
    assert float(heard["level"]) == pytest.approx(-10.0, abs=1.0)


async def test_what_the_phone_says_reaches_the_board(board):
    await lift(board, "fxs3")
    await board.bench.at("fxs3", "tone 1004 -10")
    await board.record("fxs3", 200)
    heard = await board.record("fxs3", 500)
    spectrum = np.abs(np.fft.rfft(heard * np.hanning(len(heard))))
    assert np.argmax(spectrum) * 8000 / len(heard) == pytest.approx(1004, abs=4)
