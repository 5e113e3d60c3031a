"""Call detail records: each leg written as it starts, completed as it ends."""

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import datetime

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


_FIELDS = [f.name for f in dataclasses.fields(CdrEntry)]


def _entry(row: CallRecord) -> CdrEntry:
    return CdrEntry(**{name: getattr(row, name) for name in _FIELDS})


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

    async def close_interrupted(self, now: datetime) -> int:
        """Mark records left open by a crash or power cut; returns how many."""
        query = CallRecord.update(ended_at=now, disposition="interrupted").where(
            CallRecord.ended_at.is_null()
        )
        return await self._db.run(query.execute)
