"""The FXO channel on the emulated board, with the phone-company line model on its wires:
ringing in with caller ID, answer policy, calling out, and the far end hanging up by each
supervision method."""

import dataclasses

import pytest
import pytest_asyncio

from board.dsp.caller_id import CallerId
from board.dsp.country import load_countries
from board.dsp.tones import Tone
from pbx.events import (
    CallAnswered,
    CallEnded,
    CallMediaReady,
    CallOffered,
    CallProgress,
    LinesBusy,
)
from pbx.lines.fxo import FxoState
from pbx.lines.settings import FxoSettings
from pbx.sip import EngineError
from tests.lines_board import LinesBoard

pytestmark = pytest.mark.asyncio

PAT = CallerId(number="5551234", name="Pat Caller")


async def board(**settings) -> LinesBoard:
    fxo = {"fxo1": FxoSettings(**{"destination": "ext:1001", **settings})}
    return await LinesBoard(fxo=fxo).start()


@pytest_asyncio.fixture
async def box():
    return await board()


def ended(box: LinesBoard) -> list[tuple[int, int, str]]:
    return [(e.leg_id, e.status_code, e.reason) for e in box.events_of(CallEnded)]


def seized(box: LinesBoard) -> bool:
    return box.board.fxo("fxo1").off_hook


def line_settings(box: LinesBoard, **changes) -> None:
    box.line().settings = dataclasses.replace(box.line().settings, **changes)


async def test_a_ringing_line_with_caller_id_is_answered_on_the_second_ring(box):
    box.line().ring(PAT)
    await box.run_ms(5500)
    assert box.events_of(CallOffered) == [], "one ring so far"
    assert not seized(box)
    await box.run_ms(1000)
    (offer,) = box.events_of(CallOffered)
    assert (offer.caller_number, offer.caller_name, offer.line, offer.dialled) == (
        "5551234",
        "Pat Caller",
        "fxo1",
        "fxo1",
    )
    assert offer.leg_id in box.ports.open
    assert box.line().state == "connected", "the exchange saw the box answer"


async def test_answer_at_once_on_the_first_ring():
    box = await board(answer_ring=1)
    box.line().ring()
    await box.run_ms(300)
    assert len(box.events_of(CallOffered)) == 1
    assert box.channel("fxo1").port_state == "off-hook"


async def test_a_line_with_no_destination_is_left_ringing_and_the_caller_may_give_up():
    box = await board(destination="")
    box.line().ring()
    await box.run_ms(13_000)
    assert box.events_of(CallOffered) == []
    assert (box.channel("fxo1").port_state, box.channel("fxo1").rings) == ("ringing", 3)
    box.line().stop()
    await box.run_ms(8_200)
    assert box.channel("fxo1").port_state == "idle"


async def answered_call(box: LinesBoard) -> int:
    box.line().ring(PAT)
    await box.run_ms(6500)
    (offer,) = box.events_of(CallOffered)
    return offer.leg_id


async def test_the_caller_hears_ringback_then_the_extension(box):
    leg_id = await answered_call(box)
    await box.lines.answer(leg_id, 180)
    await box.run_ms(1000)
    assert box.line().hearing().has(440), "US ringback from the box"
    await box.lines.answer(leg_id, 200)
    await box.run_ms(20)
    assert box.events[-2:] == [CallAnswered(leg_id), CallMediaReady(leg_id)]
    assert box.channel("fxo1").audio.bridged
    assert box.channel("fxo1").port_state == "in-call"


async def connected(box: LinesBoard) -> int:
    leg_id = await answered_call(box)
    await box.lines.answer(leg_id, 200)
    await box.run_ms(1000)  # past the seizure guard
    return leg_id


