"""The FXS channel on the emulated board: dial tone, dialling, ringing, answer, hold, howler."""

import numpy as np
import pytest
import pytest_asyncio

from board.dsp.caller_id import CallerId
from board.dsp.dtmf import DtmfDetector, DtmfGenerator
from board.dsp.dtmf_caller_id import DtmfCallerIdReceiver
from board.dsp.fsk import BELL_202, V23
from board.dsp.fsk_caller_id import FskCallerIdReceiver
from board.dsp.level import dbm0_of_power
from board.dsp.tones import Tone, render
from board.events import HookChanged
from pbx.events import (
    CallAnswered,
    CallEnded,
    CallHeld,
    CallMediaReady,
    CallOffered,
    CallProgress,
    DtmfReceived,
)
from pbx.lines.fxs import HOWLER, FxsState
from pbx.lines.settings import FxsSettings
from tests.dsp_signals import peak_freqs_hz, run
from tests.lines_board import LinesBoard

pytestmark = pytest.mark.asyncio

EXTENSIONS = ("1001", "1002", "2001")


@pytest_asyncio.fixture
async def box():
    return await LinesBoard(extensions=EXTENSIONS, routes=("_9.",)).start()


def level_dbm0(samples: np.ndarray) -> float:
    samples = samples.astype(np.float64)
    return dbm0_of_power(float(np.mean(samples**2))) if len(samples) else -np.inf


def freqs(samples: np.ndarray, count: int) -> list[int]:
    return [round(f) for f in peak_freqs_hz(samples, count)]


async def lift(box: LinesBoard, port: str = "fxs1") -> None:
    box.board.fxs(port).set_loop_closed(True)
    await box.run_ms(100)
    box.heard(port)


async def dial(box: LinesBoard, digits: str, port: str = "fxs1") -> None:
    box.say(port, DtmfGenerator(on_ms=60, off_ms=60).render(digits))
    await box.run_ms(len(digits) * 120 + 100)


async def test_dial_tone_comes_within_one_frame_of_the_hook_event(box):
    """Target: dial tone within 100 ms of the hook interrupt (hardware.md §6 p50 150 ms)."""
    box.board.fxs("fxs1").set_loop_closed(True)
    for _ in range(200):  # 1 ms steps: time the first audible sample
        await box.run_ms(1, step_ms=1)
        if level_dbm0(box.heard("fxs1")) > -30:
            break
    (hook,) = [e for e in box.board_events if isinstance(e, HookChanged)]
    assert box.lines.channels["fxs1"].state is FxsState.DIAL_TONE
    assert box.now_ms() - hook.at_s * 1000 <= 21, "the next 20 ms frame carries it"
    await box.run_ms(500)
    heard = box.heard("fxs1")
    assert freqs(heard, 2) == [350, 440]
    assert level_dbm0(heard) == pytest.approx(-13 + 3, abs=1.5)  # two tones at -13 each


def offers(box: LinesBoard) -> list[CallOffered]:
    return box.events_of(CallOffered)


async def test_a_dtmf_dialled_extension_is_offered_as_the_extension_calling_it(box):
    await lift(box)
    box.say("fxs1", DtmfGenerator(on_ms=60, off_ms=60).render("1"))
    await box.run_ms(100)
    assert level_dbm0(box.heard("fxs1")[-160:]) < -60, "dial tone stops at the first digit"
    await dial(box, "002")
    (offer,) = offers(box)
    assert (offer.dialled, offer.caller_number, offer.extension, offer.line) == (
        "1002",
        "1001",
        "1001",
        "fxs1",
    )
    assert offer.leg_id in box.ports.open, "its conference port is open before the offer"


async def pulse(box: LinesBoard, digits: str, break_ms=60, make_ms=40, gap_ms=700) -> None:
    slic = box.board.fxs("fxs1")
    for digit in digits:
        for _ in range(int(digit) or 10):
            slic.set_loop_closed(False)
            await box.run_ms(break_ms, step_ms=1)
            slic.set_loop_closed(True)
            await box.run_ms(make_ms, step_ms=1)
        await box.run_ms(gap_ms, step_ms=10)


