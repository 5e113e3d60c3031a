"""Manual clock: time that moves only when a test (or the emulator's runner) advances it."""

import asyncio
import heapq
import itertools
from collections.abc import Callable


class ManualTimer:
    """A callback waiting on a `ManualClock`."""

    def __init__(self, due_s: float, callback: Callable[[], None]):
        self.due_s = due_s
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """A `board.hal.Clock` whose time only moves through `advance` (and `sleep`).

    Timers run in due order, each at its own time, so a 2 s ring cadence advanced
    by 6 s toggles exactly as the chip would. `sleep` advances time itself: a driver
    waiting for a chip to calibrate moves the emulated chip's time along with it.
    """

    def __init__(self, start_s: float = 0.0):
        self._now_s = start_s
        self._timers: list[tuple[float, int, ManualTimer]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self._now_s

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> ManualTimer:
        timer = ManualTimer(self._now_s + max(0.0, delay_s), callback)
        heapq.heappush(self._timers, (timer.due_s, next(self._order), timer))
        return timer

    async def sleep(self, delay_s: float) -> None:
        self.advance(delay_s)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        """Move time on by `seconds`, running every timer that falls due on the way."""
        end_s = self._now_s + seconds
        while self._timers and self._timers[0][0] <= end_s:
            due_s, _, timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            self._now_s = max(self._now_s, due_s)
            timer.callback()
        self._now_s = max(self._now_s, end_s)

    def advance_ms(self, milliseconds: float) -> None:
        """`advance` in milliseconds, as telephony timings are written."""
        self.advance(milliseconds / 1000)