@pytest.mark.parametrize(("method", "target_s"), [("battery", 0.25), ("polarity", 0.15)])
async def test_a_far_end_hang_up_releases_the_line_within_its_target(box, method, target_s):
    """Target 8: battery denial, hang-up within 250 ms; polarity hang-up within 150 ms."""
    leg_id = await connected(box)
    hung_up_at_s = box.clock.monotonic()
    box.line().hang_up(method)
    await box.run_ms(300, step_ms=1)
    assert box.channel("fxo1").released_at_s - hung_up_at_s <= target_s
    assert not seized(box)
    assert ended(box) == [(leg_id, 200, f"the far end hung up ({method})")]
    await box.run_ms(500)
    assert box.line().events[-1].kind == "released"


async def test_battery_gone_in_the_seizure_guard_is_a_hang_up_once_the_guard_is_over():
    box = await board(answer_ring=1)
    box.line().ring()
    while not seized(box):
        await box.run_ms(10, step_ms=10)
    seized_at_s = box.clock.monotonic()
    (offer,) = box.events_of(CallOffered)
    await box.lines.answer(offer.leg_id, 200)
    await box.run_ms(100)  # the exchange sees the answer
    box.line().hang_up("battery", duration_ms=2000)
    await box.run_ms(400)
    assert ended(box) == [], "inside the 650 ms guard after seizure"
    await box.run_ms(300)
    assert ended(box) == [(offer.leg_id, 200, "the far end hung up (battery)")]
    assert box.channel("fxo1").released_at_s - seized_at_s == pytest.approx(0.65, abs=0.01)


async def test_busy_tone_releases_the_line_within_four_cadences(box):
    leg_id = await connected(box)
    hung_up_at_s = box.clock.monotonic()
    box.line().hang_up("busy")
    await box.run_ms(5000)
    busy = box.country.tones["busy"]
    assert box.channel("fxo1").released_at_s - hung_up_at_s <= 4 * busy.period_ms / 1000
    assert ended(box) == [(leg_id, 200, "the far end hung up (busy)")]


async def test_a_method_left_out_is_not_acted_on():
    box = await board(supervision=("busy",))
    await connected(box)
    box.line().hang_up("polarity")
    await box.run_ms(500)
    assert ended(box) == []
    assert seized(box)


async def test_silence_ends_the_call_after_the_timeout():
    box = await board(supervision=("silence",), silence_timeout_s=5.0)
    leg_id = await connected(box)
    box.line().play(Tone((800.0,), level_dbm0=-20.0))
    await box.run_ms(3000)
    box.line().hang_up("silence")
    await box.run_ms(4500)
    assert ended(box) == []
    await box.run_ms(1000)
    assert ended(box) == [(leg_id, 200, "the far end hung up (silence)")]


async def test_noise_and_tones_do_not_hang_up_a_call(box):
    await connected(box)
    box.line().voice.set_noise(-30.0)
    box.line().play(Tone((440.0,), level_dbm0=-20.0))
    await box.run_ms(10_000)
    assert ended(box) == []


async def test_the_box_hanging_up_releases_the_line(box):
    leg_id = await connected(box)
    await box.lines.hangup(leg_id)
    assert not seized(box)
    assert ended(box) == [(leg_id, 200, "hung up by the box")]
    await box.run_ms(1000)
    assert box.line().state == "idle", "the exchange saw the release"
    assert box.channel("fxo1").free


# --- calls out ------------------------------------------------------------------------------


async def call_out(box: LinesBoard, number: str = "5551234") -> int:
    leg_id = box.ports.new_leg_id()
    await box.lines.place(leg_id, f"line:fxo1;dial={number}", {}, "", "")
    return leg_id


async def test_calling_out_seizes_waits_for_dial_tone_and_dials(box):
    leg_id = await call_out(box)
    assert seized(box)
    await box.run_ms(2000)
    assert box.line().hearing().digits == "5551234"
    assert box.events_of(CallProgress) == [CallProgress(leg_id, 183, "Session Progress")]
    assert box.events_of(CallAnswered) == [CallAnswered(leg_id)], "answered once dialled"
    await box.run_ms(5500)
    assert (box.line().dialled, box.line().state) == ("5551234", "connected")


