"""The event bus: delivers events to subscribers on the event loop."""

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from pbx.loop_guard import LoopGuard

logger = logging.getLogger(__name__)

Handler = Callable[[Any], None]


class EventBus:
    """Synchronous publish/subscribe on the loop thread.

    Handlers run in subscription order and must not block; one that raises is
    logged and the others still run, so a bug in one feature never stalls calls.
    """

    def __init__(self, guard: LoopGuard) -> None:
        self._guard = guard
        self._handlers: dict[type, list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type, handler: Handler) -> None:
        """Call `handler(event)` for every published event of `event_type`."""
        self._handlers[event_type].append(handler)

    def unsubscribe(self, event_type: type, handler: Handler) -> None:
        """Stop calling `handler` (a live panel that closed); nothing if it never subscribed."""
        if handler in self._handlers[event_type]:
            self._handlers[event_type].remove(handler)

    def publish(self, event: object) -> None:
        """Deliver `event` now. Loop thread only."""
        self._guard.check(f"EventBus.publish({type(event).__name__})")
        for handler in list(self._handlers[type(event)]):
            try:
                handler(event)
            except Exception:
                logger.exception("handler %r failed on %r", handler, event)

    def publish_threadsafe(self, event: object) -> None:
        """Deliver `event` on the loop from any thread (engine, media, hardware)."""
        # Callbacks from pjsua2 and hardware threads end here: the loop runs the
        # handlers, so no domain state is ever touched off its thread.
        self._guard.loop.call_soon_threadsafe(self.publish, event)
