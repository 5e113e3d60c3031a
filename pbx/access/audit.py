"""The audit log: who did what, from where, and how it went."""

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from pbx import PbxError
from pbx.access.records import AuditEvent
from pbx.store.access import AuditStore

logger = logging.getLogger(__name__)
T = TypeVar("T")


class AuditLog:
    """Appends one event per audited action: log-ins (failed too), every change,
    recording access. The panel lists them for admins."""

    def __init__(self, store: AuditStore, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock

    async def record(
        self,
        actor: str,
        source: str,
        action: str,
        target: str = "",
        *,
        outcome: str = "ok",
        detail: str = "",
    ) -> None:
        """Write one event; it is committed when this returns."""
        event = AuditEvent(
            datetime.fromtimestamp(self._clock(), UTC),
            actor[:32] or "-",
            source[:64],
            action,
            target[:64],
            outcome,
            detail[:256],
        )
        logger.info("audit: %s %s %s %s from %s", actor or "-", action, target, outcome, source)
        await self._store.append(event)

    async def audited(
        self, actor: str, source: str, action: str, target: str, change: Awaitable[T]
    ) -> T:
        """Carry out `change` and write its one audit event: "ok", or "refused" with the
        reason when it raises a PbxError (which then goes on up)."""
        try:
            result = await change
        except PbxError as err:
            await self.record(actor, source, action, target, outcome="refused", detail=str(err))
            raise
        await self.record(actor, source, action, target)
        return result

    async def recent(self, limit: int = 200, action: str = "") -> list[AuditEvent]:
        """The newest events, newest first; only those of `action` if given."""
        return await self._store.recent(max(1, min(limit, 1000)), action)