async def test_pulse_dialling_is_read_from_the_hook_timing(box):
    await lift(box)
    await pulse(box, "2001")
    assert [o.dialled for o in offers(box)] == ["2001"]


async def test_a_number_that_could_go_on_waits_for_the_interdigit_timeout(box):
    await lift(box)
    await dial(box, "9555")
    await box.run_ms(3500)
    assert offers(box) == [], "a route _9. takes more digits: keep listening"
    await box.run_ms(1000)
    assert [o.dialled for o in offers(box)] == ["9555"]


async def test_hash_ends_dialling_at_once(box):
    await lift(box)
    await dial(box, "9555#")
    assert [o.dialled for o in offers(box)] == ["9555"]


async def test_an_unknown_number_is_offered_at_once_for_the_box_to_refuse(box):
    await lift(box)
    await dial(box, "7")
    assert [o.dialled for o in offers(box)] == ["7"]


async def call_out(box: LinesBoard, number: str = "1002") -> int:
    await lift(box)
    await dial(box, number)
    (offer,) = offers(box)
    return offer.leg_id


async def test_ringback_then_the_other_side_once_answered(box):
    leg_id = await call_out(box)
    await box.lines.answer(leg_id, 180)
    await box.run_ms(500)
    assert freqs(box.heard("fxs1"), 2) == [440, 480], "US ringback"
    await box.lines.answer(leg_id, 200)
    await box.run_ms(20)
    assert [type(e) for e in box.events[-2:]] == [CallAnswered, CallMediaReady]
    queues = box.lines.channels["fxs1"].audio.queues
    tone = render_tone(1000, 400)
    box.say("fxs1", tone)
    bridge_heard, sent = [], render_tone(700, 400)
    box.heard("fxs1")
    for i in range(0, len(sent), 160):
        queues.from_bridge_threadsafe(sent[i : i + 160].astype("<i2").tobytes())
        await box.run_ms(20)
        bridge_heard.append(np.frombuffer(queues.next_for_bridge_threadsafe(), "<i2"))
    assert freqs(np.concatenate(bridge_heard)[400:], 1) == [1000], "the phone's voice goes out"
    assert freqs(box.heard("fxs1")[400:], 1) == [700], "and the other side's comes in"


def render_tone(hz: float, ms: float) -> np.ndarray:
    return render(Tone((hz,), level_dbm0=-10.0), ms)


@pytest.mark.parametrize(("code", "tone"), [(486, [480, 620]), (404, [480, 620])])
async def test_a_refused_call_gives_busy_or_congestion_then_the_howler(box, code, tone):
    leg_id = await call_out(box)
    await box.lines.hangup(leg_id, code)
    await box.run_ms(20)
    assert box.events_of(CallEnded)[-1].status_code == code
    await box.run_ms(3000)
    heard = box.heard("fxs1")
    assert freqs(heard, 2) == tone
    busy, congestion = box.country.tones["busy"], box.country.tones["congestion"]
    expected = busy if code == 486 else congestion
    assert box.lines.channels["fxs1"].audio.tone == expected
    await box.run_ms(20_000)
    assert box.lines.channels["fxs1"].audio.tone == HOWLER
    assert box.lines.channels["fxs1"].port_state == "off-hook"


async def test_off_hook_without_dialling_ends_in_the_howler(box):
    await lift(box)
    await box.run_ms(19_000)
    assert box.lines.channels["fxs1"].audio.tone == box.country.tones["dial"]
    await box.run_ms(1_500)
    heard = box.heard("fxs1")[-1600:]
    assert freqs(heard, 4) == [1400, 2060, 2450, 2600]


