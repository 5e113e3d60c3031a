"""The emulated reference board brought up as the daemon does, with the far ends on its wires,
and a host that moves audio on the PCM bus the way a channel does, for the far-end tests."""

import numpy as np

from board.bringup import bring_up
from board.dsp.pcm import FRAME_MS, FRAME_SAMPLES
from board.emu import companding
from board.emu.board import EmulatedBoard
from board.events import BoardEvent
from board.monitor import BoardMonitor
from board.profile import load_profile


class Box:
    """Drivers up on the emulated board, its monitor collecting events, the clock in hand."""

    def __init__(self, profile_name: str = "reference", country: str = "US"):
        self.profile = load_profile(profile_name)
        self.board = EmulatedBoard(self.profile, country=country)
        self.clock = self.board.clock
        self.events: list[BoardEvent] = []
        self._slots = {port.name: port.timeslot for port in self.profile.ports}

    async def start(self) -> "Box":
        self.ports = await bring_up(self.profile, self.board)
        assert self.ports.failed == {}
        self.monitor = BoardMonitor(self.profile, self.board, self.ports, self.events.append)
        self.monitor.start()
        return self

    def now_ms(self) -> float:
        return self.clock.monotonic() * 1000

    def run_ms(self, milliseconds: float) -> list[BoardEvent]:
        """Let time pass; the board events reported meanwhile."""
        self.events.clear()
        self.clock.advance_ms(milliseconds)
        return list(self.events)

    def events_of(self, kind: type, port: str | None = None) -> list:
        return [e for e in self.events if isinstance(e, kind) and port in (None, e.port)]

    def send(self, port: str, samples: np.ndarray) -> None:
        """The host plays `samples` (int16) to the far end of `port`."""
        self.board.pcm.write(
            self._slots[port], companding.encode(samples, self.board.pcm.pcm_format)
        )

    def receive(self, port: str) -> np.ndarray:
        """What the far end of `port` sent and the host has not read yet."""
        data = self.board.pcm.read(self._slots[port], 1_000_000)
        return companding.decode(data, self.board.pcm.pcm_format)

    def listen_ms(self, port: str, milliseconds: float, each=None) -> np.ndarray:
        """Run for `milliseconds` reading `port` every 20 ms as a channel does; `each(frame)`
        is called per frame (a detector); returns everything heard."""
        heard = []
        for _ in range(round(milliseconds / FRAME_MS)):
            self.clock.advance_ms(FRAME_MS)
            frame = self.receive(port)
            heard.append(frame)
            if each is not None:
                each(frame)
        return np.concatenate(heard) if heard else np.zeros(0, np.int16)

    def play_ms(self, port: str, samples: np.ndarray) -> None:
        """Play `samples` to `port` in real time, a frame every 20 ms as a channel does."""
        for start in range(0, len(samples), FRAME_SAMPLES):
            self.send(port, samples[start : start + FRAME_SAMPLES])
            self.clock.advance_ms(FRAME_MS)
