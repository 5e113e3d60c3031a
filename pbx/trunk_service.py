"""Adding, changing and removing trunks and outbound routes, and watching trunk health."""

import asyncio
import dataclasses
import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from pbx.edge.rpc import EdgeRpc, EdgeRpcError
from pbx.sip import SipEngine
from pbx.store.edge_trunks import EdgeTrunks, ProviderAddress, Registration
from pbx.store.trunks import TrunkStore
from pbx.trunks import MAX_SECRET_LENGTH, MAX_TRUNKS, OutboundRoute, Trunk, TrunkError

logger = logging.getLogger(__name__)

REGISTRATION_EXPIRES_S = 300
ADDRESS_REFRESH_S = 300.0
# uac's record flags (uac.reg_dump): what state a registration is in.
_DISABLED, _REGISTERING, _REGISTERED, _AUTHENTICATING = 1, 2, 4, 8


@dataclass(frozen=True)
class TrunkFailure:
    """The last call a trunk failed: the provider's code and when."""

    status_code: int
    at: str  # UTC, ISO 8601


@dataclass(frozen=True)
class TrunkStatus:
    """How a trunk is doing, for `callbox status` and the panels."""

    name: str
    registration: str  # "registered", "registering", "failed", "not used", "disabled"
    calls_failed: int = 0
    last_failure: TrunkFailure | None = None


def _registration_state(flags: int) -> str:
    if flags & _REGISTERED:
        return "registered"
    if flags & _DISABLED:
        return "failed"
    if flags & (_REGISTERING | _AUTHENTICATING):
        return "registering"
    return "failed"


def _host_addresses(trunk: Trunk) -> list[ProviderAddress] | None:
    """The provider host's addresses; None when it cannot be looked up now."""
    try:
        infos = socket.getaddrinfo(trunk.host_name, None, type=socket.SOCK_DGRAM)
    except OSError as err:
        logger.warning("trunk %s: host %s not found (%s)", trunk.name, trunk.host_name, err)
        return None
    return [
        ProviderAddress(
            trunk.name, address, ipaddress.ip_address(address).max_prefixlen, trunk.port
        )
        for address in sorted({info[4][0] for info in infos})
    ]


def _networks(trunk: Trunk) -> list[ProviderAddress]:
    """The other networks the provider's calls may come from."""
    networks = [ipaddress.ip_network(text, strict=False) for text in trunk.inbound_networks]
    return [ProviderAddress(trunk.name, str(n.network_address), n.prefixlen) for n in networks]


def _registration(trunk: Trunk, secret: str) -> Registration | None:
    if not (trunk.register and trunk.enabled):
        return None
    return Registration(
        trunk.name,
        trunk.username,
        trunk.auth_username or trunk.username,
        secret,
        trunk.sip_domain,
        trunk.proxy_uri,
        REGISTRATION_EXPIRES_S,
    )


def _check_secret(secret: str | None) -> None:
    if secret is not None and (
        len(secret) > MAX_SECRET_LENGTH or any(not c.isprintable() for c in secret)
    ):
        raise TrunkError(f"a trunk secret is up to {MAX_SECRET_LENGTH} printable characters")


