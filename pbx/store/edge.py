"""The edge's own database: Kamailio reads digest hashes from it, and nothing else.

Kamailio gets a file of its own holding only what it checks (user name and
HA1 hashes), so the edge process can never read call records or settings.
The tables follow Kamailio's db_sqlite schema, including its `version` table.
"""

from dataclasses import dataclass

import peewee

from pbx.extensions import Credentials
from pbx.store.database import Database

_SUBSCRIBER_SCHEMA_VERSION = 7  # auth_db's table version in Kamailio 5.x
_LOCATION_SCHEMA_VERSION = 9  # usrloc's

# usrloc writes registrations here (so they outlive a restart of the edge). Its
# SQLite driver takes column types from the declared names, hence plain SQL.
_LOCATION_TABLE = """
CREATE TABLE IF NOT EXISTS location (
    id INTEGER PRIMARY KEY NOT NULL,
    ruid VARCHAR(64) DEFAULT '' NOT NULL UNIQUE,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT NULL,
    contact VARCHAR(512) DEFAULT '' NOT NULL,
    received VARCHAR(128) DEFAULT NULL,
    path VARCHAR(512) DEFAULT NULL,
    expires TIMESTAMP DEFAULT '2030-05-28 21:32:15' NOT NULL,
    q REAL DEFAULT 1.0 NOT NULL,
    callid VARCHAR(255) DEFAULT 'Default-Call-ID' NOT NULL,
    cseq INTEGER DEFAULT 1 NOT NULL,
    last_modified TIMESTAMP DEFAULT '2000-01-01 00:00:01' NOT NULL,
    flags INTEGER DEFAULT 0 NOT NULL,
    cflags INTEGER DEFAULT 0 NOT NULL,
    user_agent VARCHAR(255) DEFAULT '' NOT NULL,
    socket VARCHAR(64) DEFAULT NULL,
    methods INTEGER DEFAULT NULL,
    instance VARCHAR(255) DEFAULT NULL,
    reg_id INTEGER DEFAULT 0 NOT NULL,
    server_id INTEGER DEFAULT 0 NOT NULL,
    connection_id INTEGER DEFAULT 0 NOT NULL,
    keepalive INTEGER DEFAULT 0 NOT NULL,
    partition INTEGER DEFAULT 0 NOT NULL
)"""


@dataclass(frozen=True)
class Registration:
    """A phone registered at the edge."""

    number: str
    contact: str
    user_agent: str
    expires: str


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
            Subscriber._meta.database.execute_sql(_LOCATION_TABLE)
            for table, version in (
                ("version", 1),
                ("subscriber", _SUBSCRIBER_SCHEMA_VERSION),
                ("location", _LOCATION_SCHEMA_VERSION),
            ):
                KamailioVersion.insert(
                    table_name=table, table_version=version
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

    async def registrations(self) -> list[Registration]:
        """Phones registered now (usrloc keeps expired rows until its timer runs).

        `expires` is a UTC time, as text.
        """
        # db_sqlite stores times as UTC Julian day numbers.
        query = (
            "SELECT username, contact, user_agent, datetime(expires) || 'Z' FROM location "
            "WHERE expires > julianday('now') ORDER BY username"
        )
        return await self._db.run(
            lambda: [Registration(*row) for row in Subscriber._meta.database.execute_sql(query)]
        )

    async def remove(self, number: str) -> None:
        """Forget one extension: it cannot register or call any more."""
        await self._db.submit(
            lambda: Subscriber.delete().where(Subscriber.username == number).execute()
        )
