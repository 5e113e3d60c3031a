"""Loop clock: the HAL clock on the asyncio event loop the daemon runs."""

import asyncio
from collections.abc import Callable


class LoopClock:
    """A `board.hal.Clock` on an asyncio loop: its time, its timers, its sleeps."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop

    def monotonic(self) -> float:
        return self._loop.time()

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        return self._loop.call_later(delay_s, callback)

    async def sleep(self, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
