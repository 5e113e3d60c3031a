"""DTMF (Q.23 digits, Q.24 receiver limits): a generator and a streaming detector."""

from dataclasses import dataclass

import numpy as np

from board.dsp.level import power_of_dbm0
from board.dsp.pcm import SAMPLE_RATE_HZ, Frame, samples_of_ms, to_pcm, to_samples
from board.dsp.tone_bank import ToneBank, window_power
from board.dsp.tones import sine_mix
from board.dsp.window_stream import WindowStream

ROW_HZ = (697.0, 770.0, 852.0, 941.0)
COLUMN_HZ = (1209.0, 1336.0, 1477.0, 1633.0)
KEYPAD = ("123A", "456B", "789C", "*0#D")

# 20 ms windows every 5 ms. A 20 ms window resolves 697 from 770 Hz; the 5 ms hop
# measures duration and frequency: see DtmfDetector.
_WINDOW_SAMPLES = 160
_HOP_SAMPLES = 40


def digit_freqs_hz(digit: str) -> tuple[float, float]:
    """(low, high) frequencies of a DTMF digit."""
    for row, keys in enumerate(KEYPAD):
        if digit.upper() in keys:
            return ROW_HZ[row], COLUMN_HZ[keys.index(digit.upper())]
    raise ValueError(f"not a DTMF digit: {digit!r}")


@dataclass(frozen=True)
class DtmfDigit:
    """A digit heard, with the time its tone started (ms since the detector's first sample)."""

    digit: str
    start_ms: float


@dataclass
class DtmfGenerator:
    """Renders digit strings as DTMF; defaults as spandsp: -10 dBm0, 50 ms on, 55 ms off.

    `twist_db` raises the high group above the low group (negative: below). `freq_scale`
    multiplies both frequencies, for testing receivers off frequency.
    """

    level_dbm0: float = -10.0
    on_ms: float = 50.0
    off_ms: float = 55.0
    twist_db: float = 0.0
    freq_scale: float = 1.0

    def render(self, digits: str) -> np.ndarray:
        """The digits, each followed by its pause, as int16 PCM."""
        pause = np.zeros(samples_of_ms(self.off_ms))
        parts = []
        for digit in digits:
            low_hz, high_hz = digit_freqs_hz(digit)
            parts.append(
                sine_mix(
                    (low_hz * self.freq_scale, high_hz * self.freq_scale),
                    (self.level_dbm0, self.level_dbm0 + self.twist_db),
                    samples_of_ms(self.on_ms),
                )
            )
            parts.append(pause)
        return to_pcm(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int16)


def _hann_loss(bins_off: np.ndarray) -> np.ndarray:
    """Power a Hann-windowed DFT loses on a sine `bins_off` bins from its frequency."""
    return (np.sinc(bins_off) / (1 - bins_off**2)) ** 2


