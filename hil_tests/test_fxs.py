"""FXS ports on the rig: line feed, hook detection, ringing and ring trip (hardware.md §6)."""

import pytest

from board.events import HookChanged, RingTripped
from board.hal import LineFeed, RingSignal

pytestmark = pytest.mark.asyncio


async def test_every_fxs_line_is_fed_at_48_v(board):
    """Target 10: VOC 48 V within 5 %."""
    assert board.ports.failed == {}
    for port in board.profile.fxs:
        assert await board.bench.tip_ring_v(port.name) == pytest.approx(48.0, rel=0.05)


async def test_off_hook_within_50_ms_and_short_closures_ignored(board):
    """Target 2: no event for closures under 10 ms; off-hook reported within 50 ms."""
    for _ in range(5):
        await board.bench.at("fxs1", "closure 8")
        await board.bench.wait_ms(38)
    assert await board.events_within(200) == []
    await board.bench.at("fxs1", "offhook")
    events = await board.events_within(50)
    assert [(type(e), e.port, e.off_hook) for e in events] == [(HookChanged, "fxs1", True)]


@pytest.mark.parametrize("frequency_hz", [20.0, 25.0])
async def test_ringing_frequency_amplitude_and_cadence(board, frequency_hz):
    """Target 4: frequency within 1 Hz, cadence within 10 %, at least 40 Vrms."""
    board.ports.fxs["fxs2"].start_ringing(RingSignal(frequency_hz, 70.0, (2000, 4000)))
    line = await board.bench.line_state("fxs2")
    assert line["ringing"] == "yes"
    assert float(line["ring-hz"]) == pytest.approx(frequency_hz, abs=1.0)
    assert float(line["ring-vpk"]) / 2**0.5 >= 40.0
    await board.bench.wait_ms(1800)
    assert await board.bench.ringing("fxs2"), "on for 2 s, less 10 %"
    await board.bench.wait_ms(400)
    assert not await board.bench.ringing("fxs2"), "off after 2 s, plus 10 %"
    await board.bench.wait_ms(3400)
    assert not await board.bench.ringing("fxs2")
    await board.bench.wait_ms(800)
    assert await board.bench.ringing("fxs2"), "on again after 4 s off"


async def test_a_uk_cadence(board):
    board.ports.fxs["fxs3"].start_ringing(RingSignal(25.0, 70.0, (400, 200, 400, 2000)))
    seen = []
    for step_ms in (350, 100, 100, 100, 300, 100, 1900, 100):
        await board.bench.wait_ms(step_ms)
        seen.append(await board.bench.ringing("fxs3"))
    assert seen == [True, False, False, True, True, False, False, True]


async def test_ring_trip_gives_a_voice_path_within_200_ms(board):
    """Target 4: ring trip to voice path within 200 ms."""
    board.ports.fxs["fxs4"].start_ringing(RingSignal())
    await board.bench.wait_ms(300)
    await board.bench.at("fxs4", "offhook")
    events = await board.events_within(200)
    assert [type(e) for e in events] == [RingTripped, HookChanged]
    assert not await board.bench.ringing("fxs4")
    assert await board.bench.tip_ring_v("fxs4") > 0, "fed"


async def test_polarity_reversal_and_open_line(board):
    board.ports.fxs["fxs1"].set_polarity(True)
    assert await board.bench.tip_ring_v("fxs1") == pytest.approx(-48.0, rel=0.05)
    board.ports.fxs["fxs1"].set_feed(LineFeed.OPEN)
    assert await board.bench.tip_ring_v("fxs1") == 0
