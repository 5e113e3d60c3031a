"""Inbound routing: a call from a provider goes to the destination of the number it dialled."""

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


class InboundRouter:
    """Claims calls that came in on a trunk and routes them by DID.

    A number the trunk does not list is refused (404) rather than guessed at,
    and a trunk at its channel limit refuses more calls (600).
    """

    def __init__(self, calls: CallService, trunks: TrunkService) -> None:
        self._calls = calls
        self._trunks = trunks
        self._handlers: dict[str, DestinationHandler] = {}

    def add_destination(self, kind: str, handler: DestinationHandler) -> None:
        """Let `handler` take calls routed to "`kind`:target"."""
        self._handlers[kind] = handler

    async def route(self, leg: Leg, destination: str) -> None:
        """Send `leg` on to `destination` ("ext:1001", "queue:sales" ...) and see it through.

        Queues and ring groups use this for their exits; an unknown kind gets 404.
        """
        try:
            kind, target = parse_destination(destination)
            handler = self._handlers[kind]
        except (TrunkError, KeyError):
            logger.warning("call %d sent to unknown destination %r", leg.leg_id, destination)
            await self._calls.hangup(leg.leg_id, NOT_FOUND)
            return
        await handler(leg, target)

    async def offer(self, leg: Leg) -> bool:
        """Claim `leg` if it came in on a trunk, and route it."""
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
        kind, target = parse_destination(destination)
        logger.info(
            "call %d on trunk %s to %s goes to %s", leg.leg_id, trunk.name, leg.dialled, destination
        )
        await self._handlers[kind](leg, target)
        return True


def _other_form(number: str) -> str:
    """A DID as the provider may also write it: with or without the leading "+"."""
    return number[1:] if number.startswith("+") else "+" + number
