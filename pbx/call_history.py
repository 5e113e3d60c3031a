"""Call history: searching the call detail records and reading them out for export."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

from pbx import PbxError
from pbx.store.cdr import CdrEntry, CdrQuery, CdrStore

DISPOSITIONS = (
    "answered",
    "busy",
    "cancelled",
    "no-answer",
    "failed",
    "in-progress",
    "interrupted",
)
MAX_PAGE_SIZE = 200
_MAX_TEXT = 64


class CallHistoryError(PbxError):
    """A search the call history cannot run; the text says why."""


@dataclass(frozen=True)
class CdrPage:
    """One page of a search: its records (newest first), and how many match in all."""

    entries: list[CdrEntry]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the search has (at least one)."""
        return max(1, -(-self.total // self.page_size))


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def checked(query: CdrQuery) -> CdrQuery:
    """`query` with its times in UTC; CallHistoryError if it cannot be right."""
    since, until = _utc(query.since), _utc(query.until)
    if since is not None and until is not None and until <= since:
        raise CallHistoryError("the search must end after it starts")
    if query.disposition and query.disposition not in DISPOSITIONS:
        raise CallHistoryError(f"disposition must be one of {', '.join(DISPOSITIONS)}")
    for name in ("number", "extension", "trunk"):
        if len(getattr(query, name)) > _MAX_TEXT:
            raise CallHistoryError(f"{name} has at most {_MAX_TEXT} characters")
    return CdrQuery(since, until, query.number, query.extension, query.trunk, query.disposition)


class CallHistory:
    """What panels may ask of the call detail records: searches, and every match in turn."""

    def __init__(self, store: CdrStore) -> None:
        self._store = store

    async def search(self, query: CdrQuery, page: int = 1, page_size: int = 50) -> CdrPage:
        """Page `page` (from 1) of the records `query` wants, newest first."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise CallHistoryError(f"page size must be between 1 and {MAX_PAGE_SIZE}")
        if page < 1:
            raise CallHistoryError("pages count from 1")
        entries, total = await self._store.search(checked(query), (page - 1) * page_size, page_size)
        return CdrPage(entries, total, page, page_size)

    async def by_hour(self, query: CdrQuery) -> list[int]:
        """Calls `query` wants by the hour of the day they started (UTC): 24 counts."""
        return await self._store.by_hour(checked(query))

    def every(self, query: CdrQuery) -> AsyncIterator[CdrEntry]:
        """Every record `query` wants, oldest first, read from the database a batch at a
        time; CallHistoryError at once if the query cannot be right."""
        return self._every(checked(query))

    async def _every(self, query: CdrQuery) -> AsyncIterator[CdrEntry]:
        async for batch in self._store.batches(query):
            for entry in batch:
                yield entry
