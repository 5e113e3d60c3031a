"""An FXS phone's second call, on the emulated board with a manual clock: a consultation
dialled after a flash, the hang-up that hands both calls to the box to transfer, call
waiting (its tone over the call), answering it and swapping by flash, and recalls.

Each leg's far side speaks its own tone into the leg's conference port, so what the
phone hears tells which call it is on; and the phone speaks 1000 Hz, so the ports it
reaches tell which call hears it.
"""

import numpy as np
import pytest
import pytest_asyncio

from pbx.events import (
    CallAnswered,
    CallHeld,
    CallMediaReady,
    CallOffered,
    CallProgress,
    FlashTransferRequested,
)
from pbx.lines.fxs import FxsState
from pbx.lines.settings import FxsSettings
from tests.lines_board import LinesBoard
from tests.test_lines_fxs import call_out, dial, ended, flash, ring

pytestmark = pytest.mark.asyncio

VOICE_HZ = 1000.0  # the phone's user
FIRST_HZ, SECOND_HZ = 700, 1300  # the far sides of the first and second call


@pytest_asyncio.fixture
async def box():
    return await LinesBoard(extensions=("1001", "1002", "2001")).start()


def _frame(freq_hz: float, index: int) -> bytes:
    samples = np.arange(index * 160, (index + 1) * 160)
    return (7000 * np.sin(2 * np.pi * freq_hz * samples / 8000)).astype("<i2").tobytes()


