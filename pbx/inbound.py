"""Inbound routing: a call from a provider, or in on an FXO line, goes to the destination
its route names."""

import contextlib
import logging
from collections.abc import Awaitable, Callable

from pbx.calls import CallService, Leg
from pbx.inbound_routes import InboundRoute, choose, line_own_route, trunk_did_routes
from pbx.sip import LegGone
from pbx.trunk_service import TrunkService
from pbx.trunks import BARE_DESTINATION_KINDS, DESTINATION_KINDS, TrunkError, parse_destination

logger = logging.getLogger(__name__)

NOT_FOUND = 404
LOOP_DETECTED = 482
BUSY_EVERYWHERE = 600
# Destinations leading to destinations (a time condition to a menu to a submenu)
# nest; past this depth a call is taken to be in a loop and ended.
MAX_HOPS = 50

# Connects a routed caller to a destination's target ("101" of "ext:101"; "" for a
# bare kind such as "hangup") and sees the call through. Queues and IVRs add their kinds.
DestinationHandler = Callable[[Leg, str], Awaitable[None]]


# An FXO line's own destination ("ext:1001"; "" if it has none); None for a line that
# takes no calls in (an FXS port's phone calls the PBX as an extension).
LineDestinations = Callable[[str], str | None]


class InboundRouter:
    """Claims calls that came in on a trunk or an FXO line and routes them (see
    pbx.inbound_routes). A line's own destination is its catch-all route.

    A call no route takes is refused (404) rather than guessed at, and a trunk
    at its channel limit refuses more calls (600). `routes` gives the stored
    inbound routes as they are now; each trunk's DID list adds its own.
    """

    def __init__(
        self,
        calls: CallService,
        trunks: TrunkService,
        routes: Callable[[], list[InboundRoute]] = list,
        line_destinations: LineDestinations | None = None,
        on_route: Callable[[Leg, InboundRoute], None] = lambda _leg, _route: None,
    ) -> None:
        self._calls = calls
        self._trunks = trunks
        self._routes = routes
        self._line_destinations = line_destinations
        self._on_route = on_route  # a call takes a route: its recording policy counts
        self._handlers: dict[str, DestinationHandler] = {}
        self._hops: dict[int, int] = {}  # leg -> destinations it is in now, nested

    def add_destination(
        self, kind: str, handler: DestinationHandler, *, bare: bool = False
    ) -> None:
        """Let `handler` take calls routed to "`kind`:target" (to "`kind`" if `bare`)."""
        self._handlers[kind] = handler
        DESTINATION_KINDS.add(kind)
        if bare:
            BARE_DESTINATION_KINDS.add(kind)

    async def offer(self, leg: Leg) -> bool:
        """Claim `leg` if it came in on a trunk or on an FXO line, and route it."""
        if self._is_fxo(leg.line):
            await self._offer_line(leg)
            return True
        if not leg.trunk:
            return False
        try:
            trunk = self._trunks.get(leg.trunk)
        except TrunkError:
            logger.warning("call %d on unknown trunk %s refused", leg.leg_id, leg.trunk)
            await self._calls.hangup(leg.leg_id, NOT_FOUND)
            return True
        routes = self._routes() + trunk_did_routes(trunk.name, trunk.dids)
        route = choose(routes, "trunk", trunk.name, leg.dialled, leg.caller_number)
        if route is None or not trunk.enabled:
            logger.warning(
                "call %d on trunk %s from %s to %s: no route",
                leg.leg_id,
                trunk.name,
                leg.caller_number,
                leg.dialled,
            )
            await self._calls.hangup(leg.leg_id, NOT_FOUND)
            return True
        if trunk.max_channels and self._calls.legs_on(trunk.name) > trunk.max_channels:
            await self._calls.hangup(leg.leg_id, BUSY_EVERYWHERE)
            return True
        logger.info(
            "call %d on trunk %s to %s takes route %s to %s",
            leg.leg_id,
            trunk.name,
            leg.dialled,
            route.name,
            route.destination,
        )
        self._on_route(leg, route)
        await self.send(leg, route.destination)
        return True

    def line_route(self, line: str, caller: str) -> InboundRoute | None:
        """The route a call in on FXO line `line` from `caller` takes: a stored route
        for lines, else the line's own destination. None: the line is not answered."""
        if not self._is_fxo(line):
            return None
        routes = self._routes() + line_own_route(line, self._line_destinations(line))
        return choose(routes, "line", line, "", caller)

    def _is_fxo(self, line: str) -> bool:
        return bool(line and self._line_destinations and self._line_destinations(line) is not None)

    async def _offer_line(self, leg: Leg) -> None:
        route = self.line_route(leg.line, leg.caller_number)
        if route is None:  # the route the line was answered for is gone since
            logger.warning("call %d on line %s: no route", leg.leg_id, leg.line)
            await self._end(leg, NOT_FOUND)
            return
        logger.info(
            "call %d on line %s from %s takes route %s to %s",
            leg.leg_id,
            leg.line,
            leg.caller_number,
            route.name,
            route.destination,
        )
        self._on_route(leg, route)
        await self.send(leg, route.destination)

    async def send(self, leg: Leg, destination: str) -> None:
        """Hand `leg` to `destination` and see the call through (menus, time conditions
        and announcements pass their callers on with this)."""
        depth = self._hops.get(leg.leg_id, 0)
        try:
            kind, target = parse_destination(destination)
            handler = self._handlers[kind]
        except (TrunkError, KeyError):
            logger.error("call %d: destination %r does not exist", leg.leg_id, destination)
            await self._end(leg, NOT_FOUND)
            return
        if depth >= MAX_HOPS:
            logger.error("call %d: routing loop at %s; call ended", leg.leg_id, destination)
            await self._end(leg, LOOP_DETECTED)
            return
        self._hops[leg.leg_id] = depth + 1
        try:
            await handler(leg, target)
        finally:
            if depth:
                self._hops[leg.leg_id] = depth
            else:
                del self._hops[leg.leg_id]

    async def _end(self, leg: Leg, status_code: int) -> None:
        with contextlib.suppress(LegGone):
            await self._calls.hangup(leg.leg_id, status_code if leg.answered_at is None else 0)
