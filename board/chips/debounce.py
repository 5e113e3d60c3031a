"""Debounced signal: a sampled value that changes only after holding its new value long enough."""


class Debounced:
    """A boolean line condition (battery present, polarity reversed) sampled over time.

    `sample` returns True when the settled value changes: the new value must have
    been seen continuously for `hold_s`. A sample of the settled value cancels a
    pending change.
    """

    def __init__(self, value: bool, hold_s: float):
        self.value = value
        self._hold_s = hold_s
        self._candidate_since_s: float | None = None
        self.changed_at_s = 0.0

    def sample(self, value: bool, now_s: float) -> bool:
        if value == self.value:
            self._candidate_since_s = None
            return False
        if self._candidate_since_s is None:
            self._candidate_since_s = now_s
        if now_s - self._candidate_since_s < self._hold_s:
            return False
        self.value = value
        self.changed_at_s = now_s
        self._candidate_since_s = None
        return True
