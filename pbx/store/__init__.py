"""Storage: SQLite through peewee, the only package that imports it."""

from pbx.store.cdr import CdrEntry, CdrStore
from pbx.store.database import Database

__all__ = ["CdrEntry", "CdrStore", "Database"]
