"""Steady-tone recognition: a continuous tone (dial tone) present for long enough."""

from board.dsp.level import power_of_dbm0
from board.dsp.pcm import SAMPLE_RATE_HZ, Frame, to_samples
from board.dsp.tone_bank import ToneBank
from board.dsp.tones import Tone
from board.dsp.window_stream import WindowStream

_BLOCK_SAMPLES = 160  # 20 ms: resolves 350 from 440 Hz well enough for presence
_BLOCK_MS = _BLOCK_SAMPLES * 1000 / SAMPLE_RATE_HZ


class SteadyToneDetector:
    """Says when `tone`'s frequencies have sounded without a break for `min_ms`.

    A block counts when each frequency reaches `min_level_dbm0` and together they
    carry `min_tone_fraction` of the block's power, so speech and other tones do
    not; any block that does not count starts the wait again.
    """

    def __init__(
        self,
        tone: Tone,
        *,
        min_ms: float = 300.0,
        min_level_dbm0: float = -40.0,
        min_tone_fraction: float = 0.6,
    ) -> None:
        self._bank = ToneBank(tone.freqs_hz, _BLOCK_SAMPLES)
        self._stream = WindowStream(_BLOCK_SAMPLES, _BLOCK_SAMPLES)
        self._min_blocks = max(1, round(min_ms / _BLOCK_MS))
        self._min_power = power_of_dbm0(min_level_dbm0)
        self._min_fraction = min_tone_fraction
        self._run = 0

    def feed(self, frame: Frame) -> bool:
        """True once the tone has lasted `min_ms` (and for as long as it goes on)."""
        blocks, _ = self._stream.push(to_samples(frame))
        for present in self._bank.presence(blocks, self._min_power, self._min_fraction):
            self._run = self._run + 1 if present else 0
        return self._run >= self._min_blocks
