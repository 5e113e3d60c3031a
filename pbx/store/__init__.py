"""Storage: SQLite through peewee, the only package that imports it."""

from pathlib import Path

from pbx.store import models
from pbx.store.cdr import CdrEntry, CdrQuery, CdrStore
from pbx.store.database import Database
from pbx.store.extensions import ExtensionStore
from pbx.store.recordings import RecordingEntry, RecordingSearch, RecordingStore


def main_database(path: Path) -> Database:
    """The box's own database: configuration, call records, events."""
    return Database(path, models.MAIN)


__all__ = [
    "CdrEntry",
    "CdrQuery",
    "CdrStore",
    "Database",
    "ExtensionStore",
    "RecordingEntry",
    "RecordingSearch",
    "RecordingStore",
    "main_database",
]
