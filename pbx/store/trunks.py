"""Trunks and outbound routes in the database, each row's settings as JSON."""

import dataclasses
import json
from datetime import UTC, datetime

import peewee

from pbx.extensions import Permission
from pbx.store.database import Database
from pbx.store.models import RouteRecord, TrunkRecord
from pbx.trunks import OutboundRoute, Trunk, TrunkError


def _trunk(row: TrunkRecord) -> Trunk:
    values = json.loads(row.settings)
    values["inbound_networks"] = tuple(values.get("inbound_networks", ()))
    known = {f.name for f in dataclasses.fields(Trunk)}
    return Trunk(**{k: v for k, v in values.items() if k in known})


def _route(row: RouteRecord) -> OutboundRoute:
    values = json.loads(row.settings)
    for key in ("patterns", "trunks"):
        values[key] = tuple(values[key])
    values["permission"] = Permission(values["permission"])
    return OutboundRoute(**values)


def _settings(item: Trunk | OutboundRoute) -> str:
    return json.dumps(dataclasses.asdict(item), sort_keys=True)


class TrunkStore:
    """Reads and writes trunks (with their secrets) and outbound routes."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def trunks(self) -> list[tuple[Trunk, str]]:
        """Every trunk with its secret, by name."""
        query = TrunkRecord.select().order_by(TrunkRecord.name)
        return await self._db.run(lambda: [(_trunk(row), row.secret) for row in query])

    async def secret(self, name: str) -> str:
        """One trunk's secret; TrunkError if there is no such trunk."""
        return await self._db.run(lambda: _row(TrunkRecord, "trunk", name).secret)

    async def put_trunk(self, trunk: Trunk, secret: str | None, *, new: bool) -> None:
        """Create (`new`) or replace a trunk; a None secret keeps the stored one."""

        def write() -> None:
            now = datetime.now(UTC)
            if new:
                try:
                    TrunkRecord.create(
                        name=trunk.name,
                        settings=_settings(trunk),
                        secret=secret or "",
                        updated_at=now,
                    )
                except peewee.IntegrityError:
                    raise TrunkError(f"trunk {trunk.name} already exists") from None
                return
            row = _row(TrunkRecord, "trunk", trunk.name)
            row.settings, row.updated_at = _settings(trunk), now
            if secret is not None:
                row.secret = secret
            row.save()

        await self._db.submit(write)

    async def delete_trunk(self, name: str) -> None:
        """Remove a trunk; TrunkError if there is none."""
        await self._db.submit(lambda: _row(TrunkRecord, "trunk", name).delete_instance())

    async def routes(self) -> list[OutboundRoute]:
        """Every outbound route."""
        query = RouteRecord.select()
        return await self._db.run(lambda: [_route(row) for row in query])

    async def put_route(self, route: OutboundRoute) -> None:
        """Create or replace a route."""

        def write() -> None:
            RouteRecord.insert(
                name=route.name, settings=_settings(route), updated_at=datetime.now(UTC)
            ).on_conflict_replace().execute()

        await self._db.submit(write)

    async def delete_route(self, name: str) -> None:
        """Remove a route; TrunkError if there is none."""
        await self._db.submit(lambda: _row(RouteRecord, "route", name).delete_instance())


def _row(model: type[peewee.Model], kind: str, name: str) -> peewee.Model:
    try:
        return model.get(model.name == name)
    except model.DoesNotExist:
        raise TrunkError(f"no {kind} {name}") from None
