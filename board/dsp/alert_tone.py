"""The dual-tone alert signal before caller ID (ETSI DT-AS, BT TAS): 2130 + 2750 Hz."""

import numpy as np

from board.dsp.level import power_of_dbm0
from board.dsp.pcm import SAMPLE_RATE_HZ, Frame, samples_of_ms, to_pcm, to_samples
from board.dsp.tone_bank import ToneBank
from board.dsp.tones import sine_mix
from board.dsp.window_stream import WindowStream

ALERT_HZ = (2130.0, 2750.0)

# 5 ms windows every 2.5 ms: wide filters (200 Hz) take the +/-1.1 % tolerance of
# BT SIN227 in their stride, and the tones are 620 Hz apart.
_WINDOW_SAMPLES = 40
_HOP_SAMPLES = 20


def alert_signal(duration_ms: float = 100.0, level_dbm0: float = -15.0) -> np.ndarray:
    """The alert tone as int16 PCM (BT sends 88-110 ms)."""
    return to_pcm(sine_mix(ALERT_HZ, level_dbm0, samples_of_ms(duration_ms)))


class AlertToneDetector:
    """Reports each alert tone once it has lasted `min_duration_ms` (BT: detect from 20 ms).

    A window counts when both tones reach `min_level_dbm0` and carry most of its power.
    """

    def __init__(
        self,
        *,
        min_level_dbm0: float = -40.0,
        min_duration_ms: float = 20.0,
        min_tone_fraction: float = 0.7,
    ) -> None:
        self.min_power = power_of_dbm0(min_level_dbm0)
        self.min_tone_fraction = min_tone_fraction
        span = samples_of_ms(min_duration_ms) - _WINDOW_SAMPLES
        self.hits_needed = max(1, span // _HOP_SAMPLES + 1)
        self._bank = ToneBank(ALERT_HZ, _WINDOW_SAMPLES)
        self._stream = WindowStream(_WINDOW_SAMPLES, _HOP_SAMPLES)
        self._run = 0
        self._run_start = 0

    def feed(self, frame: Frame) -> list[float]:
        """Start times (ms since the first sample) of alerts recognised in this frame."""
        windows, first_start = self._stream.push(to_samples(frame))
        if not len(windows):
            return []
        present = self._bank.presence(windows, self.min_power, self.min_tone_fraction)
        found = []
        for index, hit in enumerate(present):
            if not hit:
                self._run = 0
                continue
            if self._run == 0:
                self._run_start = first_start + index * _HOP_SAMPLES
            self._run += 1
            if self._run == self.hits_needed:
                found.append(self._run_start * 1000 / SAMPLE_RATE_HZ)
        return found
