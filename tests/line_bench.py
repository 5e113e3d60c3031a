"""The bench channel of a daemon on the emulated board, for tests that are not coroutines.

The daemon names its bench's pty in `status`; `board.emu.bench_client.BenchClient` talks to
it on an event loop of its own, in a thread, so a test can drive the far ends and the
pjsua2 test phones side by side.
"""

import asyncio
import threading
import time

from board.emu.bench_client import BenchClient
from tests.harness import Daemon


class LineBench:
    """Commands to the far ends of one daemon's emulated board (docs/bench-protocol.md)."""

    def __init__(self, daemon: Daemon) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._client = self._await(BenchClient.open(daemon.status()["bench"]))

    def _await(self, work):
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    def command(self, line: str) -> dict[str, str]:
        """Send `line`; the reply's fields (BenchError for an error reply)."""
        return self._await(self._client.request(line))

    def events(self, kind: str, side: str, number: int) -> list:
        """The bench's events of `kind` from one port so far."""
        return self._await(self._events(kind, side, number))

    async def _events(self, kind: str, side: str, number: int) -> list:
        return self._client.events_of(kind, side, number)

    def wait_until(self, line: str, predicate, timeout_s: float, what: str) -> dict[str, str]:
        """Ask `line` until its reply's fields satisfy `predicate`; fail naming `what`."""
        deadline = time.monotonic() + timeout_s
        while True:
            fields = self.command(line)
            if predicate(fields):
                return fields
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; last {line!r}: {fields}")
            time.sleep(0.05)

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._client.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()


def hears(*freqs_hz: int, tone: str | None = None):
    """A predicate on `hear` replies: these frequencies are sounding (within 10 Hz, as the
    phone's ear tells tones apart) and `tone` is named."""

    def check(fields: dict[str, str]) -> bool:
        sounding = [int(f) for f in fields.get("freqs", "").split("+") if f.isdigit()]
        found = all(any(abs(f - s) <= 10 for s in sounding) for f in freqs_hz)
        return found and (tone is None or fields.get("tone") == tone)

    return check