async def test_no_dial_tone_fails_the_call_for_the_next_line(box):
    box.line().set_country(load_countries()["DE"])  # a 425 Hz dial tone the box does not know
    leg_id = await call_out(box)
    await box.run_ms(3100)
    assert ended(box) == [(leg_id, 503, "no dial tone")]
    assert not seized(box)


async def test_a_fixed_dial_delay_instead_of_dial_tone():
    box = await board(dial_delay_ms=500)
    box.line().set_country(load_countries()["DE"])
    await call_out(box, "42")
    await box.run_ms(1000)
    assert box.line().hearing().digits == "42"


async def test_answered_and_hung_up_by_polarity_reversal_when_so_set():
    box = await board(outbound_answer="polarity")
    line_settings(box, reverse_on_answer=True, answer_after_ms=1000)
    leg_id = await call_out(box, "1")
    await box.run_ms(3500)
    assert box.events_of(CallAnswered) == [], "ringing out"
    await box.run_ms(1500)
    assert box.events_of(CallAnswered) == [CallAnswered(leg_id)]
    await box.run_ms(2000)
    assert ended(box) == [], "the answer's reversal is no hang-up"
    box.line().hang_up("polarity")
    await box.run_ms(200)
    assert ended(box) == [(leg_id, 200, "the far end hung up (polarity)")]


async def test_a_busy_number_fails_the_call_busy():
    box = await board(outbound_answer="polarity")
    line_settings(box, outcome="busy")
    leg_id = await call_out(box, "1")
    await box.run_ms(8000)
    assert ended(box) == [(leg_id, 486, "Busy Here")]


async def test_a_line_in_use_refuses_a_second_call(box):
    await call_out(box)
    second = await call_out(box)
    assert ended(box) == [(second, 503, "line in use")]
    assert box.lines.free_lines("fxo") == []


async def test_a_dead_line_is_an_alarm_and_comes_back(box):
    box.line().yank()
    await box.run_ms(1200)
    assert box.channel("fxo1").port_state == "alarm"
    assert box.lines.free_lines("fxo") == []
    box.line().plug()
    await box.run_ms(200)
    assert box.channel("fxo1").port_state == "idle"


async def test_port_state_gives_the_line_voltage_and_current(box):
    (status,) = [s for s in box.lines.status() if s.name == "fxo1"]
    assert (status.kind, status.state, status.loop_voltage_v) == ("fxo", "idle", 48.0)
    await connected(box)
    (status,) = [s for s in box.lines.status() if s.name == "fxo1"]
    assert status.state == "in-call"
    assert status.loop_current_ma > 15
    assert FxoState.CONNECTED is box.channel("fxo1").state


async def test_a_call_to_a_line_the_board_lacks_is_refused(box):
    with pytest.raises(EngineError, match="no analog line fxo9"):
        await box.lines.place(box.ports.new_leg_id(), "line:fxo9;dial=1", {}, "", "")


async def test_every_working_line_taken_is_told_once_and_so_is_one_freed():
    fxo = {name: FxoSettings(destination="ext:1001", answer_ring=1) for name in ("fxo1", "fxo2")}
    box = await LinesBoard(fxo=fxo).start()
    box.line("fxo1").ring()
    await box.run_ms(300)
    assert box.events_of(LinesBusy) == [], "fxo2 is still free"
    box.line("fxo2").yank()
    await box.run_ms(1200)
    assert box.events_of(LinesBusy) == [LinesBusy(True)], "a dead line cannot take calls"
    box.line("fxo2").plug()
    await box.run_ms(200)
    box.line("fxo2").ring()
    await box.run_ms(300)
    first, _second = box.events_of(CallOffered)
    await box.lines.hangup(first.leg_id)
    await box.run_ms(100)
    assert box.events_of(LinesBusy) == [
        LinesBusy(True),
        LinesBusy(False),
        LinesBusy(True),
        LinesBusy(False),
    ]
