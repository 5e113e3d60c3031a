"""The database: writes in order, one failure spoils nothing else, data survives a reopen."""

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime

import pytest

from pbx.store import CdrEntry, CdrStore, main_database
from pbx.store.access import UserStore


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


@pytest.mark.asyncio
async def test_a_database_from_older_firmware_gains_new_columns_and_keeps_its_records(tmp_path):
    path = tmp_path / "callbox.db"
    with contextlib.closing(sqlite3.connect(path)) as old:
        # call_record as the first firmware made it: no call_uid column yet.
        old.execute(
            'CREATE TABLE "call_record" ("id" INTEGER NOT NULL PRIMARY KEY, "uid" '
            'VARCHAR(32) NOT NULL, "direction" VARCHAR(8) NOT NULL, "caller_number" '
            'VARCHAR(64) NOT NULL, "caller_name" VARCHAR(128) NOT NULL, "dialled" '
            'VARCHAR(64) NOT NULL, "remote_uri" VARCHAR(256) NOT NULL, "started_at" '
            'DATETIME NOT NULL, "answered_at" DATETIME, "ended_at" DATETIME, '
            '"disposition" VARCHAR(16) NOT NULL, "status_code" INTEGER NOT NULL, '
            '"reason" VARCHAR(128) NOT NULL, "rtp_rx_packets" INTEGER NOT NULL, '
            '"rtp_tx_packets" INTEGER NOT NULL, "rtp_rx_lost" INTEGER NOT NULL)'
        )
        old.execute(
            "INSERT INTO call_record VALUES (1, 'old', 'inbound', '1001', 'Alice', "
            "'*43', 'sip:1001@pbx', '2026-01-01 10:00:00', NULL, '2026-01-01 10:01:00',"
            " 'answered', 200, '', 50, 50, 0)"
        )
        old.commit()
    database = main_database(path)
    await database.open()
    cdrs = CdrStore(database)
    await cdrs.started(entry("n" * 32))
    records = {r.uid[0]: r for r in await cdrs.recent()}
    await database.close()
    assert records["o"].caller_name == "Alice"
    assert records["o"].call_uid == ""
    assert records["n"].call_uid == ""  # written without one; the call service sets it
    with contextlib.closing(sqlite3.connect(path)) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.asyncio
async def test_panel_users_from_older_firmware_gain_a_language_of_their_own(tmp_path):
    path = tmp_path / "callbox.db"
    with contextlib.closing(sqlite3.connect(path)) as old:
        # panel_user before users chose their language.
        old.execute(
            'CREATE TABLE "panel_user" ("id" INTEGER NOT NULL PRIMARY KEY, "username" '
            'VARCHAR(32) NOT NULL, "role" VARCHAR(16) NOT NULL, "password_hash" '
            'VARCHAR(256) NOT NULL, "created_at" DATETIME NOT NULL, "password_changed_at" '
            "DATETIME NOT NULL)"
        )
        old.execute(
            "INSERT INTO panel_user VALUES (1, 'admin', 'admin', 'x', '2026-01-01 10:00:00', "
            "'2026-01-01 10:00:00')"
        )
        old.commit()
    database = main_database(path)
    await database.open()
    users = UserStore(database)
    assert [(u.username, u.language) for u, _ in await users.all()] == [("admin", "")]
    await users.set_language("admin", "fa")
    assert [u.language for u, _ in await users.all()] == ["fa"]
    await database.close()
