"""Call recordings in the database: which file holds which call, and how it went."""

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import datetime

from pbx.store.database import Database
from pbx.store.models import CallRecord, RecordingRecord


@dataclass(frozen=True)
class RecordingEntry:
    """A recording as the rest of the box sees it (times in UTC, paths relative).

    `status`: "recording" while the recorder runs (or a cut left it open),
    "complete", "interrupted" (repaired after a crash), "stopped-disk-full"
    or "failed".
    """

    uid: str
    call_uid: str
    path: str
    started_at: datetime
    cdr_uid: str = ""
    caller: str = ""
    callee: str = ""
    policy: str = "default"
    two_channel_path: str = ""
    status: str = "recording"
    ended_at: datetime | None = None
    duration_ms: int = 0
    size_bytes: int = 0
    queue: str = ""  # the queue the call came through, if any
    agent: str = ""  # the extension that answered (a queue's agent), if any


_FIELDS = [f.name for f in dataclasses.fields(RecordingEntry)]


@dataclass(frozen=True)
class RecordingSearch:
    """What recordings to find: started in [since, until), `number` in the caller's or
    the called number, answered by `agent`, through `queue`; a page of `limit` from
    `offset`. Empty fields match everything."""

    since: datetime | None = None
    until: datetime | None = None
    number: str = ""
    agent: str = ""
    queue: str = ""
    offset: int = 0
    limit: int = 50


def _entry(row: RecordingRecord) -> RecordingEntry:
    return RecordingEntry(**{name: getattr(row, name) for name in _FIELDS})


class RecordingStore:
    """Writes and reads recording rows, and the recording columns of call records."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def started(self, entry: RecordingEntry) -> "asyncio.Future[None]":
        """Insert the row of a recording about to start (await it before opening the file)."""
        return self._db.submit(lambda: RecordingRecord.create(**dataclasses.asdict(entry)))

    def updated(self, uid: str, **changes: object) -> "asyncio.Future[None]":
        """Change fields of a recording's row (status, end, duration, size)."""
        return self._db.submit(
            lambda: RecordingRecord.update(**changes).where(RecordingRecord.uid == uid).execute()
        )

    def mark_legs(self, leg_uids: list[str], **changes: object) -> "asyncio.Future[None]":
        """Set recording_uid / recording_status on the call records of these legs."""
        return self._db.submit(
            lambda: CallRecord.update(**changes).where(CallRecord.uid.in_(leg_uids)).execute()
        )

    def closed(
        self, uid: str, status: str, cdr_status: str, **changes: object
    ) -> "asyncio.Future[None]":
        """A recording is over: its row gets `status` and `changes` (end, duration, size),
        and the call records whose latest recording it is get `cdr_status`, together."""

        def close() -> None:
            RecordingRecord.update(status=status, **changes).where(
                RecordingRecord.uid == uid
            ).execute()
            CallRecord.update(recording_status=cdr_status).where(
                CallRecord.recording_uid == uid
            ).execute()

        return self._db.submit(close)

    async def left_open(self) -> list[RecordingEntry]:
        """Recordings still marked 'recording': at start-up, those a cut interrupted."""
        query = RecordingRecord.select().where(RecordingRecord.status == "recording")
        return await self._db.run(lambda: [_entry(r) for r in query])

    async def of_call(self, call_uid: str) -> list[RecordingEntry]:
        """The recordings of one call, oldest first."""
        query = RecordingRecord.select().where(RecordingRecord.call_uid == call_uid)
        return await self._db.run(lambda: [_entry(r) for r in query.order_by(RecordingRecord.id)])

    async def between(
        self, since: datetime | None, until: datetime | None, limit: int = 1000
    ) -> list[RecordingEntry]:
        """Recordings started in [since, until), newest first."""
        query = RecordingRecord.select()
        if since is not None:
            query = query.where(RecordingRecord.started_at >= since)
        if until is not None:
            query = query.where(RecordingRecord.started_at < until)
        query = query.order_by(RecordingRecord.started_at.desc()).limit(limit)
        return await self._db.run(lambda: [_entry(r) for r in query])

    async def get(self, uid: str) -> RecordingEntry | None:
        """One recording by its id, or None."""
        query = RecordingRecord.select().where(RecordingRecord.uid == uid)
        return await self._db.run(lambda: next((_entry(r) for r in query), None))

    async def search(self, search: "RecordingSearch") -> tuple[int, list[RecordingEntry]]:
        """How many recordings match `search`, and its page of them, newest first."""
        r = RecordingRecord
        query = r.select()
        if search.since is not None:
            query = query.where(r.started_at >= search.since)
        if search.until is not None:
            query = query.where(r.started_at < search.until)
        if search.number:
            query = query.where(r.caller.contains(search.number) | r.callee.contains(search.number))
        if search.agent:
            query = query.where(r.agent == search.agent)
        if search.queue:
            query = query.where(r.queue == search.queue)
        page = query.order_by(r.started_at.desc(), r.id.desc())
        page = page.offset(search.offset).limit(search.limit)
        return await self._db.run(lambda: (query.count(), [_entry(row) for row in page]))

    async def finished(self) -> list[RecordingEntry]:
        """Every recording no recorder writes to any more, oldest first (for retention).

        Read as plain rows, not models: the sweep reads them all, and the
        database thread that also writes the CDRs should not be held long.
        """
        fields = [getattr(RecordingRecord, name) for name in _FIELDS]
        query = (
            RecordingRecord.select(*fields)
            .where(RecordingRecord.status != "recording")
            .order_by(RecordingRecord.started_at, RecordingRecord.id)
            .dicts()
        )
        return await self._db.run(lambda: [RecordingEntry(**row) for row in query])

    async def delete(self, uids: list[str]) -> None:
        """Remove the rows of recordings whose files are gone; their call records say so."""

        def delete() -> None:
            RecordingRecord.delete().where(RecordingRecord.uid.in_(uids)).execute()
            CallRecord.update(recording_status="deleted").where(
                CallRecord.recording_uid.in_(uids)
            ).execute()

        await self._db.submit(delete)
