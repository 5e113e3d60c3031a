"""The SQLite database, opened and used on one executor thread."""

import asyncio
import logging
import queue
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import peewee

logger = logging.getLogger(__name__)
T = TypeVar("T")

# WAL lets the web read while calls write; synchronous=FULL makes each commit
# survive a power cut, which a CDR or queue event must.
_PRAGMAS = {"journal_mode": "wal", "synchronous": "full", "foreign_keys": 1, "busy_timeout": 5000}


class Database:
    """One SQLite file, reached only through its own single thread.

    SQLite writes can stall for milliseconds on an SD card; running them on a
    dedicated thread keeps SIP and the web responsive, and one thread also
    serialises writes without locks. Writes run in the order they were
    submitted; those queued together commit together (group commit), so a
    burst of call records costs one fsync, not one each.
    """

    def __init__(self, path: Path, models: list[type[peewee.Model]]) -> None:
        self.path = path
        self._models = models
        self._db = peewee.SqliteDatabase(None, pragmas=_PRAGMAS)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")
        self._writes: queue.SimpleQueue = queue.SimpleQueue()

    async def open(self) -> None:
        """Create the file and tables if needed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        await self.run(self._open)

    def _open(self) -> None:
        self._db.init(str(self.path))
        self._db.connect()
        self._db.bind(self._models)
        # Columns first: an index on a column SQLite does not know yet would be
        # built on a string constant instead.
        self._add_new_columns()
        self._db.create_tables(self._models, safe=True)
        logger.info("database %s open", self.path)

    def _add_new_columns(self) -> None:
        """Upgrade tables made by older firmware: add the columns models gained since.

        Columns are only ever added, each with its default, so records survive
        updates; SQLite adds such a column in place, without copying the table.
        """
        for model in self._models:
            table = model._meta.table_name
            if not self._db.table_exists(table):
                continue
            present = {column.name for column in self._db.get_columns(table)}
            for field in model._meta.sorted_fields:
                if field.column_name not in present:
                    logger.info("adding column %s.%s", table, field.column_name)
                    self._db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN {_column_sql(field)}')
                    if field.index:
                        self._db.execute_sql(
                            f'CREATE INDEX IF NOT EXISTS "{table}_{field.column_name}" '
                            f'ON "{table}" ("{field.column_name}")'
                        )

    def submit(self, fn: Callable[[], T]) -> "asyncio.Future[T]":
        """Queue the write `fn` for the database thread now; await the result later."""
        future = asyncio.get_running_loop().create_future()
        self._writes.put((fn, future))
        self._executor.submit(self._commit_queued)
        return future

    def _commit_queued(self) -> None:
        batch = []
        while True:
            try:
                batch.append(self._writes.get_nowait())
            except queue.Empty:
                break
        outcomes = []
        with self._db.atomic():
            for fn, future in batch:
                try:
                    with self._db.atomic():  # a savepoint: one bad write spoils no other
                        outcomes.append((future, fn(), None))
                except Exception as exc:  # handed to the awaiting caller
                    outcomes.append((future, None, exc))
        for future, result, exc in outcomes:
            future.get_loop().call_soon_threadsafe(_settle, future, result, exc)

    def execute_sql(self, sql: str, params: tuple = ()):
        """Run one SQL statement; only from a function given to `run` or `submit`."""
        return self._db.execute_sql(sql, params)

    async def run(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the database thread and return its result."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def snapshot(self, path: Path) -> None:
        """A consistent copy of the database at `path` (VACUUM INTO: SQLite copies it, WAL too)."""
        await self.run(lambda: self._db.execute_sql("VACUUM INTO ?", (str(path),)))

    async def close(self) -> None:
        """Finish queued work, checkpoint the WAL and close the file."""
        if not self._db.is_closed():
            await self.run(self._close)
        self._executor.shutdown(wait=True)

    def _close(self) -> None:
        self._db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()
        logger.info("database %s closed", self.path)


def _settle(future: asyncio.Future, result: object, exc: BaseException | None) -> None:
    if future.cancelled():
        return
    if exc is None:
        future.set_result(result)
    else:
        future.set_exception(exc)


_SQL_TYPES = {
    peewee.CharField: "VARCHAR",
    peewee.IntegerField: "INTEGER",
    peewee.DateTimeField: "DATETIME",
    peewee.FloatField: "REAL",
    peewee.BooleanField: "INTEGER",
    peewee.TextField: "TEXT",
}


def _column_sql(field: peewee.Field) -> str:
    """The column definition ALTER TABLE needs for a field added to a model."""
    kind = next(sql for cls, sql in _SQL_TYPES.items() if isinstance(field, cls))
    if isinstance(field, peewee.CharField):
        kind += f"({field.max_length})"
    default = field.default
    if default is None or callable(default):
        return f'"{field.column_name}" {kind}'
    literal = (
        "'" + str(default).replace("'", "''") + "'"
        if isinstance(default, str)
        else str(int(default) if isinstance(default, bool) else default)
    )
    return f'"{field.column_name}" {kind} NOT NULL DEFAULT {literal}'
