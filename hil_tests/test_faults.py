"""Faults on the rig: lost interrupts, a chip that stops answering, a brown-out."""

import pytest

from board.bringup import bring_up
from board.events import ChipLost, HookChanged
from board.monitor import BoardMonitor

pytestmark = pytest.mark.asyncio


async def test_lost_interrupts_are_made_up_by_the_poll(board, faults):
    await faults.fault("fxs2", "drop-interrupts")
    await board.bench.at("fxs2", "offhook")
    events = await board.events_within(150)
    assert [(type(e), e.port) for e in events] == [(HookChanged, "fxs2")]


async def test_a_chip_that_stops_answering_is_named_once(board, faults):
    await faults.fault("fxo2", "silent")
    events = await board.events_within(200)
    assert [(type(e), e.port) for e in events] == [(ChipLost, "fxo2")]
    assert await board.events_within(500) == []


async def test_a_brown_out_is_reported_per_port_and_bring_up_recovers(board, faults):
    await board.bench.wait_ms(1000)
    await faults.request("fault board brown-out")
    events = await board.events_within(300)
    assert {e.port for e in events if isinstance(e, ChipLost)} == {
        p.name for p in board.profile.ports
    }
    ports = await bring_up(board.profile, board.io)
    assert ports.failed == {}
    monitor = BoardMonitor(board.profile, board.io, ports, board.events.append)
    monitor.start()
    await board.bench.at("fxs1", "offhook")
    events = await board.events_within(100)
    monitor.stop()
    assert [(type(e), e.port) for e in events] == [(HookChanged, "fxs1")]