async def talk(box: LinesBoard, far_hz: dict[int, int], ms: int = 400) -> tuple[set, set]:
    """Each leg's far side says its tone, the phone says VOICE_HZ, for `ms`: (the far
    frequencies the phone hears, the legs the phone's voice reached)."""
    queues = {leg_id: box.ports.queues[leg_id] for leg_id in far_hz}
    for q in queues.values():
        while q.receive() is not None:
            pass  # what was left from before
    box.phone().speak_tone((VOICE_HZ,))
    reached = set()
    for index in range(ms // 20):
        for leg_id, q in queues.items():
            q.from_bridge_threadsafe(_frame(far_hz[leg_id], index))
        await box.run_ms(20)
        for leg_id, q in queues.items():
            frame = np.frombuffer(q.next_for_bridge_threadsafe(), "<i2")
            if index > 2 and np.abs(frame).max() > 1000:
                reached.add(leg_id)
    box.phone().quiet()
    hearing = box.phone().hearing()
    return {hz for hz in far_hz.values() if hearing.has(hz)}, reached


def held_events(box: LinesBoard) -> list[tuple[int, bool]]:
    return [(e.leg_id, e.held) for e in box.events_of(CallHeld)]


def status(box: LinesBoard) -> tuple[str, str]:
    channel = box.channel("fxs1")
    return channel.port_state, channel.second.state


async def in_a_call(box: LinesBoard) -> int:
    leg_id = await call_out(box, "1002")
    await box.lines.answer(leg_id, 200)
    return leg_id


async def consult(box: LinesBoard, number: str = "2001") -> tuple[int, int]:
    """In a call, flash and dial `number`: (the held leg, the consultation)."""
    held = await in_a_call(box)
    await flash(box)
    await dial(box, number)
    return held, box.events_of(CallOffered)[-1].leg_id


async def take_the_recall(box: LinesBoard, held: int) -> None:
    """The phone rings back for the held call: lifted, it is on that call again."""
    assert box.phone().ringing, "a recall"
    box.phone().lift()
    await box.run_ms(100)
    assert held_events(box)[-1] == (held, False)
    assert await talk(box, {held: FIRST_HZ}) == ({FIRST_HZ}, {held})


# --- consultation and transfer -----------------------------------------------------------


async def test_a_number_dialled_after_a_flash_is_a_second_call_the_phone_talks_on(box):
    held, second = await consult(box)
    assert [o.dialled for o in box.events_of(CallOffered)] == ["1002", "2001"]
    assert held_events(box) == [(held, True)]
    await box.lines.answer(second, 200)
    assert status(box) == ("in-call", "held")
    heard, reached = await talk(box, {held: FIRST_HZ, second: SECOND_HZ})
    assert (heard, reached) == ({SECOND_HZ}, {second}), "only the consultation"


@pytest.mark.parametrize("answered", [False, True])
async def test_a_flash_drops_the_consultation_and_takes_the_held_call_back(box, answered):
    held, second = await consult(box)
    if answered:
        await box.lines.answer(second, 200)
    await flash(box)
    assert ended(box) == [(second, 200 if answered else 487)]
    assert held_events(box) == [(held, True), (held, False)]
    assert (box.channel("fxs1").state, status(box)) == (FxsState.CONNECTED, ("in-call", ""))
    assert await talk(box, {held: FIRST_HZ}) == ({FIRST_HZ}, {held})


@pytest.mark.parametrize("answered", [False, True])
async def test_hanging_up_during_a_consultation_hands_both_calls_to_the_box(box, answered):
    held, second = await consult(box)
    if answered:
        await box.lines.answer(second, 200)
    box.phone().hang_up()
    await box.run_ms(1300)
    assert box.events_of(FlashTransferRequested) == [FlashTransferRequested(held, second)]
    assert ended(box) == []
    assert status(box) == ("idle", "transferring")
    await box.lines.answer(second, 200)  # the target answered; the box connects them
    assert box.events_of(CallAnswered)[-1] == CallAnswered(second)
    await box.lines.hangup(held, 0)  # transferred: the box ends the phone's legs, held first
    await box.lines.hangup(second, 0)
    await box.run_ms(100)
    assert ended(box) == [(held, 200), (second, 200)]
    assert not box.phone().ringing
    assert status(box) == ("idle", "")


async def test_a_consultation_that_fails_after_the_hang_up_rings_the_phone_back(box):
    held, second = await consult(box)
    box.phone().hang_up()
    await box.run_ms(1300)
    await box.lines.hangup(second, 486)  # the target was busy: no transfer
    await box.run_ms(500)
    assert ended(box) == [(second, 486)]
    await take_the_recall(box, held)


async def test_a_held_caller_who_hangs_up_leaves_the_consultation_a_plain_call(box):
    held, second = await consult(box)
    await box.lines.answer(second, 200)
    await box.lines.hangup(held, 0)
    assert (ended(box), status(box)) == ([(held, 200)], ("in-call", ""))
    box.phone().hang_up()
    await box.run_ms(1300)
    assert box.events_of(FlashTransferRequested) == []
    assert ended(box)[-1] == (second, 200)


async def test_a_failed_consultation_gives_busy_and_a_flash_goes_back(box):
    held, second = await consult(box)
    await box.lines.hangup(second, 486)
    await box.run_ms(2200)
    assert box.phone().hearing().tone == "busy"
    await flash(box)
    assert held_events(box)[-1] == (held, False)
    assert box.channel("fxs1").state is FxsState.CONNECTED


# --- call waiting -------------------------------------------------------------------------


async def waiting_call(box: LinesBoard) -> tuple[int, int]:
    """In a call, a second call comes: (the first leg, the waiting one)."""
    first = await in_a_call(box)
    return first, await ring(box)


async def test_a_second_call_waits_with_the_call_waiting_tone_over_the_first(box):
    first, waiting = await waiting_call(box)
    assert box.events_of(CallProgress)[-1] == CallProgress(waiting, 180, "Ringing")
    assert ended(box) == []
    assert status(box) == ("in-call", "waiting")
    assert not box.phone().ringing
    heard, reached = await talk(box, {first: FIRST_HZ}, ms=200)
    assert (heard, box.phone().hearing().freqs_hz) == (set(), (440,)), "a burst, heard alone"
    heard, reached = await talk(box, {first: FIRST_HZ}, ms=10_600)  # a cadence and a burst
    assert box.phone().hearing().tone == "call_waiting"
    assert (heard, reached) == ({FIRST_HZ}, {first}), "the call goes on between bursts"
    assert box.channel("fxs1").audio.overlay.freqs_hz == (440.0,)  # the US's, 300 ms / 10 s


async def test_a_flash_answers_the_waiting_call_and_each_flash_after_swaps(box):
    first, waiting = await waiting_call(box)
    await flash(box)
    assert box.events_of(CallHeld) == [CallHeld(first, True)]
    assert box.events[-2:] == [CallAnswered(waiting), CallMediaReady(waiting)]
    assert box.channel("fxs1").audio.overlay is None
    legs = {first: FIRST_HZ, waiting: SECOND_HZ}
    assert await talk(box, legs) == ({SECOND_HZ}, {waiting})
    assert status(box) == ("in-call", "held")
    await flash(box)
    assert held_events(box)[-2:] == [(waiting, True), (first, False)]
    assert await talk(box, legs) == ({FIRST_HZ}, {first})


async def test_hanging_up_with_a_call_held_ends_the_other_and_rings_back_for_it(box):
    first, waiting = await waiting_call(box)
    await flash(box)
    box.phone().hang_up()
    await box.run_ms(1500)
    assert ended(box) == [(waiting, 200)]
    await take_the_recall(box, first)


async def test_hanging_up_with_a_call_waiting_rings_the_phone_for_it_with_caller_id(box):
    first, waiting = await waiting_call(box)
    box.phone().hang_up()
    await box.run_ms(5000)
    assert ended(box) == [(first, 200)]
    assert box.phone().caller_id.caller.number == "5551234"
    box.phone().lift()
    await box.run_ms(100)
    assert box.events_of(CallAnswered)[-1] == CallAnswered(waiting)


async def test_a_waiting_caller_who_gives_up_takes_the_tone_away(box):
    _, waiting = await waiting_call(box)
    await box.lines.hangup(waiting, 0)
    assert ended(box) == [(waiting, 487)]
    assert (box.channel("fxs1").audio.overlay, status(box)) == (None, ("in-call", ""))


async def test_no_call_waits_when_call_waiting_is_off():
    box = await LinesBoard(fxs={"fxs1": FxsSettings(extension="1001", call_waiting=False)}).start()
    await in_a_call(box)
    waiting = await ring(box)
    assert ended(box) == [(waiting, 486)]


async def test_a_third_call_is_busy(box):
    await waiting_call(box)
    third = await ring(box)
    assert ended(box) == [(third, 486)]
    await flash(box)  # two calls up, one held
    fourth = await ring(box)
    assert ended(box)[-1] == (fourth, 486)
