"""FXO ports on the rig: seizure, ring detection, polarity and battery supervision (§6)."""

import pytest

from board.events import BatteryChanged, LineAlarm, PolarityChanged, RingChanged

pytestmark = pytest.mark.asyncio


async def test_seizing_and_releasing_the_line(board):
    board.ports.fxo["fxo1"].set_off_hook(True)
    assert board.bench.line_seized("fxo1")
    assert board.ports.fxo["fxo1"].loop_current_ma() > 10
    board.ports.fxo["fxo1"].set_off_hook(False)
    assert not board.bench.line_seized("fxo1")


@pytest.mark.parametrize("frequency_hz", [20.0, 25.0])
async def test_ring_detected_within_200_ms_and_ended_within_150_ms(board, frequency_hz):
    """Target 5."""
    board.bench.line_ring("fxo2", 70.0, frequency_hz)
    events = await board.events_within(200)
    assert [(e.port, e.ringing) for e in events] == [("fxo2", True)]
    await board.bench.wait_ms(1500)
    board.bench.line_ring_stop("fxo2")
    events = await board.events_within(150)
    assert [(type(e), e.ringing) for e in events] == [(RingChanged, False)]


async def test_polarity_reversal_reported_within_150_ms_and_blips_ignored(board):
    """Target 8 (polarity), and no false reversal from a 30 ms transient."""
    board.bench.line_polarity("fxo3", True)
    await board.bench.wait_ms(30)
    board.bench.line_polarity("fxo3", False)
    assert await board.events_within(500) == []
    board.bench.line_polarity("fxo3", True)
    events = await board.events_within(150)
    assert [(type(e), e.reversed) for e in events] == [(PolarityChanged, True)]


async def test_battery_denial_reported_within_250_ms_then_red_alarm(board):
    """Target 8 (battery denial of 80 ms or more), then the 1 s red alarm."""
    board.bench.line_battery("fxo4", 0)
    events = await board.events_within(250)
    assert [(type(e), e.present) for e in events] == [(BatteryChanged, False)]
    events = await board.events_within(1000)
    assert [(type(e), e.active) for e in events] == [(LineAlarm, True)]
    board.bench.line_battery("fxo4", 48)
    events = await board.events_within(250)
    assert [type(e) for e in events] == [BatteryChanged, LineAlarm]
