"""Keys callers press in menus, kept per call leg so none is lost between prompts."""

import asyncio
import contextlib
from collections import deque
from collections.abc import Iterator

from pbx.bus import EventBus
from pbx.calls import Leg, wait_any
from pbx.events import DtmfReceived
from pbx.sip import LegGone

_MAX_BUFFERED = 32  # a caller hammering keys cannot grow memory


class Keys:
    """The keys pressed on one leg, oldest first. Loop thread only."""

    def __init__(self, leg: Leg) -> None:
        self._leg = leg
        self._digits: deque[str] = deque(maxlen=_MAX_BUFFERED)
        self.pressed = asyncio.Event()  # set while a key waits to be read
        self.users = 0

    def push(self, digit: str) -> None:
        self._digits.append(digit)
        self.pressed.set()

    def take(self) -> str | None:
        """The oldest key not yet read, or None."""
        if not self._digits:
            return None
        digit = self._digits.popleft()
        if not self._digits:
            self.pressed.clear()
        return digit

    def clear(self) -> None:
        """Forget keys pressed so far (typed ahead of a question they do not answer)."""
        self._digits.clear()
        self.pressed.clear()

    async def next(self, timeout_s: float) -> str | None:
        """The next key, waiting up to `timeout_s` for one; None if none came.
        LegGone once the caller has hung up."""
        await wait_any(self.pressed, self._leg.ended, timeout_s=timeout_s)
        if self._leg.ended.is_set():
            raise LegGone(self._leg.leg_id)
        return self.take()


class Keypad:
    """Collects the DTMF keys of legs some menu is listening to.

    Keys are buffered from the moment a menu starts listening on a leg until the
    last menu on it lets go, so a key pressed while the box moves from one prompt
    or menu to the next still counts (type-ahead), as callers expect.
    """

    def __init__(self, bus: EventBus) -> None:
        self._legs: dict[int, Keys] = {}
        bus.subscribe(DtmfReceived, self._handle_dtmf)

    @contextlib.contextmanager
    def listening(self, leg: Leg) -> Iterator[Keys]:
        """The keys of `leg` while the block runs (blocks may nest, sharing them)."""
        keys = self._legs.get(leg.leg_id)
        if keys is None:
            keys = self._legs[leg.leg_id] = Keys(leg)
        keys.users += 1
        try:
            yield keys
        finally:
            keys.users -= 1
            if not keys.users:
                self._legs.pop(leg.leg_id, None)

    def _handle_dtmf(self, event: DtmfReceived) -> None:
        if keys := self._legs.get(event.leg_id):
            keys.push(event.digit)
