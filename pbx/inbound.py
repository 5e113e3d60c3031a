"""Inbound routing: a call from a provider goes to the destination of the number it dialled,
and a call in on an analog line to the line's destination."""

import logging
from collections.abc import Awaitable, Callable

from pbx.calls import CallService, Leg
from pbx.trunk_service import TrunkService
from pbx.trunks import TrunkError, parse_destination

logger = logging.getLogger(__name__)

NOT_FOUND = 404
BUSY_EVERYWHERE = 600

# Connects a routed caller to a destination's target ("101" of "ext:101") and sees
# the call through. Queues and IVRs add their kinds.
DestinationHandler = Callable[[Leg, str], Awaitable[None]]


# The destination of calls coming in on an analog line ("ext:1001"), None if it has none.
LineDestinations = Callable[[str], str | None]


class InboundRouter:
    """Claims calls that came in on a trunk and routes them by DID, and calls that came in
    on an FXO line, routed by the line's destination.

    A number the trunk does not list is refused (404) rather than guessed at,
    and a trunk at its channel limit refuses more calls (600).
    """

    def __init__(
        self,
        calls: CallService,
        trunks: TrunkService,
        line_destinations: LineDestinations | None = None,
    ) -> None:
        self._calls = calls
        self._trunks = trunks
        self._line_destinations = line_destinations
        self._handlers: dict[str, DestinationHandler] = {}

    def add_destination(self, kind: str, handler: DestinationHandler) -> None:
        """Let `handler` take calls routed to "`kind`:target"."""
        self._handlers[kind] = handler

    async def offer(self, leg: Leg) -> bool:
        """Claim `leg` if it came in on a trunk or a line with a destination, and route it."""
        if leg.line and self._line_destinations is not None:
            destination = self._line_destinations(leg.line)
            if destination is not None:
                await self._route(leg, destination, f"line {leg.line}")
                return True
        if not leg.trunk:
            return False
        try:
            trunk = self._trunks.get(leg.trunk)
        except TrunkError:
            logger.warning("call %d on unknown trunk %s refused", leg.leg_id, leg.trunk)
            await self._calls.hangup(leg.leg_id, NOT_FOUND)
            return True
        destination = trunk.dids.get(leg.dialled) or trunk.dids.get(_other_form(leg.dialled))
        if destination is None or not trunk.enabled:
            logger.warning(
                "call %d on trunk %s to %s: no such DID", leg.leg_id, trunk.name, leg.dialled
            )
            await self._calls.hangup(leg.leg_id, NOT_FOUND)
            return True
        if trunk.max_channels and self._calls.legs_on(trunk.name) > trunk.max_channels:
            await self._calls.hangup(leg.leg_id, BUSY_EVERYWHERE)
            return True
        await self._route(leg, destination, f"trunk {trunk.name} to {leg.dialled}")
        return True

    async def _route(self, leg: Leg, destination: str, came: str) -> None:
        kind, target = parse_destination(destination)
        logger.info("call %d on %s goes to %s", leg.leg_id, came, destination)
        await self._handlers[kind](leg, target)


def _other_form(number: str) -> str:
    """A DID as the provider may also write it: with or without the leading "+"."""
    return number[1:] if number.startswith("+") else "+" + number
