"""DFT of analysis windows at a few chosen frequencies: a bank of Goertzel filters.

The filters run as one matrix product over all the windows of a chunk, which numpy does
in C: that is what lets one core carry hundreds of channels.
"""

import numpy as np

from board.dsp.pcm import SAMPLE_RATE_HZ


class ToneBank:
    """Complex amplitude of each window at each frequency.

    The window is rectangular unless `taper` is true (Hann): the rectangle tells
    how much of a window a tone fills; the Hann window keeps one tone out of the
    other's filter, for measuring levels and frequencies.
    """

    def __init__(
        self, freqs_hz: list[float] | np.ndarray, window_samples: int, *, taper: bool = False
    ) -> None:
        self.freqs_hz = np.asarray(freqs_hz, dtype=np.float64)
        self.window_samples = window_samples
        weights = np.hanning(window_samples + 2)[1:-1] if taper else np.ones(window_samples)
        self._gain = weights.sum()
        phase = 2 * np.pi * np.outer(np.arange(window_samples), self.freqs_hz) / SAMPLE_RATE_HZ
        # Real basis (cos | sin) so the product stays real: complex input would
        # double the work for nothing.
        self._basis = weights[:, None] * np.hstack((np.cos(phase), -np.sin(phase)))

    def measure(self, windows: np.ndarray) -> np.ndarray:
        """Complex DFT values, shape (windows, frequencies)."""
        product = windows @ self._basis
        count = len(self.freqs_hz)
        return product[:, :count] + 1j * product[:, count:]

    def sine_power(self, values: np.ndarray) -> np.ndarray:
        """Mean-square power of the sine each DFT value stands for (A^2/2 for amplitude A)."""
        return 2 * np.abs(values) ** 2 / self._gain**2

    def presence(self, windows: np.ndarray, min_power: float, min_fraction: float) -> np.ndarray:
        """True for each window where every frequency has at least `min_power` and
        together they carry `min_fraction` of the window's power (a tone, not speech).
        """
        power = self.sine_power(self.measure(windows))
        loud = np.all(power >= min_power, axis=1)
        return loud & (power.sum(axis=1) >= min_fraction * window_power(windows))


def window_power(windows: np.ndarray) -> np.ndarray:
    """Mean-square power of each window."""
    return np.einsum("ij,ij->i", windows, windows) / windows.shape[1]
