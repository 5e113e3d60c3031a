"""Signal levels in dBm0: the one place the convention is stated.

0 dBm0 is a sine of peak amplitude 32767 * 10^(-3.14/20) (about 22 826) in 16-bit linear
PCM: the G.711 digital milliwatt, so a full-scale sine is +3.14 dBm0. A level here is always
the power of one sine; a dual tone at -10 dBm0 has each of its two frequencies at -10 dBm0.
Power means the mean square of the samples, in 16-bit units.
"""

import math

FULL_SCALE = 32767
ZERO_DBM0_PEAK = FULL_SCALE * 10 ** (-3.14 / 20)
ZERO_DBM0_POWER = ZERO_DBM0_PEAK**2 / 2


def peak_of_dbm0(level_dbm0: float) -> float:
    """Peak amplitude of a sine at `level_dbm0`."""
    return ZERO_DBM0_PEAK * 10 ** (level_dbm0 / 20)


def power_of_dbm0(level_dbm0: float) -> float:
    """Mean-square power of a sine (or of noise) at `level_dbm0`."""
    return ZERO_DBM0_POWER * 10 ** (level_dbm0 / 10)


def dbm0_of_power(power: float) -> float:
    """Level in dBm0 of a mean-square power; silence gives -inf."""
    return 10 * math.log10(power / ZERO_DBM0_POWER) if power > 0 else -math.inf
