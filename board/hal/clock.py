"""Clock HAL: monotonic time, timers and sleeps, injectable so tests advance time."""

from collections.abc import Callable
from typing import Protocol


class TimerHandle(Protocol):
    """A callback scheduled with `Clock.call_later`."""

    def cancel(self) -> None:
        """Stop the callback from running; harmless once it has run."""
        ...


class Clock(Protocol):
    """Time as drivers see it.

    On the appliance it is the event loop's clock. In tests it is a manual clock that
    only moves when the test advances it, so ring cadences and debounces take no real
    time and behave the same on every run.
    """

    def monotonic(self) -> float:
        """Seconds since an arbitrary start; never goes backwards."""
        ...

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> TimerHandle:
        """Run `callback()` once, `delay_s` seconds from now, on the event loop."""
        ...

    async def sleep(self, delay_s: float) -> None:
        """Wait `delay_s` seconds (used while a chip powers up or calibrates)."""
        ...
