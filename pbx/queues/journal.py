"""The queue journal: every queue event stored durably and announced on the bus."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from pbx.background import BackgroundWork
from pbx.bus import EventBus
from pbx.queues.queue_event import KINDS, QueueEvent
from pbx.store.queues import QueueEventStore

logger = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class QueueJournal:
    """Writes queue events as they happen (group commit: one fsync per burst) and
    publishes each on the bus, for live panels."""

    def __init__(
        self,
        store: QueueEventStore,
        bus: EventBus,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._bus = bus
        self._clock = clock
        self._pending = BackgroundWork("storing a queue event")

    def record(self, kind: str, **fields: object) -> QueueEvent:
        """Store and publish one event of `kind` (see pbx.queues.queue_event), stamped now."""
        if kind not in KINDS:
            raise ValueError(f"unknown queue event kind {kind!r}")
        event = QueueEvent(self._clock(), kind, **fields)
        logger.info(
            "queue event %s queue=%s agent=%s caller=%s wait=%.1f %s",
            kind,
            event.queue,
            event.agent,
            event.caller_number,
            event.wait_s,
            event.reason,
        )
        future = self._store.append(event)
        self._pending.track(future)
        self._bus.publish(event)
        return event

    def watch(self, listener: Callable[[QueueEvent], None]) -> Callable[[], None]:
        """Call `listener` with each event as it is recorded; returns what stops it."""
        self._bus.subscribe(QueueEvent, listener)
        return lambda: self._bus.unsubscribe(QueueEvent, listener)

    async def flush(self) -> None:
        """Wait until every event recorded so far is stored."""
        await self._pending.settle()
