"""Named configuration objects of any kind in the database, each one's settings as JSON."""

import json
from datetime import UTC, datetime

from pbx.store.database import Database
from pbx.store.models import ConfigObjectRecord


class ConfigObjectStore:
    """Reads and writes (kind, name) -> settings; the pbx layer gives the settings meaning."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def all(self, kind: str) -> dict[str, dict]:
        """Every object of `kind`, by name."""
        query = ConfigObjectRecord.select().where(ConfigObjectRecord.kind == kind)
        return await self._db.run(lambda: {row.name: json.loads(row.settings) for row in query})

    async def put(self, kind: str, name: str, settings: dict) -> None:
        """Create or replace one object."""

        def write() -> None:
            ConfigObjectRecord.insert(
                kind=kind,
                name=name,
                settings=json.dumps(settings, sort_keys=True),
                updated_at=datetime.now(UTC),
            ).on_conflict_replace().execute()

        await self._db.submit(write)

    async def delete(self, kind: str, name: str) -> bool:
        """Remove one object; False if there was none."""

        def remove() -> bool:
            query = ConfigObjectRecord.delete().where(
                (ConfigObjectRecord.kind == kind) & (ConfigObjectRecord.name == name)
            )
            return query.execute() > 0

        return await self._db.submit(remove)
