"""Extensions in the database: numbers, names, rights and digest hashes."""

import dataclasses
from datetime import UTC, datetime

import peewee

from pbx.extensions import Credentials, Extension, ExtensionError, Permission
from pbx.store.database import Database
from pbx.store.models import ExtensionRecord


def _extension(row: ExtensionRecord) -> Extension:
    return Extension(
        row.number,
        row.name,
        row.caller_id_name,
        row.caller_id_number,
        Permission(row.permission),
        row.max_calls,
        row.recording,
    )


def _row_values(extension: Extension) -> dict:
    values = dataclasses.asdict(extension)
    values["permission"] = int(extension.permission)
    return values


class ExtensionStore:
    """Reads and writes extensions; every write returns what the edge must now know."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def all(self) -> list[tuple[Extension, Credentials]]:
        """Every extension with the digest hashes the edge checks, by number."""
        query = ExtensionRecord.select().order_by(ExtensionRecord.number)
        return await self._db.run(
            lambda: [(_extension(r), Credentials(r.ha1, r.ha1b)) for r in query]
        )

    async def add(self, extension: Extension, creds: Credentials) -> None:
        """Create an extension; ExtensionError if the number is taken."""

        def insert() -> None:
            try:
                ExtensionRecord.create(
                    **_row_values(extension),
                    ha1=creds.ha1,
                    ha1b=creds.ha1b,
                    updated_at=datetime.now(UTC),
                )
            except peewee.IntegrityError:
                raise ExtensionError(f"extension {extension.number} already exists") from None

        await self._db.submit(insert)

    async def update(self, extension: Extension, creds: Credentials | None) -> None:
        """Replace an extension's settings, and its hashes when a new secret was set."""

        def write() -> None:
            row = self._row(extension.number)
            for key, value in _row_values(extension).items():
                setattr(row, key, value)
            if creds is not None:
                row.ha1, row.ha1b = creds.ha1, creds.ha1b
            row.updated_at = datetime.now(UTC)
            row.save()

        await self._db.submit(write)

    async def delete(self, number: str) -> None:
        """Remove an extension; ExtensionError if there is none."""
        await self._db.submit(lambda: self._row(number).delete_instance())

    @staticmethod
    def _row(number: str) -> ExtensionRecord:
        try:
            return ExtensionRecord.get(ExtensionRecord.number == number)
        except ExtensionRecord.DoesNotExist:
            raise ExtensionError(f"no extension {number}") from None
