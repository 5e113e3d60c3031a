"""Si3215 ringing oscillator coding: frequency and amplitude to RCO/RNGX words and back.

The oscillator runs at 1 kHz (Si3210/Si3230 datasheets §2.4.2, hardware.md §2.3):
RCO = cos(2 pi f / 1000 Hz) * 2^15 and RNGX = 1/4 * sqrt((1 - c) / (1 + c)) * (Vpk / 96 V) * 2^15.
"""

import math

from board.chips.si3215_registers import RING_FULL_SCALE_V, RING_OSCILLATOR_RATE_HZ

_FULL_SCALE = 1 << 15


def frequency_word(frequency_hz: float) -> int:
    """RCO for a ring frequency."""
    return round(math.cos(2 * math.pi * frequency_hz / RING_OSCILLATOR_RATE_HZ) * _FULL_SCALE)


def amplitude_word(amplitude_vpk: float, frequency_hz: float) -> int:
    """RNGX for a peak ringing voltage at a ring frequency."""
    return round(_amplitude_gain(frequency_word(frequency_hz)) * amplitude_vpk)


def frequency_hz(rco: int) -> float:
    """The ring frequency an RCO word makes."""
    cosine = max(-1.0, min(1.0, rco / _FULL_SCALE))
    return math.acos(cosine) * RING_OSCILLATOR_RATE_HZ / (2 * math.pi)


def amplitude_vpk(rngx: int, rco: int) -> float:
    """The peak ringing voltage an RNGX word makes at the frequency of `rco`."""
    gain = _amplitude_gain(rco)
    return rngx / gain if gain else 0.0


def _amplitude_gain(rco: int) -> float:
    """RNGX per volt at this RCO."""
    c = rco / _FULL_SCALE
    if c >= 1.0:
        return 0.0
    return 0.25 * math.sqrt((1 - c) / (1 + c)) * _FULL_SCALE / RING_FULL_SCALE_V
