"""The FXS channel on the emulated board, with the phone model on its wires: dial tone,
dialling, ringing with caller ID, answer, hold and recall, busy, congestion, howler."""

import numpy as np
import pytest
import pytest_asyncio

from board.dsp.tones import Tone
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
from tests.dsp_signals import peak_freqs_hz
from tests.lines_board import LinesBoard

pytestmark = pytest.mark.asyncio

EXTENSIONS = ("1001", "1002", "2001")
CALLER = '"Pat Caller" <sip:5551234@pbx>'


@pytest_asyncio.fixture
async def box():
    return await LinesBoard(extensions=EXTENSIONS, routes=("_9.",)).start()


def offered(box: LinesBoard) -> list[str]:
    return [o.dialled for o in box.events_of(CallOffered)]


def ended(box: LinesBoard) -> list[tuple[int, int]]:
    return [(e.leg_id, e.status_code) for e in box.events_of(CallEnded)]


def sounding(box: LinesBoard, *freqs_hz: int) -> bool:
    return all(box.phone().hearing().has(f) for f in freqs_hz)


async def lift(box: LinesBoard) -> None:
    box.phone().lift()
    await box.run_ms(100)


async def dial(box: LinesBoard, digits: str) -> None:
    box.phone().dial(digits)
    await box.run_ms(len(digits) * 160 + 100)


async def flash(box: LinesBoard) -> None:
    box.phone().flash(600)  # North American
    await box.run_ms(800)


async def test_dial_tone_comes_in_the_next_frame_after_the_hook_event(box):
    """Target 1: dial tone within 100 ms of the hook interrupt (hardware.md §6)."""
    box.phone().lift()
    await box.run_ms(100, step_ms=1)
    (hook,) = [e for e in box.board_events if isinstance(e, HookChanged)]
    timeslot = box.profile.port("fxs1").timeslot
    assert box.sent.first_sound_s[timeslot] - hook.at_s <= 0.021
    await box.run_ms(500)
    hearing = box.phone().hearing()
    assert (hearing.tone, sorted(hearing.freqs_hz)) == ("dial", [350, 440])


async def test_a_dtmf_dialled_extension_is_offered_as_the_extension_calling_it(box):
    await lift(box)
    await dial(box, "1")
    assert box.channel("fxs1").audio.tone is None, "dial tone stops at the first digit"
    await dial(box, "002")
    (offer,) = box.events_of(CallOffered)
    assert (offer.dialled, offer.caller_number, offer.extension, offer.line) == (
        "1002",
        "1001",
        "1001",
        "fxs1",
    )
    assert offer.leg_id in box.ports.open, "its conference port is open before the offer"


async def test_pulse_dialling_is_read_from_the_hook_timing(box):
    await lift(box)
    box.phone().dial("2001", pulse=True)
    await box.run_ms(5000)
    assert offered(box) == ["2001"]


async def test_a_number_that_could_go_on_waits_for_the_interdigit_timeout(box):
    await lift(box)
    await dial(box, "9555")
    await box.run_ms(3500)
    assert offered(box) == [], "a route _9. takes more digits: keep listening"
    await box.run_ms(1000)
    assert offered(box) == ["9555"]


async def test_hash_ends_dialling_at_once(box):
    await lift(box)
    await dial(box, "9555#")
    assert offered(box) == ["9555"]


async def test_an_unknown_number_is_offered_at_once_for_the_box_to_refuse(box):
    await lift(box)
    await dial(box, "7")
    assert offered(box) == ["7"]


async def call_out(box: LinesBoard, number: str = "1002") -> int:
    await lift(box)
    await dial(box, number)
    (offer,) = box.events_of(CallOffered)
    return offer.leg_id


