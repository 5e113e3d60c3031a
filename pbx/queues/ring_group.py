"""Ring groups: one destination that rings several extensions, all at once or in order."""

import contextlib
import logging
from collections.abc import Awaitable, Callable

from pbx.calls import CallService, Leg
from pbx.dialer import ExtensionDialer
from pbx.queues import QueueError
from pbx.queues.ringing import NoAnswer, Ringer
from pbx.queues.settings import RingGroup
from pbx.sip import EngineError, LegGone

logger = logging.getLogger(__name__)
NOT_FOUND = 404
NO_ANSWER = 480


class RingGroups:
    """Serves the `group:<name>` destination.

    The caller hears ringing while members ring, and is connected to the first who
    answers. Busy members and members not registered are passed over. With
    nobody answering, the caller goes to the group's no-answer destination.
    """

    def __init__(
        self,
        calls: CallService,
        dialer: ExtensionDialer,
        route: Callable[[Leg, str], Awaitable[None]],
    ) -> None:
        self._calls = calls
        self._dialer = dialer
        self._ringer = Ringer(calls, dialer)
        self._route = route
        self._groups: dict[str, RingGroup] = {}

    def configure(self, group: RingGroup) -> None:
        """Add or replace a group (calls ringing it carry on as they started)."""
        self._groups[group.name] = group

    def remove(self, name: str) -> None:
        """Remove a group."""
        if self._groups.pop(name, None) is None:
            raise QueueError(f"no group {name}")

    def groups(self) -> list[RingGroup]:
        return [self._groups[n] for n in sorted(self._groups)]

    def by_number(self, number: str) -> RingGroup | None:
        """The group phones reach by dialling `number`."""
        return next((g for g in self._groups.values() if g.number and g.number == number), None)

    async def take(self, leg: Leg, name: str) -> None:
        """Ring the group for `leg` and see the call through."""
        group = self._groups.get(name)
        if group is None:
            logger.warning("call %d sent to group %s, which does not exist", leg.leg_id, name)
            await self._calls.hangup(leg.leg_id, NOT_FOUND)
            return
        ring = self._ringer.first_answer if group.strategy == "ring-all" else self._ringer.in_turn
        try:
            answered, number = await ring(
                leg,
                list(group.members),
                group.ring_timeout_s,
                lambda: self._calls.ring(leg.leg_id),
            )
        except NoAnswer:
            if leg.ended.is_set():
                return
            with contextlib.suppress(LegGone, EngineError):
                if group.no_answer_destination:
                    await self._route(leg, group.no_answer_destination)
                else:
                    await self._calls.hangup(leg.leg_id, NO_ANSWER)
            return
        logger.info("group %s: call %d answered by %s", name, leg.leg_id, number)
        await self._dialer.connect(leg, answered)
