"""Background work: futures a part starts without awaiting them at once."""

import asyncio
import logging
from collections.abc import Coroutine

logger = logging.getLogger(__name__)


class BackgroundWork:
    """Keeps started futures alive until they finish, logs the ones that fail, and lets
    their owner wait for all of them (at shutdown). Loop thread only."""

    def __init__(self, what: str) -> None:
        self._what = what  # names the work in the log: "recording work", "queue event"
        self._futures: set[asyncio.Future] = set()

    def track(self, future: asyncio.Future) -> asyncio.Future:
        """Watch a future someone else started."""
        self._futures.add(future)
        future.add_done_callback(self._done)
        return future

    def spawn(self, work: Coroutine) -> asyncio.Task:
        """Run `work` as a task and watch it."""
        task = asyncio.ensure_future(work)
        self.track(task)
        return task

    async def settle(self) -> None:
        """Return once everything started, including work started meanwhile, has finished."""
        while self._futures:
            await asyncio.gather(*list(self._futures), return_exceptions=True)

    def _done(self, future: asyncio.Future) -> None:
        self._futures.discard(future)
        if not future.cancelled() and (error := future.exception()) is not None:
            logger.error("%s failed: %r", self._what, error, exc_info=error)
