"""Players on their way out: taken off their listeners at once, freed a second later.

pjmedia reports a file's end on its event thread, after the bridge has read the last
frame, and the bridge lets go of a port only at its next tick. A player freed as soon
as it is stopped (a caller hung up in the middle of an announcement, a prompt was cut
short) could be read once more, reach its end, and have that end reported to an
object already freed: a crash of the whole engine on pjmedia's event thread. Taken off
its listeners first, a player is no longer read from the next tick on, and kept a
second longer, it is still there for a report already on its way.
"""

import contextlib
import time
from collections import deque
from collections.abc import Callable, Iterable

import pjsua2 as pj

RETIRE_S = 1.0  # far above a bridge tick (20 ms) and the event thread's delay


class RetiredPlayers:
    """Holds stopped players until they are safe to free. SIP thread only."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._due: deque[tuple[float, pj.AudioMediaPlayer]] = deque()

    def add(self, player: "pj.AudioMediaPlayer", sinks: Iterable["pj.AudioMedia"]) -> None:
        """Stop `player` sending to `sinks` now; free it RETIRE_S later."""
        for sink in sinks:
            with contextlib.suppress(pj.Error):  # the sink's audio may be gone already
                player.stopTransmit(sink)
        self._due.append((self._clock() + RETIRE_S, player))

    def free_due(self) -> None:
        """Free the players whose time has come (the last reference is dropped here)."""
        now = self._clock()
        while self._due and self._due[0][0] <= now:
            self._due.popleft()

    def clear(self) -> None:
        """Free them all: the library is being shut down, the bridge is stopping."""
        self._due.clear()
