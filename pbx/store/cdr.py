"""Call detail records: each leg written as it starts, completed as it ends."""

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import peewee

from pbx.store.database import Database
from pbx.store.models import CallRecord


@dataclass(frozen=True)
class CdrEntry:
    """A call detail record as the rest of the box sees it (times in UTC)."""

    uid: str
    direction: str
    caller_number: str
    caller_name: str
    dialled: str
    remote_uri: str
    started_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    disposition: str = "in-progress"
    status_code: int = 0
    reason: str = ""
    rtp_rx_packets: int = 0
    rtp_tx_packets: int = 0
    rtp_rx_lost: int = 0
    call_uid: str = ""  # shared by every leg of one call: the first leg's uid
    codec: str = ""  # the leg's audio codec, e.g. "PCMA/8000"
    trunk: str = ""  # the trunk the leg came in on or went out through
    line: str = ""  # the analog line the leg was on (fxs1, fxo2)


@dataclass(frozen=True)
class CdrQuery:
    """Which records a search wants; each field given narrows it (times in UTC)."""

    since: datetime | None = None  # started at or after
    until: datetime | None = None  # started before
    number: str = ""  # the caller's number, the number dialled or the remote URI holds it
    extension: str = ""  # the caller's number or the number dialled is exactly it
    trunk: str = ""  # the trunk or analog line the leg used
    disposition: str = ""  # answered, busy, no-answer, ...


_FIELDS = [f.name for f in dataclasses.fields(CdrEntry)]
_TIMES = ("started_at", "answered_at", "ended_at")


def _time(value: object) -> object:
    if isinstance(value, str):  # SQLite hands back what peewee could not parse as text
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _entry(row: CallRecord) -> CdrEntry:
    values = {name: getattr(row, name) for name in _FIELDS}
    return CdrEntry(**values | {name: _time(values[name]) for name in _TIMES})


def _where(query: CdrQuery):
    """The peewee condition selecting the records `query` wants."""
    condition = CallRecord.id > 0
    if query.since is not None:
        condition &= CallRecord.started_at >= query.since
    if query.until is not None:
        condition &= CallRecord.started_at < query.until
    if query.number:
        condition &= (
            CallRecord.caller_number.contains(query.number)
            | CallRecord.dialled.contains(query.number)
            | CallRecord.remote_uri.contains(query.number)
        )
    if query.extension:
        condition &= (CallRecord.caller_number == query.extension) | (
            CallRecord.dialled == query.extension
        )
    if query.trunk:
        condition &= (CallRecord.trunk == query.trunk) | (CallRecord.line == query.trunk)
    if query.disposition:
        condition &= CallRecord.disposition == query.disposition
    return condition


class CdrStore:
    """Writes and reads call detail records.

    A record is inserted when the leg starts, so a crash or power cut leaves it
    behind as 'in-progress'; `close_interrupted` marks those at the next start.
    """

    def __init__(self, database: Database) -> None:
        self._db = database

    def started(self, entry: CdrEntry) -> "asyncio.Future[None]":
        """Insert the record of a leg that has just started."""
        return self._db.submit(lambda: CallRecord.create(**dataclasses.asdict(entry)))

    def updated(self, uid: str, **changes: object) -> "asyncio.Future[None]":
        """Change fields of a record (answer time, end, disposition, media counters)."""
        return self._db.submit(
            lambda: CallRecord.update(**changes).where(CallRecord.uid == uid).execute()
        )

    async def recent(self, limit: int = 100) -> list[CdrEntry]:
        """The latest records, newest first."""
        query = CallRecord.select().order_by(CallRecord.started_at.desc(), CallRecord.id.desc())
        return await self._db.run(lambda: [_entry(r) for r in query.limit(limit)])

    async def search(self, query: CdrQuery, offset: int, limit: int) -> tuple[list[CdrEntry], int]:
        """One page of the records `query` wants, newest first, and how many there are."""
        where = _where(query)
        page = (
            CallRecord.select()
            .where(where)
            .order_by(CallRecord.started_at.desc(), CallRecord.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return await self._db.run(
            lambda: ([_entry(r) for r in page], CallRecord.select().where(where).count())
        )

    async def by_hour(self, query: CdrQuery) -> list[int]:
        """How many of the records `query` wants started in each hour of the day (UTC), 0-23."""
        hour = peewee.fn.substr(CallRecord.started_at, 12, 2)
        counts = (
            CallRecord.select(hour.alias("hour"), peewee.fn.count(CallRecord.id).alias("calls"))
            .where(_where(query))
            .group_by(hour)
        )
        rows = await self._db.run(lambda: [(r.hour, r.calls) for r in counts])
        hours = [0] * 24
        for text, calls in rows:
            if str(text).isdigit() and int(text) < 24:
                hours[int(text)] += calls
        return hours

    async def batches(self, query: CdrQuery, size: int = 500) -> AsyncIterator[list[CdrEntry]]:
        """Every record `query` wants, oldest first, `size` at a time: a long range is
        never held in memory at once."""
        where, after_id = _where(query), 0
        while True:
            chunk = (
                CallRecord.select()
                .where(where & (CallRecord.id > after_id))
                .order_by(CallRecord.id)
                .limit(size)
            )
            rows = await self._db.run(lambda chunk=chunk: [(r.id, _entry(r)) for r in chunk])
            if not rows:
                return
            after_id = rows[-1][0]
            yield [entry for _, entry in rows]

    async def close_interrupted(self, now: datetime) -> int:
        """Mark records left open by a crash or power cut; returns how many."""
        query = CallRecord.update(ended_at=now, disposition="interrupted").where(
            CallRecord.ended_at.is_null()
        )
        return await self._db.run(query.execute)
