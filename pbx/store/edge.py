"""The edge's own database: Kamailio reads digest hashes from it, and nothing else.

Kamailio gets a file of its own holding only what it checks (user name and
HA1 hashes), so the edge process can never read call records or settings.
The tables follow Kamailio's db_sqlite schema, including its `version` table.
"""

import peewee

from pbx.extensions import Credentials
from pbx.store.database import Database

_SUBSCRIBER_SCHEMA_VERSION = 7  # auth_db's table version in Kamailio 5.x


class KamailioVersion(peewee.Model):
    table_name = peewee.CharField(max_length=32, unique=True)
    table_version = peewee.IntegerField(default=0)

    class Meta:
        table_name = "version"


class Subscriber(peewee.Model):
    username = peewee.CharField(max_length=64, default="")
    domain = peewee.CharField(max_length=64, default="")
    password = peewee.CharField(max_length=64, default="")  # always empty: hashes only
    ha1 = peewee.CharField(max_length=128, default="")
    ha1b = peewee.CharField(max_length=128, default="")

    class Meta:
        table_name = "subscriber"
        indexes = ((("username", "domain"), True),)


class EdgeCredentials:
    """Keeps the edge's subscriber table equal to the extensions' hashes."""

    def __init__(self, database: Database) -> None:
        self._db = database

    @staticmethod
    def database(path) -> Database:
        """The edge's database file."""
        return Database(path, [KamailioVersion, Subscriber])

    async def replace_all(self, creds: dict[str, Credentials]) -> None:
        """Make the table hold exactly `creds` (at start: the extensions are the truth)."""

        def write() -> None:
            KamailioVersion.insert(
                table_name="version", table_version=1
            ).on_conflict_ignore().execute()
            KamailioVersion.insert(
                table_name="subscriber", table_version=_SUBSCRIBER_SCHEMA_VERSION
            ).on_conflict_replace().execute()
            Subscriber.delete().execute()
            for number, cred in creds.items():
                Subscriber.create(username=number, ha1=cred.ha1, ha1b=cred.ha1b)

        await self._db.submit(write)

    async def put(self, number: str, cred: Credentials) -> None:
        """Add or change one extension's hashes; the edge sees them at the next request."""

        def write() -> None:
            Subscriber.delete().where(Subscriber.username == number).execute()
            Subscriber.create(username=number, ha1=cred.ha1, ha1b=cred.ha1b)

        await self._db.submit(write)

    async def remove(self, number: str) -> None:
        """Forget one extension: it cannot register or call any more."""
        await self._db.submit(
            lambda: Subscriber.delete().where(Subscriber.username == number).execute()
        )
