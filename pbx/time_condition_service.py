"""Time conditions at work: calls routed by them, and night mode by API or feature code."""

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from pbx.calls import CallService, Leg
from pbx.catalog import Catalog, SettingError
from pbx.prompt_player import PromptPlayer
from pbx.prompts import PromptLibrary
from pbx.sip import LegGone
from pbx.time_conditions import TimeCondition

logger = logging.getLogger(__name__)

Send = Callable[[Leg, str], Awaitable[None]]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real time, aware (the default clock)."""
    return datetime.now(UTC)


class TimeConditionService:
    """Routes calls by their time condition's state now, and toggles night mode.

    `clock` gives the current instant; tests pass their own instead of waiting
    for office hours. Night mode is the "closed" override: set through the API
    (CallFlows.set_override), or toggled by an extension dialling the
    condition's feature code, which then hears "activated" or "de-activated".
    """

    def __init__(
        self,
        catalog: Catalog[TimeCondition],
        calls: CallService,
        player: PromptPlayer,
        prompts: PromptLibrary,
        *,
        send: Send,
        clock: Clock = utc_now,
    ) -> None:
        self._catalog = catalog
        self._calls = calls
        self._player = player
        self._prompts = prompts
        self._send = send
        self._clock = clock

    async def route(self, leg: Leg, name: str) -> None:
        """Destination handler "tc:<name>": send the call where the condition says now."""
        try:
            condition = self._catalog.get(name)
        except SettingError:
            logger.error("call %d: no time condition %s", leg.leg_id, name)
            await self._send(leg, "hangup")
            return
        is_open, why = condition.state_at(self._clock())
        destination = condition.open_destination if is_open else condition.closed_destination
        logger.info("call %d: time condition %s says %s (%s)", leg.leg_id, name, destination, why)
        await self._send(leg, destination)

    async def offer(self, leg: Leg) -> bool:
        """Claim an extension's call to a night-mode feature code, and toggle it."""
        if not leg.extension or leg.trunk:
            return False
        condition = next(
            (c for c in self._catalog.items() if c.feature_code and c.feature_code == leg.dialled),
            None,
        )
        if condition is None:
            return False
        night = condition.override != "closed"
        await self._catalog.set(condition.name, override="closed" if night else "auto")
        logger.warning(
            "extension %s turned night mode %s for %s",
            leg.extension,
            "on" if night else "off",
            condition.name,
        )
        with contextlib.suppress(LegGone):
            await self._player.answer(leg)
            files = await self._prompts.files(("activated" if night else "de-activated",))
            await self._player.play(leg, files)
            await self._calls.hangup(leg.leg_id)
        return True
