"""Checks that loop-owned state is touched only from the event loop's thread."""

import asyncio
import threading

from pbx import PbxError


class LoopThreadError(PbxError):
    """Loop-owned state was reached from another thread: a threading bug."""


class LoopGuard:
    """Guards objects that belong to one asyncio loop.

    Domain state (calls, queues, lines) has no locks: it is safe only because one
    thread touches it. In debug mode (`daemon.debug`, or asyncio debug) every
    guarded entry point checks the calling thread, so a pjsua2 or hardware
    callback that forgets to hand over through `call_soon_threadsafe` fails
    loudly in tests instead of corrupting state on a customer's box.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._thread_id = threading.get_ident()
        self.enabled = loop.get_debug()

    def check(self, what: str) -> None:
        """Raise LoopThreadError if called off the loop's thread (debug mode only)."""
        if self.enabled and threading.get_ident() != self._thread_id:
            raise LoopThreadError(
                f"{what} ran on thread {threading.current_thread().name!r}, "
                "not the event loop; hand over with call_soon_threadsafe"
            )
