"""The line service on the emulated reference board, with its phone and line models on the
wires and a manual clock, for the channel tests."""

import asyncio
from dataclasses import dataclass, field

import numpy as np

from board.bringup import bring_up
from board.dsp import g711
from board.dsp.country import load_countries
from board.emu.analog_phone import AnalogPhone
from board.emu.board import EmulatedBoard
from board.emu.pcm import EmulatedPcmBus
from board.emu.pstn_line import PstnLine
from board.monitor import BoardMonitor
from board.profile import load_profile
from pbx.dial_plan import DialPlan
from pbx.lines.leg import LineContext
from pbx.lines.service import LineService
from pbx.lines.settings import FxoSettings, FxsSettings
from pbx.trunks import OutboundRoute


@dataclass
class FakePorts:
    """The engine's conference ports, as the lines see them: ids handed out, ports counted."""

    next_id: int = 100
    open: set[int] = field(default_factory=set)
    queues: dict[int, object] = field(default_factory=dict)  # each leg's frame queues

    def new_leg_id(self) -> int:
        self.next_id += 1
        return self.next_id

    async def add_analog_port(self, leg_id, name, queues) -> None:
        self.open.add(leg_id)
        self.queues[leg_id] = queues

    async def remove_analog_port(self, leg_id) -> None:
        self.open.discard(leg_id)


class SentAudio:
    """The PCM bus as the lines use it, noting when each timeslot was first sent sound."""

    def __init__(self, bus: EmulatedPcmBus, clock) -> None:
        self._bus, self._clock = bus, clock
        self.first_sound_s: dict[int, float] = {}

    @property
    def pcm_format(self):
        return self._bus.pcm_format

    def read(self, timeslot: int, max_samples: int) -> bytes:
        return self._bus.read(timeslot, max_samples)

    def write(self, timeslot: int, data: bytes) -> None:
        if np.abs(g711.decode(data, self.pcm_format)).max(initial=0) > 100:
            self.first_sound_s.setdefault(timeslot, self._clock.monotonic())
        self._bus.write(timeslot, data)


class LinesBoard:
    """Drivers up on the emulated board, the monitor feeding a LineService, time in hand."""

    def __init__(self, country: str = "US", *, fxs=None, fxo=None, routes=(), extensions=()):
        self.profile = load_profile("reference")
        self.board = EmulatedBoard(self.profile, country=country)
        self.clock = self.board.clock
        self.country = load_countries()[country]
        self.events: list[object] = []  # what the lines told the PBX
        self.board_events: list[object] = []  # what the board told the lines
        self.ports = FakePorts()
        self.sent = SentAudio(self.board.pcm, self.clock)
        self._fxs_settings = fxs or {"fxs1": FxsSettings(extension="1001")}
        self._fxo_settings = fxo or {"fxo1": FxoSettings(destination="ext:1001")}
        route_list = [OutboundRoute(f"r{i}", (p,), ("fxo",)) for i, p in enumerate(routes)]
        self.dial_plan = DialPlan(lambda: extensions, lambda: route_list, ("*43",))

    async def start(self) -> "LinesBoard":
        ports = await bring_up(self.profile, self.board)
        context = LineContext(self.clock, self.country, self.events.append, self.ports)
        self.lines = LineService(
            context,
            self.sent,
            {n: (ports.fxs[n], s) for n, s in self._fxs_settings.items()},
            {n: (ports.fxo[n], s) for n, s in self._fxo_settings.items()},
            self.dial_plan,
        )
        self.monitor = BoardMonitor(self.profile, self.board, ports, self._board_event)
        self.monitor.start()
        self.lines.start()
        return self

    def _board_event(self, event) -> None:
        self.board_events.append(event)
        self.lines.handle_board_event(event)

    async def run_ms(self, milliseconds: float, step_ms: float = 20.0) -> None:
        """Let time pass, letting the loop run the lines' background work as it goes."""
        for _ in range(round(milliseconds / step_ms)):
            self.clock.advance_ms(step_ms)
            for _ in range(3):
                await asyncio.sleep(0)

    def events_of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def phone(self, port: str = "fxs1") -> AnalogPhone:
        return self.board.phone(port)

    def line(self, port: str = "fxo1") -> PstnLine:
        return self.board.line(port)

    def channel(self, port: str):
        return self.lines.channels[port]
