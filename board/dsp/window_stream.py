"""Analysis windows cut from a sample stream that arrives in chunks of any size."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


class WindowStream:
    """Yields windows of `window_samples`, one every `hop_samples`, across pushes.

    Samples that do not complete a window yet are kept for the next push, so a
    detector behaves the same whether it is fed 1 sample or 10 s at a time.
    """

    def __init__(self, window_samples: int, hop_samples: int) -> None:
        self.window_samples = window_samples
        self.hop_samples = hop_samples
        self._pending = np.zeros(0)
        self._pending_start = 0  # stream index of _pending[0]

    def push(self, samples: np.ndarray) -> tuple[np.ndarray, int]:
        """The complete windows (one per row) and the stream index of the first one's start."""
        buffer = np.concatenate((self._pending, samples)) if len(self._pending) else samples
        count = (len(buffer) - self.window_samples) // self.hop_samples + 1
        first = self._pending_start
        if count <= 0:
            self._pending = buffer
            return np.zeros((0, self.window_samples)), first
        windows = sliding_window_view(buffer, self.window_samples)[:: self.hop_samples][:count]
        consumed = count * self.hop_samples
        self._pending = buffer[consumed:].copy()
        self._pending_start += consumed
        return windows, first
