"""The line service on the emulated reference board, with a manual clock, for channel tests.

The far ends are driven on the chip models' analog side directly (loop closure on the
Si3215, ringing, battery and polarity on the Si3050's line, audio on the PCM timeslots):
a stand-in, kept small, for the phone and line models of board/emu to come.
"""

import asyncio
from dataclasses import dataclass, field

import numpy as np

from board.bringup import bring_up
from board.dsp import g711
from board.dsp.country import load_countries
from board.dsp.pcm import FRAME_SAMPLES
from board.emu.board import EmulatedBoard
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

    def new_leg_id(self) -> int:
        self.next_id += 1
        return self.next_id

    async def add_analog_port(self, leg_id, name, queues) -> None:
        self.open.add(leg_id)

    async def remove_analog_port(self, leg_id) -> None:
        self.open.discard(leg_id)


class LinesBoard:
    """Drivers up on the emulated board, the monitor feeding a LineService, time in hand."""

    def __init__(self, country: str = "US", *, fxs=None, fxo=None, routes=(), extensions=()):
        self.profile = load_profile("reference")
        self.board = EmulatedBoard(self.profile)
        self.clock = self.board.clock
        self.country = load_countries()[country]
        self.events: list[object] = []  # what the lines told the PBX
        self.board_events: list[object] = []  # what the board told the lines
        self.ports = FakePorts()
        self._fxs_settings = fxs or {"fxs1": FxsSettings(extension="1001")}
        self._fxo_settings = fxo or {"fxo1": FxoSettings(destination="ext:1001")}
        self.dial_plan = DialPlan(
            lambda: extensions,
            lambda: [OutboundRoute(f"r{i}", (p,), ("fxo",)) for i, p in enumerate(routes)],
            ("*43",),
        )

    async def start(self) -> "LinesBoard":
        ports = await bring_up(self.profile, self.board)
        context = LineContext(self.clock, self.country, self.events.append, self.ports)
        self.lines = LineService(
            context,
            self.board.pcm,
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

    def now_ms(self) -> float:
        return self.clock.monotonic() * 1000

    # --- the far ends ------------------------------------------------------------------

    def say(self, port: str, samples: np.ndarray) -> None:
        """The far end of `port` sends `samples` (int16) to the box, from now on."""
        model = self.board.fxs_models.get(port) or self.board.fxo_models[port]
        model.pcm.from_line.extend(g711.encode(samples, self.board.pcm.pcm_format))

    def ring_line(self, port: str, cadence_ms=(2000, 4000), spill=None, spill_after_ms=600):
        """The phone company rings FXO `port` with `cadence_ms` until `stop_line`, sending
        `spill` (int16, caller ID) `spill_after_ms` into the first silence."""
        daa = self.board.fxo(port)
        on_s, off_s = cadence_ms[0] / 1000, cadence_ms[1] / 1000

        def burst() -> None:
            daa.start_ring()
            self._ring_timer = self.clock.call_later(on_s, silence)

        def silence() -> None:
            daa.stop_ring()
            self._ring_timer = self.clock.call_later(off_s, burst)

        if spill is not None:
            self.clock.call_later(on_s + spill_after_ms / 1000, lambda: self.say(port, spill))
        burst()

    def stop_line(self, port: str) -> None:
        self._ring_timer.cancel()
        self.board.fxo(port).stop_ring()

    def heard(self, port: str) -> np.ndarray:
        """What the box sent the far end of `port` since last asked (int16)."""
        model = self.board.fxs_models.get(port) or self.board.fxo_models[port]
        data = bytes(model.pcm.to_line)
        model.pcm.to_line.clear()
        return g711.decode(data, self.board.pcm.pcm_format)


def frames(samples: np.ndarray) -> list[np.ndarray]:
    return [samples[i : i + FRAME_SAMPLES] for i in range(0, len(samples), FRAME_SAMPLES)]
