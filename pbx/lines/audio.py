"""A line's audio: 20 ms frames between its PCM timeslot, its detectors and the bridge."""

import logging
from collections import deque
from collections.abc import Callable

import numpy as np

from board.dsp import g711
from board.dsp.dtmf import DtmfGenerator
from board.dsp.pcm import FRAME_SAMPLES
from board.dsp.tones import Tone, ToneGenerator
from board.hal import Clock, PcmBus, TimerHandle
from pbx.sip import FrameQueues

logger = logging.getLogger(__name__)

FRAME_S = 0.020
_SILENCE = np.zeros(FRAME_SAMPLES, dtype=np.int16)
DTMF_OUT = DtmfGenerator(on_ms=80.0, off_ms=80.0)  # digits the lines send: slow and sure
_MAX_LATE_FRAMES = 5  # a loop this far behind starts afresh rather than catch up

Listener = Callable[[np.ndarray], None]


class LineAudio:
    """What one line hears and says, a frame at a time, on the event loop.

    Each frame read from the line goes to the listeners (detectors) and, while
    bridged, to the conference port of one leg (`bridge`). Each frame written to the
    line is, first to last: samples queued with `play` (caller ID, DTMF), the local
    `tone` (dial tone, ringback, busy ...), that leg's audio from the bridge, silence;
    an `overlay` tone (call waiting) takes the place of those while it sounds, so
    its bursts are heard clearly, and lets them through in its silences.
    A line with two calls bridges one at a time, so the other hears nothing of it.
    """

    def __init__(self, pcm: PcmBus, timeslot: int) -> None:
        self._pcm = pcm
        self._timeslot = timeslot
        self._queues: FrameQueues | None = None  # the bridged leg's
        self._tone: ToneGenerator | None = None
        self._overlay: ToneGenerator | None = None
        self._playing: deque[np.ndarray] = deque()
        self._listeners: list[Listener] = []

    @property
    def tone(self) -> Tone | None:
        """The tone the line hears now (None: none)."""
        return self._tone.tone if self._tone else None

    def set_tone(self, tone: Tone | None) -> None:
        """Play `tone` to the line from its start until changed (None: stop)."""
        if tone != self.tone:
            self._tone = ToneGenerator(tone) if tone else None

    @property
    def overlay(self) -> Tone | None:
        """The tone heard over what the line hears now (None: none)."""
        return self._overlay.tone if self._overlay else None

    def set_overlay(self, tone: Tone | None) -> None:
        """Play `tone` in the place of the line's tone or call audio while it sounds,
        from its start (None: stop)."""
        if tone != self.overlay:
            self._overlay = ToneGenerator(tone) if tone else None

    def play(self, samples: np.ndarray) -> None:
        """Play `samples` (int16) to the line once, ahead of the tone and the bridge."""
        self._playing.extend(
            samples[i : i + FRAME_SAMPLES] for i in range(0, len(samples), FRAME_SAMPLES)
        )

    def stop_playing(self) -> None:
        self._playing.clear()

    @property
    def playing(self) -> bool:
        """Samples queued with `play` are still going out."""
        return bool(self._playing)

    @property
    def bridged(self) -> bool:
        """Audio goes to and comes from a leg's conference port."""
        return self._queues is not None

    def bridge(self, queues: FrameQueues | None) -> None:
        """Exchange audio with the leg whose conference port has `queues` (None: none).

        Each leg starts afresh: what waited in its queues is dropped.
        """
        if queues is not self._queues:
            if queues is not None:
                queues.clear()
            self._queues = queues

    def listen(self, listener: Listener) -> None:
        """Call `listener(frame)` with every frame the line sends (int16, 160 samples)."""
        self._listeners.append(listener)

    def unlisten(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def tick(self) -> None:
        """Move one frame each way."""
        data = self._pcm.read(self._timeslot, FRAME_SAMPLES)
        saying = self._queues is not None or bool(self._tone or self._overlay or self._playing)
        if not (data or saying):
            return  # a quiet idle line: nothing to hear, nothing to say
        heard = g711.decode(data, self._pcm.pcm_format) if data else _SILENCE
        if len(heard) < FRAME_SAMPLES:
            heard = np.concatenate((heard, _SILENCE[len(heard) :]))
        for listener in list(self._listeners):
            listener(heard)
        if not saying:
            return  # nothing to say: the line hears silence without being sent it
        from_bridge = None
        if self._queues is not None:
            self._queues.send(heard.astype("<i2").tobytes())
            from_bridge = self._queues.receive()
        out = self._next_out(from_bridge)
        self._pcm.write(self._timeslot, g711.encode(out, self._pcm.pcm_format))

    def _next_out(self, from_bridge: bytes | None) -> np.ndarray:
        if self._playing:  # caller ID and DTMF go out alone: nothing may garble them
            chunk = self._playing.popleft()
            return np.concatenate((chunk, _SILENCE[len(chunk) :]))
        if self._tone is not None:
            out = self._tone.read(FRAME_SAMPLES)
        elif from_bridge is not None:
            out = np.frombuffer(from_bridge, dtype="<i2")
        else:
            out = _SILENCE
        if self._overlay is None:
            return out
        tone, on = self._overlay.read_gated(FRAME_SAMPLES)
        return np.where(on, tone, out)


class AudioPump:
    """Ticks every line's audio each 20 ms of the board's clock, without drifting."""

    def __init__(self, clock: Clock, lines: list[LineAudio]) -> None:
        self._clock = clock
        self._lines = lines
        self._timer: TimerHandle | None = None
        self._due_s = 0.0

    def start(self) -> None:
        self._due_s = self._clock.monotonic() + FRAME_S
        self._timer = self._clock.call_later(FRAME_S, self._tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> None:
        for line in self._lines:
            try:
                line.tick()
            except Exception:  # dispatch boundary: one line's fault must not silence the rest
                logger.exception("line audio failed")
        now_s = self._clock.monotonic()
        self._due_s += FRAME_S
        if now_s - self._due_s > _MAX_LATE_FRAMES * FRAME_S:
            self._due_s = now_s + FRAME_S
        self._timer = self._clock.call_later(max(0.0, self._due_s - now_s), self._tick)
