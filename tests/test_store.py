"""The database: writes in order, one failure spoils nothing else, data survives a reopen."""

import asyncio
from datetime import UTC, datetime

import pytest

from pbx.store import CdrEntry, CdrStore, main_database


def entry(uid: str) -> CdrEntry:
    return CdrEntry(
        uid,
        "inbound",
        "1001",
        "Alice",
        "*43",
        "sip:1001@127.0.0.1",
        datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
    )


@pytest.mark.asyncio
async def test_a_failed_write_in_a_batch_loses_none_of_the_others(tmp_path):
    database = main_database(tmp_path / "callbox.db")
    await database.open()
    cdrs = CdrStore(database)
    first = cdrs.started(entry("a" * 32))
    duplicate = cdrs.started(entry("a" * 32))  # the uid is unique: this one must fail
    second = cdrs.started(entry("b" * 32))
    ended = cdrs.updated("b" * 32, disposition="answered")
    results = await asyncio.gather(first, duplicate, second, ended, return_exceptions=True)

    assert isinstance(results[1], Exception)
    assert not any(isinstance(r, Exception) for r in (results[0], results[2], results[3]))
    await database.close()

    reopened = main_database(tmp_path / "callbox.db")
    await reopened.open()
    records = await CdrStore(reopened).recent()
    await reopened.close()
    assert sorted((r.uid[0], r.disposition) for r in records) == [
        ("a", "in-progress"),
        ("b", "answered"),
    ]


@pytest.mark.asyncio
async def test_records_open_at_start_are_marked_interrupted(tmp_path):
    database = main_database(tmp_path / "callbox.db")
    await database.open()
    cdrs = CdrStore(database)
    await cdrs.started(entry("c" * 32))
    now = datetime.now(UTC)
    assert await cdrs.close_interrupted(now) == 1
    assert await cdrs.close_interrupted(now) == 0
    (record,) = await cdrs.recent()
    await database.close()
    assert (record.disposition, record.ended_at is not None) == ("interrupted", True)
