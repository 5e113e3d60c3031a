"""The edge's trunk tables: remote registrations (uac) and provider addresses (permissions).

Kamailio registers to providers from `uacreg` and recognises calls from them by
the `address` table; both follow Kamailio's db_sqlite schema. Registration needs
the trunk secret in clear (the edge answers the provider's challenge), which is
why it lives in this file only the daemon and the edge can read.
"""

from dataclasses import dataclass

from pbx.store.database import Database

_UACREG_SCHEMA_VERSION = 5
_ADDRESS_SCHEMA_VERSION = 6
_TRUSTED_SCHEMA_VERSION = 6

# Kamailio's SQLite driver takes column types from the declared names: plain SQL.
_TABLES = (
    """CREATE TABLE IF NOT EXISTS uacreg (
    id INTEGER PRIMARY KEY NOT NULL,
    l_uuid VARCHAR(64) DEFAULT '' NOT NULL UNIQUE,
    l_username VARCHAR(64) DEFAULT '' NOT NULL,
    l_domain VARCHAR(64) DEFAULT '' NOT NULL,
    r_username VARCHAR(64) DEFAULT '' NOT NULL,
    r_domain VARCHAR(64) DEFAULT '' NOT NULL,
    realm VARCHAR(64) DEFAULT '' NOT NULL,
    auth_username VARCHAR(64) DEFAULT '' NOT NULL,
    auth_password VARCHAR(64) DEFAULT '' NOT NULL,
    auth_ha1 VARCHAR(128) DEFAULT '' NOT NULL,
    auth_proxy VARCHAR(255) DEFAULT '' NOT NULL,
    expires INTEGER DEFAULT 0 NOT NULL,
    flags INTEGER DEFAULT 0 NOT NULL,
    reg_delay INTEGER DEFAULT 0 NOT NULL,
    contact_addr VARCHAR(255) DEFAULT '' NOT NULL,
    socket VARCHAR(128) DEFAULT '' NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS address (
    id INTEGER PRIMARY KEY NOT NULL,
    grp INTEGER DEFAULT 1 NOT NULL,
    ip_addr VARCHAR(50) NOT NULL,
    mask INTEGER DEFAULT 32 NOT NULL,
    port SMALLINT DEFAULT 0 NOT NULL,
    tag VARCHAR(64))""",
    # Unused, but the permissions module reads it at start.
    """CREATE TABLE IF NOT EXISTS trusted (
    id INTEGER PRIMARY KEY NOT NULL,
    src_ip VARCHAR(50) NOT NULL,
    proto VARCHAR(4) NOT NULL,
    from_pattern VARCHAR(64) DEFAULT NULL,
    ruri_pattern VARCHAR(64) DEFAULT NULL,
    tag VARCHAR(64),
    priority INTEGER DEFAULT 0 NOT NULL)""",
)
TRUNK_GROUP = 1  # the address group of provider addresses


@dataclass(frozen=True)
class Registration:
    """What the edge needs to register one trunk."""

    trunk: str
    username: str
    auth_username: str
    secret: str
    domain: str
    proxy_uri: str
    expires_s: int


@dataclass(frozen=True)
class ProviderAddress:
    """A source a trunk's calls come from: an address or network, and a port (0: any)."""

    trunk: str
    address: str
    prefix_length: int
    port: int = 0


class EdgeTrunks:
    """Keeps the edge's trunk tables equal to the trunks."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def replace_all(
        self, registrations: list[Registration], addresses: list[ProviderAddress]
    ) -> None:
        """Create the tables if need be and make them hold exactly these rows."""

        def write() -> None:
            sql = self._db.execute_sql
            for table in _TABLES:
                sql(table)
            for table, version in (
                ("uacreg", _UACREG_SCHEMA_VERSION),
                ("address", _ADDRESS_SCHEMA_VERSION),
                ("trusted", _TRUSTED_SCHEMA_VERSION),
            ):
                sql(
                    "INSERT OR REPLACE INTO version (table_name, table_version) VALUES (?, ?)",
                    (table, version),
                )
            sql("DELETE FROM uacreg")
            sql("DELETE FROM address")
            for registration in registrations:
                _insert_registration(sql, registration)
            for address in addresses:
                _insert_address(sql, address)

        await self._db.submit(write)

    async def put(
        self, trunk: str, registration: Registration | None, addresses: list[ProviderAddress]
    ) -> None:
        """Replace one trunk's rows (no registration: the trunk works by address)."""

        def write() -> None:
            sql = self._db.execute_sql
            _delete(sql, trunk)
            if registration is not None:
                _insert_registration(sql, registration)
            for address in addresses:
                _insert_address(sql, address)

        await self._db.submit(write)

    async def put_addresses(self, trunk: str, addresses: list[ProviderAddress]) -> None:
        """Replace the addresses one trunk's calls are recognised by."""

        def write() -> None:
            sql = self._db.execute_sql
            sql("DELETE FROM address WHERE tag = ?", (trunk,))
            for address in addresses:
                _insert_address(sql, address)

        await self._db.submit(write)

    async def remove(self, trunk: str) -> None:
        """Forget a trunk: no more registration, its calls are no longer recognised."""
        await self._db.submit(lambda: _delete(self._db.execute_sql, trunk))


def _delete(sql, trunk: str) -> None:
    sql("DELETE FROM uacreg WHERE l_uuid = ?", (trunk,))
    sql("DELETE FROM address WHERE tag = ?", (trunk,))


def _insert_registration(sql, r: Registration) -> None:
    # The contact's user part is the trunk's name (l_uuid): the edge knows the
    # provider's calls to it by that.
    sql(
        "INSERT INTO uacreg (l_uuid, l_username, l_domain, r_username, r_domain, realm,"
        " auth_username, auth_password, auth_proxy, expires) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            r.trunk,
            r.trunk,
            r.domain,
            r.username,
            r.domain,
            "",
            r.auth_username,
            r.secret,
            r.proxy_uri,
            r.expires_s,
        ),
    )


def _insert_address(sql, a: ProviderAddress) -> None:
    sql(
        "INSERT INTO address (grp, ip_addr, mask, port, tag) VALUES (?,?,?,?,?)",
        (TRUNK_GROUP, a.address, a.prefix_length, a.port, a.trunk),
    )
