"""What a far end sends down its line: queued sounds over a steady tone, plus line noise."""

from collections import deque
from collections.abc import Callable

import numpy as np

from board.dsp.level import power_of_dbm0
from board.dsp.pcm import FRAME_SAMPLES, samples_of_ms, to_pcm
from board.dsp.tones import Tone, ToneGenerator


class Voice:
    """A far end's mouth, read a frame at a time on its 20 ms audio tick.

    Queued sounds (DTMF digits, a caller-ID spill, an alert tone, a pause) play once,
    in order, each calling its `on_done` when its last sample has gone out. While the
    queue is empty a steady tone plays (dial tone, busy tone, a test tone), keeping its
    cadence across frames. Line noise, when set, is added to everything. Sample timing
    inside the stream is exact; callbacks come on the frame that finished the sound.
    """

    def __init__(self, seed: int = 0):
        self._queue: deque[tuple[np.ndarray, Callable[[], None] | None]] = deque()
        self._position = 0  # samples of the head of the queue already sent
        self._steady: ToneGenerator | None = None
        self._noise_rms: float | None = None
        self._random = np.random.default_rng(seed)

    def say(self, samples: np.ndarray, on_done: Callable[[], None] | None = None) -> None:
        """Queue `samples` (int16) to play once after what is queued already."""
        self._queue.append((np.asarray(samples, dtype=np.int16), on_done))

    def pause(self, milliseconds: float, on_done: Callable[[], None] | None = None) -> None:
        """Queue silence: a timed gap between queued sounds."""
        self.say(np.zeros(samples_of_ms(milliseconds), dtype=np.int16), on_done)

    def hold(self, tone: Tone | None) -> None:
        """Play `tone` whenever nothing is queued, until told otherwise; None for silence."""
        self._steady = ToneGenerator(tone) if tone is not None else None

    def hush(self) -> None:
        """Stop everything queued (without calling back) and the steady tone."""
        self._queue.clear()
        self._position = 0
        self._steady = None

    def set_noise(self, level_dbm0: float | None) -> None:
        """Add white noise at `level_dbm0` to everything sent; None takes it away."""
        self._noise_rms = None if level_dbm0 is None else power_of_dbm0(level_dbm0) ** 0.5

    def read(self, sample_count: int = FRAME_SAMPLES) -> np.ndarray | None:
        """The next `sample_count` samples as int16, or None when the far end is silent."""
        if not self._queue and self._steady is None and self._noise_rms is None:
            return None
        frame = np.zeros(sample_count)
        filled = self._read_queue(frame)
        if filled < sample_count and self._steady is not None:
            frame[filled:] = self._steady.read(sample_count - filled)
        if self._noise_rms is not None:
            frame += self._random.normal(0.0, self._noise_rms, sample_count)
        return to_pcm(frame)

    def _read_queue(self, frame: np.ndarray) -> int:
        """Copy queued sounds into `frame`; returns how many samples they filled.

        A finished sound's callback runs at once and may queue the next step of a
        sequence, which then follows in the same frame without a gap.
        """
        filled = 0
        while self._queue and filled < len(frame):
            sound, on_done = self._queue[0]
            take = min(len(frame) - filled, len(sound) - self._position)
            frame[filled : filled + take] = sound[self._position : self._position + take]
            filled += take
            self._position += take
            if self._position >= len(sound):
                self._queue.popleft()
                self._position = 0
                if on_done is not None:
                    on_done()
        return filled
