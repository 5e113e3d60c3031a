"""Queues, ring groups, agents' log-in state and queue events in the database."""

import asyncio
import dataclasses
import json
from datetime import UTC, datetime

from pbx.queues import QueueError
from pbx.queues.queue_event import QueueEvent
from pbx.queues.settings import QueueSettings, RingGroup, group_from_dict, queue_from_dict
from pbx.store.database import Database
from pbx.store.models import AgentRecord, QueueEventRecord, QueueRecord

_EVENT_FIELDS = [f.name for f in dataclasses.fields(QueueEvent)]


@dataclasses.dataclass(frozen=True)
class AgentState:
    """An agent's log-in and pause as stored."""

    extension: str
    logged_in: bool = False
    paused: bool = False
    pause_reason: str = ""


class QueueStore:
    """Reads and writes queue and ring-group settings and agents' states."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def load(self) -> tuple[list[QueueSettings], list[RingGroup], list[AgentState]]:
        """Everything stored: queues, ring groups, agents."""

        def read():
            rows = list(QueueRecord.select().order_by(QueueRecord.name))
            queues = [queue_from_dict(json.loads(r.settings)) for r in rows if r.kind == "queue"]
            groups = [group_from_dict(json.loads(r.settings)) for r in rows if r.kind == "group"]
            agents = [
                AgentState(a.extension, a.logged_in, a.paused, a.pause_reason)
                for a in AgentRecord.select()
            ]
            return queues, groups, agents

        return await self._db.run(read)

    async def put(self, kind: str, item: QueueSettings | RingGroup) -> None:
        """Create or replace a queue ("queue") or ring group ("group")."""
        settings = json.dumps(dataclasses.asdict(item), sort_keys=True)

        def write() -> None:
            now = datetime.now(UTC)
            updated = (
                QueueRecord.update(settings=settings, updated_at=now)
                .where((QueueRecord.kind == kind) & (QueueRecord.name == item.name))
                .execute()
            )
            if not updated:
                QueueRecord.create(kind=kind, name=item.name, settings=settings, updated_at=now)

        await self._db.submit(write)

    async def delete(self, kind: str, name: str) -> None:
        """Remove a queue or ring group; QueueError if there is none."""

        def remove() -> None:
            query = QueueRecord.delete().where(
                (QueueRecord.kind == kind) & (QueueRecord.name == name)
            )
            if not query.execute():
                raise QueueError(f"no {kind} {name}")

        await self._db.submit(remove)

    def put_agent(self, state: AgentState) -> "asyncio.Future[None]":
        """Store an agent's log-in and pause."""
        values = {**dataclasses.asdict(state), "updated_at": datetime.now(UTC)}
        return self._db.submit(
            lambda: (
                AgentRecord.insert(**values)
                .on_conflict(conflict_target=[AgentRecord.extension], update=values)
                .execute()
            )
        )


class QueueEventStore:
    """Appends queue events and reads them back for reports."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def append(self, event: QueueEvent) -> "asyncio.Future[None]":
        """Store one event (committed with whatever else is queued: group commit)."""
        values = dataclasses.asdict(event)
        return self._db.submit(lambda: QueueEventRecord.create(**values))

    async def between(self, start: datetime, end: datetime) -> list[QueueEvent]:
        """Events with start <= at < end, oldest first."""
        query = (
            QueueEventRecord.select()
            .where((QueueEventRecord.at >= start) & (QueueEventRecord.at < end))
            .order_by(QueueEventRecord.at, QueueEventRecord.id)
        )
        return await self._db.run(lambda: [_event(row) for row in query])


def _event(row: QueueEventRecord) -> QueueEvent:
    values = {name: getattr(row, name) for name in _EVENT_FIELDS}
    at = values["at"]
    if isinstance(at, str):  # SQLite hands back what peewee could not parse as text
        at = datetime.fromisoformat(at)
    values["at"] = at if at.tzinfo else at.replace(tzinfo=UTC)
    return QueueEvent(**values)