async def test_ringback_then_the_other_side_once_answered(box):
    leg_id = await call_out(box)
    await box.lines.answer(leg_id, 180)
    await box.run_ms(6500)
    assert box.phone().hearing().tone == "ringback"
    await box.lines.answer(leg_id, 200)
    await box.run_ms(20)
    assert box.events[-2:] == [CallAnswered(leg_id), CallMediaReady(leg_id)]
    queues = box.ports.queues[leg_id]
    box.phone().speak_tone((1000.0,))
    to_bridge, far_side = [], Tone((700.0,), level_dbm0=-10.0)
    for _ in range(25):
        queues.from_bridge_threadsafe(far_side_frame(far_side, len(to_bridge)))
        await box.run_ms(20)
        to_bridge.append(np.frombuffer(queues.next_for_bridge_threadsafe(), "<i2"))
    assert [round(f) for f in peak_freqs_hz(np.concatenate(to_bridge[5:]), 1)] == [1000]
    assert box.phone().hearing().freqs_hz == (700,), "the other side comes through"


def far_side_frame(tone: Tone, index: int) -> bytes:
    samples = np.arange(index * 160, (index + 1) * 160)
    sine = 7000 * np.sin(2 * np.pi * tone.freqs_hz[0] * samples / 8000)
    return sine.astype("<i2").tobytes()


@pytest.mark.parametrize(("code", "tone"), [(486, "busy"), (404, "congestion")])
async def test_a_refused_call_gives_busy_or_congestion_then_the_howler(box, code, tone):
    leg_id = await call_out(box)
    await box.lines.hangup(leg_id, code)
    await box.run_ms(3000)
    assert ended(box) == [(leg_id, code)]
    assert box.phone().hearing().tone == tone
    await box.run_ms(18_000)
    assert box.channel("fxs1").audio.tone == HOWLER
    assert sounding(box, 1400, 2060)
    assert box.channel("fxs1").port_state == "off-hook"


async def test_off_hook_without_dialling_ends_in_the_howler(box):
    await lift(box)
    await box.run_ms(19_000)
    assert box.phone().hearing().tone == "dial"
    await box.run_ms(1_500)
    assert sounding(box, 1400, 2060, 2450, 2600)


async def test_flash_holds_the_call_with_dial_tone_and_a_second_flash_takes_it_back(box):
    leg_id = await call_out(box)
    await box.lines.answer(leg_id, 200)
    await flash(box)
    assert box.events_of(CallHeld) == [CallHeld(leg_id, True)]
    assert sounding(box, 350, 440)
    await flash(box)
    assert box.events_of(CallHeld) == [CallHeld(leg_id, True), CallHeld(leg_id, False)]
    assert box.channel("fxs1").state is FxsState.CONNECTED


async def test_hanging_up_on_a_held_call_rings_the_phone_back_to_take_it(box):
    leg_id = await call_out(box)
    await box.lines.answer(leg_id, 200)
    await flash(box)
    box.phone().hang_up()
    await box.run_ms(1500)
    assert box.phone().ringing, "a recall"
    assert ended(box) == []
    box.phone().lift()
    await box.run_ms(100)
    assert box.events_of(CallHeld)[-1] == CallHeld(leg_id, False)
    assert box.channel("fxs1").state is FxsState.CONNECTED


async def test_a_recall_nobody_takes_ends_the_call(box):
    leg_id = await call_out(box)
    await box.lines.answer(leg_id, 200)
    await flash(box)
    box.phone().hang_up()
    await box.run_ms(32_000)
    assert ended(box) == [(leg_id, 200)]
    assert not box.phone().ringing


@pytest.mark.parametrize("answered", [False, True])
async def test_hanging_up_ends_the_leg_after_the_longest_flash(box, answered):
    leg_id = await call_out(box)
    if answered:
        await box.lines.answer(leg_id, 200)
    box.phone().hang_up()
    await box.run_ms(1200)
    assert ended(box) == [], "still a flash"
    await box.run_ms(100)
    assert ended(box) == [(leg_id, 200 if answered else 487)]
    await box.run_ms(20)
    assert leg_id not in box.ports.open
    assert box.channel("fxs1").port_state == "idle"


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
    await box.lines.send_dtmf(leg_id, "47")
    await box.run_ms(400)
    assert box.phone().hearing().digits == "47"


