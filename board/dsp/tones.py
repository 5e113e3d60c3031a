"""Tones as data (frequencies, level, cadence) and a generator that renders them to frames."""

from dataclasses import dataclass

import numpy as np

from board.dsp.level import peak_of_dbm0
from board.dsp.pcm import FRAME_SAMPLES, SAMPLE_RATE_HZ, samples_of_ms, to_pcm


@dataclass(frozen=True)
class Tone:
    """A call-progress tone.

    `cadence_ms` alternates on and off times starting with on (e.g. (500, 500) for a
    US busy tone, (400, 200, 400, 2000) for a UK ringback); empty means continuous.
    `level_dbm0` is the level of each frequency. `verified` is false for values that
    are a documented fallback rather than taken from a source (see countries.toml).
    """

    freqs_hz: tuple[float, ...]
    cadence_ms: tuple[int, ...] = ()
    level_dbm0: float = -13.0
    verified: bool = True

    @property
    def period_ms(self) -> int:
        """Length of one cadence cycle; 0 for a continuous tone."""
        return sum(self.cadence_ms)


def sine_mix(
    freqs_hz: tuple[float, ...] | list[float],
    levels_dbm0: float | tuple[float, ...] | list[float],
    sample_count: int,
    start_sample: int = 0,
) -> np.ndarray:
    """Sum of sines (float samples), from stream index `start_sample` so chunks join up."""
    levels = np.broadcast_to(np.asarray(levels_dbm0, dtype=np.float64), (len(freqs_hz),))
    n = np.arange(start_sample, start_sample + sample_count)
    out = np.zeros(sample_count)
    for freq_hz, level_dbm0 in zip(freqs_hz, levels, strict=True):
        out += peak_of_dbm0(level_dbm0) * np.sin(2 * np.pi * freq_hz * n / SAMPLE_RATE_HZ)
    return out


def _cadence_mask(cadence_ms: tuple[int, ...], start_sample: int, sample_count: int) -> np.ndarray:
    """True where a cadenced tone is on, for stream indices start..start+count."""
    if not cadence_ms:
        return np.ones(sample_count, dtype=bool)
    bounds = np.cumsum([samples_of_ms(ms) for ms in cadence_ms])
    position = np.arange(start_sample, start_sample + sample_count) % bounds[-1]
    element = np.searchsorted(bounds, position, side="right")
    return element % 2 == 0


class ToneGenerator:
    """Renders a tone frame after frame, keeping phase and cadence across frames."""

    def __init__(self, tone: Tone) -> None:
        self.tone = tone
        self._sample = 0

    def read(self, sample_count: int = FRAME_SAMPLES) -> np.ndarray:
        """The next `sample_count` samples as int16 PCM."""
        return self.read_gated(sample_count)[0]

    def read_gated(self, sample_count: int = FRAME_SAMPLES) -> tuple[np.ndarray, np.ndarray]:
        """The next `sample_count` samples as int16 PCM, and where the cadence has the
        tone on (a bool per sample), for a tone that takes turns with other audio."""
        on = _cadence_mask(self.tone.cadence_ms, self._sample, sample_count)
        samples = sine_mix(self.tone.freqs_hz, self.tone.level_dbm0, sample_count, self._sample)
        samples *= on
        self._sample += sample_count
        return to_pcm(samples), on


def render(tone: Tone, duration_ms: float) -> np.ndarray:
    """`duration_ms` of `tone` from the start of its cadence, as int16 PCM."""
    return ToneGenerator(tone).read(samples_of_ms(duration_ms))
