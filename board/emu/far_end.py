"""What hangs on an emulated port's wires: the part the phone and the exchange line share."""

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from board import BoardError
from board.dsp.country import Country
from board.dsp.pcm import FRAME_MS, FRAME_SAMPLES
from board.emu import companding
from board.emu.pcm import PcmEndpoint
from board.emu.timer_set import TimerSet
from board.emu.voice import Voice
from board.hal import Clock

_FRAME_S = FRAME_MS / 1000
_EVENTS_KEPT = 1000


class FarEndError(BoardError):
    """A far end was asked for something its state does not allow (dial while on-hook)."""


@dataclass(frozen=True)
class FarEndEvent:
    """Something a far end noticed or finished, for tests and the bench channel.

    `kind` and `detail` are the words the bench protocol sends after the port
    (`event fxs 1 ringing`, `event fxo 2 dialled 1002`).
    """

    port: str
    kind: str
    detail: str = ""
    at_s: float = 0.0


class WiredChip(Protocol):
    """A chip model as the far end on its wires sees it."""

    clock: Clock
    pcm: PcmEndpoint

    def watch_line(self, watcher: Callable[[], None]) -> None: ...


class FarEnd:
    """Base of the far-end models: the 20 ms audio tick, keyed timers, events.

    Every 20 ms of the clock the far end takes up to a frame the host sent it from
    the chip's PCM interface (decoded from the bus format) and, while it is talking,
    puts a frame of its `voice` on the line for the host to read. Unread audio beyond
    `backlog_ms` is dropped oldest first, as a bus FIFO overruns. Subclasses hear in
    `_hear`, say when they talk in `_talking`, and follow the chip in `_line_moved`.
    """

    backlog_ms = 2000.0

    def __init__(self, chip: WiredChip, port: str, country: Country, seed: int = 0):
        self.port = port
        self.clock = chip.clock
        self.country = country
        self.voice = Voice(seed)
        self.events: deque[FarEndEvent] = deque(maxlen=_EVENTS_KEPT)
        self._pcm = chip.pcm
        self._timers = TimerSet(self.clock)
        self._watchers: list[Callable[[FarEndEvent], None]] = []
        chip.watch_line(self._line_moved)
        self.clock.call_later(_FRAME_S, self._tick)

    def set_country(self, country: Country) -> None:
        """The country whose tones, cadences and caller ID this end uses from now on."""
        self.country = country

    def watch(self, watcher: Callable[[FarEndEvent], None]) -> None:
        """Call `watcher(event)` for every event from now on."""
        self._watchers.append(watcher)

    def _emit(self, kind: str, detail: str = "") -> None:
        event = FarEndEvent(self.port, kind, detail, self.clock.monotonic())
        self.events.append(event)
        for watcher in self._watchers:
            watcher(event)

    def _require(self, allowed: bool, problem: str) -> None:
        if not allowed:
            raise FarEndError(f"{self.port} {problem}")

    # The audio tick

    def _tick(self) -> None:
        self.clock.call_later(_FRAME_S, self._tick)
        pcm_format = self._pcm.pcm_format
        if pcm_format is None:  # the chip's PCM is not set up: nothing on the bus
            return
        size = FRAME_SAMPLES * pcm_format.bytes_per_sample
        downlink = companding.decode(self._pcm.to_line[:size], pcm_format)
        del self._pcm.to_line[:size]
        if not self._pcm.active:  # sent ahead, but the line stopped passing audio (ringing)
            downlink = downlink[:0]
        self._hear(downlink, self.clock.monotonic())
        frame = self.voice.read()
        if not (self._talking() and self._pcm.active):
            return
        if frame is None:
            self._pcm.from_line.extend(companding.silence(FRAME_SAMPLES, pcm_format))
        else:
            self._pcm.from_line.extend(companding.encode(frame, pcm_format))
        excess = len(self._pcm.from_line) - round(self.backlog_ms / FRAME_MS) * size
        if excess > 0:
            del self._pcm.from_line[:excess]

    @staticmethod
    def _whole_frame(samples: np.ndarray) -> np.ndarray:
        """A frame padded with silence: a host that sent less left the line quiet."""
        if len(samples) >= FRAME_SAMPLES:
            return samples
        return np.concatenate((samples, np.zeros(FRAME_SAMPLES - len(samples), np.int16)))

    def _hear(self, samples: np.ndarray, end_s: float) -> None:
        """A frame the host sent (possibly short or empty), ending at `end_s`."""

    def _talking(self) -> bool:
        """Whether this end puts audio on the line now."""
        return False

    def _line_moved(self) -> None:
        """The chip's line side changed (feed, ringing, polarity, hook)."""