async def test_flash_holds_the_call_with_dial_tone_and_a_second_flash_takes_it_back(box):
    leg_id = await call_out(box)
    await box.lines.answer(leg_id, 200)
    slic = box.board.fxs("fxs1")
    slic.set_loop_closed(False)
    await box.run_ms(600, step_ms=5)  # a North American flash
    slic.set_loop_closed(True)
    await box.run_ms(400)
    assert box.events_of(CallHeld) == [CallHeld(leg_id, True)]
    assert freqs(box.heard("fxs1")[-1600:], 2) == [350, 440]
    slic.set_loop_closed(False)
    await box.run_ms(600, step_ms=5)
    slic.set_loop_closed(True)
    await box.run_ms(100)
    assert box.events_of(CallHeld) == [CallHeld(leg_id, True), CallHeld(leg_id, False)]
    assert box.lines.channels["fxs1"].state is FxsState.CONNECTED


@pytest.mark.parametrize("answered", [False, True])
async def test_hanging_up_ends_the_leg_after_the_longest_flash(box, answered):
    leg_id = await call_out(box)
    if answered:
        await box.lines.answer(leg_id, 200)
    box.board.fxs("fxs1").set_loop_closed(False)
    await box.run_ms(1200)
    assert box.events_of(CallEnded) == [], "still a flash"
    await box.run_ms(100)
    (ended,) = box.events_of(CallEnded)
    assert (ended.leg_id, ended.status_code) == (leg_id, 200 if answered else 487)
    await box.run_ms(20)
    assert leg_id not in box.ports.open
    assert box.lines.channels["fxs1"].port_state == "idle"


async def test_digits_during_a_call_are_reported_in_band(box):
    leg_id = await call_out(box)
    await box.lines.answer(leg_id, 200)
    await dial(box, "5#")
    assert box.events_of(DtmfReceived) == [
        DtmfReceived(leg_id, "5", "inband"),
        DtmfReceived(leg_id, "#", "inband"),
    ]


async def test_digits_the_box_sends_are_played_to_the_phone(box):
    leg_id = await call_out(box)
    await box.lines.answer(leg_id, 200)
    box.heard("fxs1")
    await box.lines.send_dtmf(leg_id, "47")
    await box.run_ms(400)
    assert [d.digit for d in run(DtmfDetector(), box.heard("fxs1"))] == ["4", "7"]


# --- being called ---------------------------------------------------------------------------

CALLER = '"Pat Caller" <sip:5551234@pbx>'


async def ring(box: LinesBoard, port: str = "fxs1") -> int:
    leg_id = box.ports.new_leg_id()
    await box.lines.place(leg_id, f"line:{port}", {}, CALLER, "")
    return leg_id


async def test_a_call_rings_with_the_cadence_and_caller_id_after_the_first_ring(box):
    leg_id = await ring(box)
    assert box.events_of(CallProgress) == [CallProgress(leg_id, 180, "Ringing")]
    slic, rings, caller_ids = box.board.fxs("fxs1"), [], []
    receiver = FskCallerIdReceiver(BELL_202)
    for _ in range(700):  # 7 s in 10 ms steps
        await box.run_ms(10, step_ms=10)
        rings.append(slic.ringing)
        caller_ids += receiver.feed(box.heard("fxs1"))
    edges = [i * 10 for i in range(1, len(rings)) if rings[i] != rings[i - 1]]
    assert edges == [pytest.approx(2000, abs=20), pytest.approx(6000, abs=20)]
    assert rings[0], "rings at once"
    (shown,) = caller_ids
    assert (shown.number, shown.name) == ("5551234", "Pat Caller")


async def test_lifting_the_ringing_phone_answers_it(box):
    leg_id = await ring(box)
    await box.run_ms(500)
    box.board.fxs("fxs1").set_loop_closed(True)
    await box.run_ms(100)
    assert [e for e in box.events if isinstance(e, CallAnswered | CallMediaReady)] == [
        CallAnswered(leg_id),
        CallMediaReady(leg_id),
    ]
    assert not box.board.fxs("fxs1").ringing
    channel = box.lines.channels["fxs1"]
    assert (channel.state, channel.audio.bridged) == (FxsState.CONNECTED, True)


