"""FXO ports on the rig: seizure, ring detection, polarity and battery supervision (§6)."""

import pytest

from board.events import BatteryChanged, LineAlarm, PolarityChanged, RingChanged

pytestmark = pytest.mark.asyncio


async def test_seizing_and_releasing_the_line(board):
    board.ports.fxo["fxo1"].set_off_hook(True)
    await board.bench.wait_ms(50)
    assert (await board.bench.line_state("fxo1"))["seized"] == "yes"
    assert board.ports.fxo["fxo1"].loop_current_ma() > 10
    board.ports.fxo["fxo1"].set_off_hook(False)
    await board.bench.wait_ms(50)
    assert (await board.bench.line_state("fxo1"))["seized"] == "no"


@pytest.mark.parametrize("frequency_hz", [20, 25])
async def test_ring_detected_within_200_ms_and_ended_within_150_ms(board, frequency_hz):
    """Target 5."""
    await board.bench.at("fxo2", f"ringer 70 {frequency_hz}")
    events = await board.events_within(200)
    assert [(e.port, e.ringing) for e in events] == [("fxo2", True)]
    await board.bench.wait_ms(1500)
    await board.bench.at("fxo2", "ringer off")
    events = await board.events_within(150)
    assert [(type(e), e.ringing) for e in events] == [(RingChanged, False)]


async def test_polarity_reversal_reported_within_150_ms_and_blips_ignored(board):
    """Target 8 (polarity), and no false reversal from a 30 ms transient."""
    await board.bench.at("fxo3", "polarity reversed")
    await board.bench.wait_ms(30)
    await board.bench.at("fxo3", "polarity normal")
    assert await board.events_within(500) == []
    await board.bench.at("fxo3", "polarity reversed")
    events = await board.events_within(150)
    assert [(type(e), e.reversed) for e in events] == [(PolarityChanged, True)]


async def test_battery_denial_reported_within_250_ms_then_red_alarm(board):
    """Target 8 (battery denial of 80 ms or more), then the 1 s red alarm."""
    await board.bench.at("fxo4", "battery 0")
    events = await board.events_within(250)
    assert [(type(e), e.present) for e in events] == [(BatteryChanged, False)]
    events = await board.events_within(1000)
    assert [(type(e), e.active) for e in events] == [(LineAlarm, True)]
    await board.bench.at("fxo4", "battery 48")
    events = await board.events_within(250)
    assert [type(e) for e in events] == [BatteryChanged, LineAlarm]