class TrunkService:
    """Trunks and outbound routes, kept in step between the database, engine and edge.

    Changes apply at once and calls in progress carry on: the engine gets the
    new credentials, the edge re-reads the trunk's registration and addresses.
    Secrets are never handed back out.
    """

    def __init__(
        self, store: TrunkStore, edge: EdgeTrunks, engine: SipEngine, rpc: EdgeRpc, edge_uri: str
    ) -> None:
        self._store = store
        self._edge_proxy = f"<{edge_uri};lr>"  # calls out leave through the edge
        self._edge = edge
        self._engine = engine
        self._rpc = rpc
        self._trunks: dict[str, Trunk] = {}
        self._routes: list[OutboundRoute] = []
        self._registrations: dict[str, int] = {}  # trunk -> uac flags, as last polled
        self._failures: dict[str, tuple[int, TrunkFailure]] = {}
        self._addresses: dict[str, list[ProviderAddress]] = {}  # as the edge has them
        self._line_groups: Callable[[], Iterable[str]] = tuple

    def set_line_groups(self, groups: Callable[[], Iterable[str]]) -> None:
        """Let routes name these groups of analog lines in their trunk lists."""
        self._line_groups = groups

    def line_groups(self) -> list[str]:
        """The groups of analog (FXO) lines routes may name in their trunk lists."""
        return sorted(self._line_groups())

    async def load(self) -> None:
        """Read trunks and routes, and write the edge's tables (before the edge starts)."""
        stored = await self._store.trunks()
        self._trunks = {trunk.name: trunk for trunk, _ in stored}
        self._routes = _ordered(await self._store.routes())
        addresses = []
        for trunk, _ in stored:
            addresses += await self._lookup(trunk)
        registrations = [r for t, s in stored if (r := _registration(t, s)) is not None]
        await self._edge.replace_all(registrations, addresses)
        for trunk, secret in stored:
            await self._set_engine_trunk(trunk, secret)

    # --- trunks ------------------------------------------------------------------------

    def trunks(self) -> list[Trunk]:
        """Every trunk, by name."""
        return [self._trunks[name] for name in sorted(self._trunks)]

    def get(self, name: str) -> Trunk:
        """One trunk; TrunkError if there is none."""
        try:
            return self._trunks[name]
        except KeyError:
            raise TrunkError(f"no trunk {name}") from None

    async def add(self, trunk: Trunk, secret: str = "") -> Trunk:
        """Create a trunk and bring it into service."""
        trunk.check()
        _check_secret(secret)
        if trunk.name in self._trunks:
            raise TrunkError(f"trunk {trunk.name} already exists")
        if len(self._trunks) >= MAX_TRUNKS:
            raise TrunkError(f"the box takes at most {MAX_TRUNKS} trunks")
        await self._store.put_trunk(trunk, secret, new=True)
        await self._apply(trunk, secret)
        logger.info("trunk %s (%s) added", trunk.name, trunk.host)
        return trunk

    async def update(self, name: str, secret: str | None = None, **changes: object) -> Trunk:
        """Change a trunk's settings, and its secret if one is given."""
        _check_secret(secret)
        try:
            trunk = dataclasses.replace(self.get(name), **changes).check()
        except TypeError as err:
            raise TrunkError(f"unknown setting: {err}") from None
        await self._store.put_trunk(trunk, secret, new=False)
        if secret is None:
            secret = await self._store.secret(name)
        await self._apply(trunk, secret)
        logger.info("trunk %s changed", name)
        return trunk

    async def delete(self, name: str) -> None:
        """Take a trunk out of service; calls through it carry on until they end."""
        users = [route.name for route in self._routes if name in route.trunks]
        if users:
            raise TrunkError(f"trunk {name} is used by routes {', '.join(users)}")
        await self._store.delete_trunk(name)
        self._trunks.pop(name, None)
        self._failures.pop(name, None)
        self._addresses.pop(name, None)
        await self._engine.set_trunk(name, "", "", self._edge_proxy)
        await self._edge.remove(name)
        await self._tell_edge(("uac.reg_remove", name), ("permissions.addressReload",))
        logger.info("trunk %s removed", name)

    async def _apply(self, trunk: Trunk, secret: str) -> None:
        self._trunks[trunk.name] = trunk
        await self._set_engine_trunk(trunk, secret)
        self._addresses.pop(trunk.name, None)  # a changed host must not keep the old one's
        addresses = await self._lookup(trunk)
        registration = _registration(trunk, secret)
        await self._edge.put(trunk.name, registration, addresses)
        reload_registration = (
            ("uac.reg_refresh", trunk.name) if registration else ("uac.reg_remove", trunk.name)
        )
        await self._tell_edge(reload_registration, ("permissions.addressReload",))

    async def _lookup(self, trunk: Trunk) -> list[ProviderAddress]:
        """The addresses a trunk's calls come from now (none while it is disabled)."""
        if not trunk.enabled:
            addresses = []
        elif (host := await asyncio.to_thread(_host_addresses, trunk)) is not None:
            addresses = host + _networks(trunk)
        else:  # DNS is down: keep what the edge knows rather than lock the provider out
            addresses = self._addresses.get(trunk.name) or _networks(trunk)
        self._addresses[trunk.name] = addresses
        return addresses

    async def _set_engine_trunk(self, trunk: Trunk, secret: str) -> None:
        username = trunk.auth_username or trunk.username
        await self._engine.set_trunk(trunk.name, username, secret, self._edge_proxy)

    async def _tell_edge(self, *commands: tuple[str, ...]) -> None:
        for method, *params in commands:
            try:
                await self._rpc.call(method, *params)
            except EdgeRpcError as err:
                # Not running, or nothing to remove: it reads the tables when it starts.
                logger.debug("%s", err)

    # --- routes ------------------------------------------------------------------------

    def routes(self) -> list[OutboundRoute]:
        """Outbound routes in the order they are tried."""
        return list(self._routes)

    async def put_route(self, route: OutboundRoute) -> OutboundRoute:
        """Create or replace an outbound route."""
        route.check()
        groups = set(self._line_groups())
        missing = [name for name in route.trunks if name not in self._trunks.keys() | groups]
        if missing:
            raise TrunkError(f"no trunk or line group {', '.join(missing)}")
        await self._store.put_route(route)
        self._routes = _ordered([r for r in self._routes if r.name != route.name] + [route])
        logger.info("outbound route %s set", route.name)
        return route

    async def delete_route(self, name: str) -> None:
        """Remove an outbound route."""
        await self._store.delete_route(name)
        self._routes = [r for r in self._routes if r.name != name]
        logger.info("outbound route %s removed", name)

    # --- health ------------------------------------------------------------------------

    def note_failure(self, name: str, status_code: int) -> None:
        """Count a call the trunk failed (a provider error, timeout or refusal)."""
        count, _ = self._failures.get(name, (0, None))
        failure = TrunkFailure(status_code, datetime.now(UTC).isoformat(timespec="seconds"))
        self._failures[name] = (count + 1, failure)

    async def watch(self, interval_s: float) -> None:
        """Poll the registrations every `interval_s`, and look the providers' hosts up
        again every few minutes (their addresses change), until cancelled."""
        loop = asyncio.get_running_loop()
        next_lookup = loop.time() + ADDRESS_REFRESH_S
        while True:
            await self.poll_registrations()
            if loop.time() >= next_lookup:
                await self.refresh_addresses()
                next_lookup = loop.time() + ADDRESS_REFRESH_S
            await asyncio.sleep(interval_s)

    async def refresh_addresses(self) -> None:
        """Give the edge each trunk's current addresses, where DNS now says otherwise."""
        changed = False
        for trunk in self.trunks():
            before = self._addresses.get(trunk.name, [])
            addresses = await self._lookup(trunk)
            if addresses != before:
                await self._edge.put_addresses(trunk.name, addresses)
                changed = True
        if changed:
            await self._tell_edge(("permissions.addressReload",))

    async def poll_registrations(self) -> None:
        """Ask the edge how each registration stands (kept for `status`)."""
        try:
            dump = await self._rpc.call("uac.reg_dump")
        except EdgeRpcError as err:
            logger.debug("%s", err)
            return
        states = {row["l_uuid"]: int(row["flags"]) for row in dump or [] if "l_uuid" in row}
        for name, flags in states.items():
            before = self._registrations.get(name)
            if before is not None and _registration_state(before) != _registration_state(flags):
                logger.warning("trunk %s: registration %s", name, _registration_state(flags))
        self._registrations = states

    def status(self) -> list[TrunkStatus]:
        """Each trunk's registration and failures."""
        return [self._status(trunk) for trunk in self.trunks()]

    def _status(self, trunk: Trunk) -> TrunkStatus:
        if not trunk.enabled:
            registration = "disabled"
        elif not trunk.register:
            registration = "not used"
        elif trunk.name in self._registrations:
            registration = _registration_state(self._registrations[trunk.name])
        else:
            registration = "registering"
        count, failure = self._failures.get(trunk.name, (0, None))
        return TrunkStatus(trunk.name, registration, count, failure)


def _ordered(routes: list[OutboundRoute]) -> list[OutboundRoute]:
    return sorted(routes, key=lambda route: (route.priority, route.name))