async def test_a_cancelled_call_stops_ringing(box):
    leg_id = await ring(box)
    await box.run_ms(500)
    await box.lines.hangup(leg_id, 0)
    await box.run_ms(20)
    assert box.events_of(CallEnded)[-1].status_code == 487
    assert not box.board.fxs("fxs1").ringing
    assert box.lines.channels["fxs1"].port_state == "idle"


async def test_a_phone_in_use_is_busy(box):
    await lift(box)
    leg_id = await ring(box)
    await box.run_ms(20)
    assert [(e.leg_id, e.status_code) for e in box.events_of(CallEnded)] == [(leg_id, 486)]


@pytest.mark.parametrize(
    ("country", "receiver"),
    [("UK", lambda: FskCallerIdReceiver(V23)), ("SA", DtmfCallerIdReceiver)],
)
async def test_caller_id_before_the_first_ring_where_the_country_sends_it_so(country, receiver):
    box = await LinesBoard(country).start()
    await ring(box)
    slic, receiver = box.board.fxs("fxs1"), receiver()
    shown, reversed_, rang_before = [], [], False
    for _ in range(200):
        await box.run_ms(10, step_ms=10)
        reversed_.append(slic.polarity_reversed)
        found = receiver.feed(box.heard("fxs1"))
        if found:
            rang_before = rang_before or slic.ringing
            shown += found
    assert [c.number for c in shown] == ["5551234"]
    assert not rang_before, "the data came before the first ring"
    assert reversed_[0], "after a polarity reversal"
    assert slic.ringing or any(reversed_), "then it rings"


async def test_a_withheld_number_is_shown_as_private(box):
    await box.lines.place(box.ports.new_leg_id(), "line:fxs1", {}, '"" <sip:anonymous@pbx>', "")
    receiver, found = FskCallerIdReceiver(BELL_202), []
    for _ in range(40):
        await box.run_ms(100)
        found += receiver.feed(box.heard("fxs1"))
    assert [(c.number, c.number_absence) for c in found] == [(None, "P")]
    assert isinstance(found[0], CallerId)


async def test_a_phone_on_an_unconfigured_extension_dials_as_nobody():
    box = await LinesBoard(fxs={"fxs2": FxsSettings()}).start()
    box.board.fxs("fxs2").set_loop_closed(True)
    await box.run_ms(100)
    box.say("fxs2", DtmfGenerator().render("*43"))
    await box.run_ms(500)
    assert [(o.dialled, o.extension) for o in offers(box)] == [("*43", "")]


async def flash(box: LinesBoard) -> None:
    slic = box.board.fxs("fxs1")
    slic.set_loop_closed(False)
    await box.run_ms(600, step_ms=5)
    slic.set_loop_closed(True)
    await box.run_ms(100)


async def test_hanging_up_on_a_held_call_rings_the_phone_back_to_take_it(box):
    leg_id = await call_out(box)
    await box.lines.answer(leg_id, 200)
    await flash(box)
    box.board.fxs("fxs1").set_loop_closed(False)
    await box.run_ms(1500)
    assert box.board.fxs("fxs1").ringing, "a recall"
    assert box.events_of(CallEnded) == []
    box.board.fxs("fxs1").set_loop_closed(True)
    await box.run_ms(100)
    assert box.events_of(CallHeld)[-1] == CallHeld(leg_id, False)
    assert box.lines.channels["fxs1"].state is FxsState.CONNECTED


async def test_a_recall_nobody_takes_ends_the_call(box):
    leg_id = await call_out(box)
    await box.lines.answer(leg_id, 200)
    await flash(box)
    box.board.fxs("fxs1").set_loop_closed(False)
    await box.run_ms(32_000)
    assert [(e.leg_id, e.status_code) for e in box.events_of(CallEnded)] == [(leg_id, 200)]
    assert not box.board.fxs("fxs1").ringing