class DtmfDetector:
    """Streaming DTMF receiver; `feed` it frames of any size, it returns digits as they begin.

    Each 20 ms window (every 5 ms) is a hit for a digit when:

    - the strongest row and column tone are each at least `min_level_dbm0`;
    - each is within `freq_tolerance_pct` of its nominal frequency, measured from the
      phase advance between windows (Q.24: accept within 1.5 %, reject beyond 3.5 %;
      a Goertzel's bandwidth alone cannot tell those apart at 697 and 1633 Hz alike);
    - the twist is within limits: normal twist, the low group louder (the line loses
      more of the high group), up to `normal_twist_db`; reverse, the high group louder,
      up to `reverse_twist_db` (Q.24 as Asterisk and spandsp apply it);
    - the two tones carry `min_tone_fraction` of the window's power, and their second
      harmonics are weak (speech is rich in harmonics, DTMF is not): these keep talk-off low.

    A window only passes the power test when the tone fills nearly all of it, so
    `hits_to_begin` consecutive hits need about 30 ms of tone: 40 ms digits are
    accepted and 20 ms bursts rejected. A digit ends after `misses_to_end` windows
    without it (30 ms), so a 50 ms pause separates two presses of one key.
    """

    def __init__(
        self,
        *,
        min_level_dbm0: float = -42.0,
        normal_twist_db: float = 8.0,
        reverse_twist_db: float = 4.0,
        freq_tolerance_pct: float = 2.5,
        min_tone_fraction: float = 0.8,
        hits_to_begin: int = 3,
        misses_to_end: int = 6,
    ) -> None:
        self.min_power = power_of_dbm0(min_level_dbm0)
        self.normal_twist = 10 ** (normal_twist_db / 10)
        self.reverse_twist = 10 ** (reverse_twist_db / 10)
        self.freq_tolerance = freq_tolerance_pct / 100
        self.min_tone_fraction = min_tone_fraction
        self.hits_to_begin = hits_to_begin
        self.misses_to_end = misses_to_end
        fundamentals = np.array(ROW_HZ + COLUMN_HZ)
        self._tapered = ToneBank(fundamentals, _WINDOW_SAMPLES, taper=True)
        self._rect = ToneBank(np.concatenate((fundamentals, 2 * fundamentals)), _WINDOW_SAMPLES)
        self._expected_turn = np.exp(1j * 2 * np.pi * fundamentals * _HOP_SAMPLES / SAMPLE_RATE_HZ)
        self._stream = WindowStream(_WINDOW_SAMPLES, _HOP_SAMPLES)
        self._history = np.zeros((2, 8), dtype=complex)  # the last two windows' fundamentals
        self._candidate: str | None = None
        self._run = 0
        self._run_start = 0
        self._current: str | None = None
        self._misses = 0

    def feed(self, frame: Frame) -> list[DtmfDigit]:
        """Digits that began in the samples fed so far and were not reported yet."""
        windows, first_start = self._stream.push(to_samples(frame))
        if not len(windows):
            return []
        hits = self._hits(windows)
        found = []
        for index, hit in enumerate(hits):
            digit = self._track(hit, first_start + index * _HOP_SAMPLES)
            if digit is not None:
                found.append(digit)
        return found

    def _hits(self, windows: np.ndarray) -> list[str | None]:
        """The digit each window is a hit for, or None."""
        level, filled, harmonic = self._measure(windows)
        picked = np.arange(len(windows))
        rows = np.argmax(level[:, :4], axis=1)
        columns = 4 + np.argmax(level[:, 4:], axis=1)
        row_level, column_level = level[picked, rows], level[picked, columns]
        ok = (row_level >= self.min_power) & (column_level >= self.min_power)
        ok &= row_level <= column_level * self.normal_twist
        ok &= column_level <= row_level * self.reverse_twist
        row_filled, column_filled = filled[picked, rows], filled[picked, columns]
        ok &= row_filled + column_filled >= self.min_tone_fraction * window_power(windows)
        # Second harmonics, with the classic limits (row 4 dB, column 18 dB below):
        # a column tone leaks into the harmonic filters of rows, so the row limit is loose.
        ok &= harmonic[picked, rows] * 10**0.4 <= row_filled
        ok &= harmonic[picked, columns] * 10**1.8 <= column_filled
        keys = zip(rows, columns, ok, strict=True)
        return [KEYPAD[r][c - 4] if hit else None for r, c, hit in keys]

    def _measure(self, windows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per window and fundamental: sine power through the Hann filters (level), and
        through the rectangular ones (how much of the window the tone fills); power at
        the second harmonics. A fundamental further off than the tolerance gets level 0.
        """
        tapered = self._tapered.measure(windows)
        offsets = self._freq_offsets(tapered)
        bins_off = offsets * self._tapered.freqs_hz * _WINDOW_SAMPLES / SAMPLE_RATE_HZ
        # Off-frequency tones lose power in a fixed-frequency filter; the measured
        # offset gives it back, so the power tests are the same at 697 and 1633 Hz.
        bins_off = np.clip(bins_off, -0.6, 0.6)
        in_tolerance = np.abs(offsets) <= self.freq_tolerance
        level = self._tapered.sine_power(tapered) / _hann_loss(bins_off) * in_tolerance
        rect = self._rect.measure(windows)
        filled = self._rect.sine_power(rect[:, :8]) / np.sinc(bins_off) ** 2
        return level, filled, self._rect.sine_power(rect[:, 8:])

    def _freq_offsets(self, fundamentals: np.ndarray) -> np.ndarray:
        """Relative frequency offset of each fundamental, from the phase turn per hop.

        The turns of the last two hops are summed, which averages out the ripple the
        other tone's leakage puts on the phase.
        """
        chain = np.vstack((self._history, fundamentals))
        self._history = chain[-2:].copy()
        turns = chain[1:] * np.conj(chain[:-1]) / self._expected_turn
        pairs = turns[1:] + turns[:-1]
        offset_hz = np.angle(pairs) * SAMPLE_RATE_HZ / (2 * np.pi * _HOP_SAMPLES)
        return offset_hz / self._tapered.freqs_hz

    def _track(self, hit: str | None, window_start: int) -> DtmfDigit | None:
        """Advance the on/off state by one window; a digit when one begins."""
        if hit is not None and hit == self._candidate:
            self._run += 1
        else:
            self._candidate, self._run, self._run_start = hit, 1, window_start
        if hit is not None and hit == self._current:
            self._misses = 0
            return None
        self._misses += 1
        if self._misses >= self.misses_to_end:
            self._current = None
        if hit is None or self._run < self.hits_to_begin or hit == self._current:
            return None
        self._current, self._misses = hit, 0
        return DtmfDigit(hit, self._run_start * 1000 / SAMPLE_RATE_HZ)
