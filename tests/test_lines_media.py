"""Analog channels' conference ports: frames through the queues, and the real engine's bridge."""

import asyncio

import numpy as np
import pytest

from board.dsp.tones import Tone, render
from pbx.calls import Leg
from pbx.sip import FrameQueues
from pbx.sip.frame_queues import DEPTH_FRAMES, SILENCE
from tests.dsp_signals import peak_freqs_hz
from tests.harness import free_port
from tests.phone_client import Phone
from tests.tones import has_tone


def frame(value: int) -> bytes:
    return np.full(160, value, dtype="<i2").tobytes()


def test_an_empty_queue_gives_the_bridge_silence_and_counts_it():
    queues = FrameQueues()
    assert queues.next_for_bridge_threadsafe() == SILENCE
    assert queues.underruns == 1
    assert queues.receive() is None


def test_a_full_queue_drops_its_oldest_frame_so_delay_never_builds_up():
    queues = FrameQueues()
    for value in range(DEPTH_FRAMES + 2):
        queues.send(frame(value))
        queues.from_bridge_threadsafe(frame(value))
    assert queues.next_for_bridge_threadsafe() == frame(2)
    assert queues.receive() == frame(2)
    queues.clear()
    assert queues.receive() is None


async def blocking(fn, *args, **kwargs):
    return await asyncio.to_thread(fn, *args, **kwargs)


async def pump(queues: FrameQueues, samples: np.ndarray) -> np.ndarray:
    """Play `samples` to the bridge a frame each 20 ms (as a line does); what came back."""
    back = []
    for start in range(0, len(samples), 160):
        queues.send(samples[start : start + 160].astype("<i2").tobytes())
        await asyncio.sleep(0.02)
        while (received := queues.receive()) is not None:
            back.append(np.frombuffer(received, "<i2"))
    return np.concatenate(back) if back else np.zeros(0, np.int16)


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_an_analog_port_on_the_bridge_talks_with_a_sip_phone(engine_stack, tmp_path):
    """The port's callbacks run on pjmedia's clock thread: frames cross both ways."""
    engine, calls = engine_stack.calls._engine, engine_stack.calls
    queues, port_leg = FrameQueues(), 0
    ready: asyncio.Future = asyncio.get_running_loop().create_future()

    async def to_the_port(leg: Leg) -> bool:
        nonlocal port_leg
        await calls.answer(leg.leg_id)
        await calls.wait_media(leg.leg_id)
        port_leg = engine.new_leg_id()
        await engine.add_analog_port(port_leg, "fxs1", queues)
        await engine.connect(leg.leg_id, port_leg)
        await engine.connect(port_leg, leg.leg_id)
        ready.set_result(leg)
        return True

    calls.add_offer_handler(to_the_port)
    with Phone.start(port=free_port(), name="alice") as alice:
        await blocking(alice.call, engine_stack.uri("fxs1"))
        leg = await asyncio.wait_for(ready, 10)
        await blocking(alice.play_tone, 1209, 5.0)
        await blocking(alice.record, tmp_path / "alice.wav", seconds=1.5)
        back = await pump(queues, render(Tone((697.0,), level_dbm0=-10.0), 2500))
        await blocking(alice.wait_for, "recorded", timeout=10)
        assert has_tone(tmp_path / "alice.wav", 697), "the port's frames reach the phone"
        assert [round(f) for f in peak_freqs_hz(back[-4000:], 1)] == [1209], "and back"
        await engine.remove_analog_port(port_leg)
        await engine.remove_analog_port(port_leg)  # twice: nothing more happens
        await calls.hangup(leg.leg_id)
        await asyncio.wait_for(leg.ended.wait(), 10)
