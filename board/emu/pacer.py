"""Real-time pacing: an emulated board's manual clock moved along with the event loop's."""

import asyncio

from board.emu.clock import ManualClock

TICK_S = 0.005  # timers run at most this late: finer than any debounce the drivers use


class RealTimePacer:
    """Advances a `ManualClock` by the loop's elapsed time every few milliseconds.

    The daemon runs the emulated board this way, so its chips, cadences and the
    lines above them keep real time with SIP and media. Time moved on by other means
    (a bench `wait`, a driver's `sleep` during bring-up) stays moved: the clock only
    ever gains what the loop's clock gained since the last tick.
    """

    def __init__(self, clock: ManualClock, loop: asyncio.AbstractEventLoop) -> None:
        self._clock = clock
        self._loop = loop
        self._last_s = 0.0
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self._last_s = self._loop.time()
        self._handle = self._loop.call_later(TICK_S, self._tick)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _tick(self) -> None:
        now_s = self._loop.time()
        elapsed_s, self._last_s = now_s - self._last_s, now_s
        try:
            self._clock.advance(elapsed_s)
        finally:
            self._handle = self._loop.call_later(TICK_S, self._tick)