# --- being called ---------------------------------------------------------------------------


async def ring(box: LinesBoard, caller: str = CALLER) -> int:
    leg_id = box.ports.new_leg_id()
    await box.lines.place(leg_id, "line:fxs1", {}, caller, "")
    return leg_id


async def test_a_call_rings_with_the_cadence_and_caller_id_after_the_first_ring(box):
    start_s = box.clock.monotonic()
    leg_id = await ring(box)
    assert box.events_of(CallProgress) == [CallProgress(leg_id, 180, "Ringing")]
    await box.run_ms(7000)
    bursts = [(b.start_s - start_s, b.end_s and b.end_s - start_s) for b in box.phone().rings]
    assert bursts == [(pytest.approx(0.0, abs=0.02), pytest.approx(2.0, abs=0.02)), (
        pytest.approx(6.0, abs=0.02), None)]  # fmt: skip
    shown = box.phone().caller_id
    assert (shown.caller.number, shown.caller.name, shown.method, shown.rings_before) == (
        "5551234",
        "Pat Caller",
        "bell202",
        1,
    )


async def test_lifting_the_ringing_phone_answers_it(box):
    leg_id = await ring(box)
    await box.run_ms(500)
    box.phone().lift()
    await box.run_ms(100)
    assert [e for e in box.events if isinstance(e, CallAnswered | CallMediaReady)] == [
        CallAnswered(leg_id),
        CallMediaReady(leg_id),
    ]
    assert not box.phone().ringing
    channel = box.channel("fxs1")
    assert (channel.state, channel.audio.bridged) == (FxsState.CONNECTED, True)


async def test_lifting_in_the_silence_between_rings_answers_too(box):
    leg_id = await ring(box)
    await box.run_ms(3000)  # after the first ring: on-hook transmission, no ringing voltage
    box.phone().lift()
    await box.run_ms(100)
    assert box.events_of(CallAnswered) == [CallAnswered(leg_id)]


async def test_a_cancelled_call_stops_ringing(box):
    leg_id = await ring(box)
    await box.run_ms(500)
    await box.lines.hangup(leg_id, 0)
    await box.run_ms(20)
    assert ended(box) == [(leg_id, 487)]
    assert not box.phone().ringing
    assert box.channel("fxs1").port_state == "idle"


async def test_a_phone_in_use_is_busy(box):
    await lift(box)
    leg_id = await ring(box)
    await box.run_ms(20)
    assert ended(box) == [(leg_id, 486)]


@pytest.mark.parametrize(
    ("country", "method", "alerted"), [("UK", "v23", True), ("SA", "dtmf", False)]
)
async def test_caller_id_before_the_first_ring_where_the_country_sends_it_so(
    country, method, alerted
):
    box = await LinesBoard(country).start()
    await ring(box)
    await box.run_ms(3000)
    shown = box.phone().caller_id
    assert (shown.caller.number, shown.method, shown.rings_before, shown.alerted) == (
        "5551234",
        method,
        0,
        alerted,
    )
    assert [e.detail for e in box.phone().events if e.kind == "polarity"] == ["reversed"]
    assert box.phone().rings, "then it rings"


async def test_a_withheld_number_is_shown_as_private(box):
    await ring(box, '"" <sip:anonymous@pbx>')
    await box.run_ms(4000)
    shown = box.phone().caller_id
    assert (shown.caller.number, shown.caller.number_absence) == (None, "P")


async def test_a_phone_on_no_extension_dials_as_nobody():
    box = await LinesBoard(fxs={"fxs2": FxsSettings()}).start()
    box.phone("fxs2").lift()
    await box.run_ms(100)
    box.phone("fxs2").dial("*43")
    await box.run_ms(600)
    assert [(o.dialled, o.extension) for o in box.events_of(CallOffered)] == [("*43", "")]
