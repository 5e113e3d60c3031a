"""The SQLite database, opened and used on one executor thread."""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import peewee

from pbx.store import models

logger = logging.getLogger(__name__)
T = TypeVar("T")

# WAL lets the web read while calls write; synchronous=FULL makes each commit
# survive a power cut, which a CDR or queue event must.
_PRAGMAS = {"journal_mode": "wal", "synchronous": "full", "foreign_keys": 1, "busy_timeout": 5000}


class Database:
    """One SQLite file, reached only through its own single thread.

    SQLite writes can stall for milliseconds on an SD card; running them on a
    dedicated thread keeps SIP and the web responsive, and one thread also
    serialises writes without locks. Work is submitted in call order and runs
    in that order.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = peewee.SqliteDatabase(None, pragmas=_PRAGMAS)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")

    async def open(self) -> None:
        """Create the file and tables if needed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        await self.run(self._open)

    def _open(self) -> None:
        self._db.init(str(self.path))
        self._db.connect()
        models.bind(self._db)
        self._db.create_tables(models.ALL, safe=True)
        logger.info("database %s open", self.path)

    def submit(self, fn: Callable[[], T]) -> "asyncio.Future[T]":
        """Queue `fn` for the database thread now; await the result later."""

        def in_transaction() -> T:
            with self._db.atomic():
                return fn()

        return asyncio.get_running_loop().run_in_executor(self._executor, in_transaction)

    async def run(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the database thread and return its result."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def close(self) -> None:
        """Finish queued work, checkpoint the WAL and close the file."""
        if not self._db.is_closed():
            await self.run(self._close)
        self._executor.shutdown(wait=True)

    def _close(self) -> None:
        self._db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()
        logger.info("database %s closed", self.path)
