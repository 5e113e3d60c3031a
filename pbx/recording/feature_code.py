"""The on-demand recording code: recognised digit by digit as a party keys it during a call."""

import time
from collections.abc import Callable

DIGIT_GAP_S = 3.0  # longer between two keys and the code starts over


class FeatureCode:
    """Watches each leg's digits for one code, e.g. "*1".

    Digits still cross to the other side as they are keyed: the box does not
    hold them back, so a code is also heard as events there (the recording
    never holds them: RFC 4733 events and INFO do not pass the mixer).
    """

    def __init__(
        self, code: str, gap_s: float = DIGIT_GAP_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.code = code
        self._gap_s = gap_s
        self._clock = clock
        self._keyed: dict[int, tuple[str, float]] = {}  # leg -> (recent digits, when)

    def feed(self, leg_id: int, digit: str) -> bool:
        """Take a digit keyed on a leg; True when it completes the code."""
        now = self._clock()
        recent, last = self._keyed.get(leg_id, ("", now))
        if now - last > self._gap_s:
            recent = ""
        recent = (recent + digit)[-len(self.code) :]
        if recent == self.code:
            self._keyed.pop(leg_id, None)
            return True
        self._keyed[leg_id] = (recent, now)
        return False

    def forget(self, leg_id: int) -> None:
        """Drop what a leg keyed (it has gone)."""
        self._keyed.pop(leg_id, None)
