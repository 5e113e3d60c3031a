"""The emulated board assembled from each profile: bring-up, monitor, events, faults."""

import pytest

from board.bringup import bring_up
from board.chips.si3215_registers import Linefeed
from board.emu.board import EmulatedBoard
from board.errors import ChipNotFound
from board.events import ChipLost, HookChanged, PolarityChanged, RingChanged
from board.hal import RingSignal
from board.monitor import BoardMonitor
from board.profile import load_profile


class Box:
    """An emulated board with its ports up and a monitor collecting events."""

    def __init__(self, profile_name):
        self.profile = load_profile(profile_name)
        self.board = EmulatedBoard(self.profile)
        self.clock = self.board.clock
        self.events = []

    async def start(self):
        self.ports = await bring_up(self.profile, self.board)
        self.monitor = BoardMonitor(self.profile, self.board, self.ports, self.events.append)
        self.monitor.start()
        return self

    def run_ms(self, milliseconds):
        self.events.clear()
        self.clock.advance_ms(milliseconds)
        return list(self.events)


@pytest.mark.asyncio
@pytest.mark.parametrize("profile_name", ["reference", "reference-8x8"])
async def test_every_port_of_each_profile_comes_up(profile_name):
    box = await Box(profile_name).start()
    assert box.ports.failed == {}
    assert sorted(box.ports.fxs) == sorted(p.name for p in box.profile.fxs)
    for port in box.profile.fxs:
        assert box.board.fxs(port.name).linefeed == Linefeed.FORWARD_ACTIVE
        assert box.board.fxs(port.name).pcm.tx_timeslot == port.timeslot
    for port in box.profile.fxo:
        assert box.board.fxo(port.name).line_side_powered
        assert box.board.fxo(port.name).pcm.tx_timeslot == port.timeslot
    assert box.run_ms(500) == []


@pytest.mark.asyncio
async def test_the_eight_port_board_reaches_its_last_ports():
    box = await Box("reference-8x8").start()
    box.ports.fxs["fxs8"].start_ringing(RingSignal())
    box.ports.fxo["fxo8"].set_off_hook(True)
    assert [name for name, m in box.board.fxs_models.items() if m.ringing] == ["fxs8"]
    assert [name for name, m in box.board.fxo_models.items() if m.off_hook] == ["fxo8"]
    box.board.pcm.write(15, b"\x42")
    assert box.board.fxo("fxo8").pcm.to_line == b"\x42"


@pytest.mark.asyncio
async def test_hook_and_ring_events_arrive_through_the_interrupt_lines():
    box = await Box("reference").start()
    box.board.fxs("fxs3").set_loop_closed(True)
    (event,) = box.run_ms(20)
    assert event == HookChanged("fxs3", event.at_s, off_hook=True)
    assert box.ports.fxs["fxs3"].off_hook
    box.board.fxo("fxo2").start_ring()
    events = box.run_ms(200)
    assert [(e.port, e.ringing) for e in events] == [("fxo2", True)]


@pytest.mark.asyncio
async def test_two_phones_on_a_shared_interrupt_line_are_both_heard():
    box = await Box("reference").start()
    box.board.fxs("fxs1").set_loop_closed(True)
    box.board.fxs("fxs4").set_loop_closed(True)
    events = box.run_ms(20)
    assert sorted(e.port for e in events if isinstance(e, HookChanged)) == ["fxs1", "fxs4"]


@pytest.mark.asyncio
async def test_lost_interrupts_are_made_up_by_the_poll():
    box = await Box("reference").start()
    box.board.fxs("fxs2").drop_interrupts()
    box.board.fxs("fxs2").set_loop_closed(True)
    assert box.run_ms(20) == []
    assert [e.port for e in box.run_ms(100)] == ["fxs2"]


@pytest.mark.asyncio
async def test_a_missing_module_fails_alone_and_is_named():
    box = Box("reference")
    box.board.fxo("fxo3").go_silent()
    await box.start()
    error = box.ports.failed["fxo3"]
    assert isinstance(error, ChipNotFound)
    assert "fxo3: Si3050 on chip select 'fxo' (chain position 2)" in str(error)
    assert sorted(box.ports.fxo) == ["fxo1", "fxo2", "fxo4"]
    box.board.fxo("fxo4").set_polarity(True)
    assert [type(e) for e in box.run_ms(100)] == [PolarityChanged]


@pytest.mark.asyncio
async def test_a_brown_out_loses_every_port_once_and_bring_up_recovers():
    box = await Box("reference").start()
    box.clock.advance(1.0)
    box.board.brown_out()
    events = box.run_ms(200)
    assert all(isinstance(e, ChipLost) for e in events)
    assert sorted(e.port for e in events) == sorted(p.name for p in box.profile.ports)
    assert box.run_ms(500) == [], "each port is reported once"
    box.monitor.stop()
    await box.start()
    assert box.ports.failed == {}
    box.board.fxo("fxo1").start_ring()
    assert [type(e) for e in box.run_ms(200)] == [RingChanged]


@pytest.mark.asyncio
async def test_the_front_panel_serial_port_is_a_byte_stream():
    box = Box("reference")
    panel = box.profile.front_panel
    port = box.board.serial_port(panel.serial_port, panel.baud_rate)
    received = []
    port.on_receive(received.append)
    port.write(b"\x0cfxs1 ready")
    port.feed(b"K1")
    box.clock.advance(0)
    assert bytes(box.board.serial_ports["/dev/ttyAMA0"].sent) == b"\x0cfxs1 ready"
    assert received == [b"K1"]
