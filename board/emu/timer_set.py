"""Timers by name on a HAL clock: what the chip and far-end models schedule and cancel."""

from collections.abc import Callable

from board.hal import Clock, TimerHandle


class TimerSet:
    """At most one pending timer per key; scheduling a key again replaces its timer.

    A model keys its timers by what they stand for ("loop", "ring", "pulse"), so a
    change of state cancels exactly what it makes stale, and a reset cancels them all.
    """

    def __init__(self, clock: Clock):
        self._clock = clock
        self._timers: dict[str, TimerHandle] = {}

    def schedule(self, key: str, delay_s: float, callback: Callable[[], None]) -> None:
        """Run `callback()` in `delay_s`, replacing any timer pending under `key`."""
        self.cancel(key)

        def fire() -> None:
            self._timers.pop(key, None)
            callback()

        self._timers[key] = self._clock.call_later(delay_s, fire)

    def cancel(self, key: str) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()

    def cancel_all(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    def __contains__(self, key: str) -> bool:
        return key in self._timers
