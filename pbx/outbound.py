"""Outbound calls: an extension dials an outside number, a route picks the trunks."""

import contextlib
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Protocol

from pbx.bus import EventBus
from pbx.calls import LINE_SCHEME, CallService, Leg
from pbx.dialer import ExtensionDialer, caller_code
from pbx.events import SecurityEvent
from pbx.extension_service import ExtensionService
from pbx.extensions import Extension, ExtensionError, Permission
from pbx.numbering import NumberError, NumberPlan
from pbx.sip import EngineError
from pbx.trunk_service import TrunkService
from pbx.trunks import OutboundRoute, Trunk, TrunkError

logger = logging.getLogger(__name__)

EMERGENCY = Permission.EMERGENCY
FORBIDDEN = 403
UNAVAILABLE = 503
# Answers that say something about the provider, not the number: another
# trunk may do better. Busy, unknown number or a caller's cancel end the call.
FAILOVER_CODES = frozenset({0, 401, 403, 407, 408, 500, 502, 503, 504})


class LineGroups(Protocol):
    """Groups of FXO lines an outbound route may name in its trunk list, like a trunk."""

    def groups(self) -> set[str]: ...

    def free_lines(self, group: str) -> list[str]: ...


class CallRate:
    """Calls out per extension within the last second: a phone taken over by a fraudster
    dials premium numbers in parallel, faster than anyone at a desk."""

    def __init__(self, per_s: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_s = per_s
        self._clock = clock
        self._recent: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, extension: str) -> bool:
        """Count a call by `extension`; False if it is over the rate."""
        now = self._clock()
        recent = self._recent[extension]
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        if len(recent) >= self._per_s:
            return False
        recent.append(now)
        return True


class OutboundDialer:
    """Claims calls from extensions to numbers an outbound route matches.

    The caller's permission class must cover both the route and what the number
    is (an international number stays international whatever the route says);
    a refused call never reaches a provider. Trunks are tried in the route's
    order, going on to the next when a provider fails. A name in the trunk list
    may be a group of FXO lines (`lines`): its free lines are tried in turn, and
    the number is dialled on the line as the route made it (no reformatting: a
    phone-company line takes what a phone on it would dial).
    """

    def __init__(
        self,
        calls: CallService,
        *,
        extensions: ExtensionService,
        trunks: TrunkService,
        dialer: ExtensionDialer,
        plan: NumberPlan,
        bus: EventBus,
        ring_timeout_s: float,
        calls_per_s: int = 5,
        lines: LineGroups | None = None,
    ) -> None:
        self._calls = calls
        self._lines = lines
        self._extensions = extensions
        self._trunks = trunks
        self._dialer = dialer
        self._plan = plan
        self._bus = bus
        self._ring_timeout_s = ring_timeout_s
        self._rate = CallRate(calls_per_s)

    async def offer(self, leg: Leg) -> bool:
        """Claim `leg` if an extension dials a number some route matches."""
        if not leg.extension or leg.trunk:
            return False
        match = self._match(leg.dialled)
        if match is None:
            return False
        route, number = match
        if not self._rate.allow(leg.extension):
            logger.warning(
                "extension %s calls out too fast; call to %s refused", leg.extension, number
            )
            self._bus.publish(
                SecurityEvent("call-rate", f"extension {leg.extension}", leg.extension)
            )
            await self._calls.hangup(leg.leg_id, UNAVAILABLE)
            return True
        try:
            caller = await self._extensions.get(leg.extension)
            if not self._allowed(caller, route, number):
                await self._calls.hangup(leg.leg_id, FORBIDDEN)
                return True
        except (ExtensionError, NumberError) as err:
            logger.warning("call %d to %s refused: %s", leg.leg_id, leg.dialled, err)
            await self._calls.hangup(leg.leg_id, FORBIDDEN)
            return True
        code = await self._try_trunks(leg, caller, route, number)
        if code:
            with contextlib.suppress(EngineError):
                await self._calls.hangup(leg.leg_id, caller_code(code))
        return True

    def _match(self, dialled: str) -> tuple[OutboundRoute, str] | None:
        for route in self._trunks.routes():
            number = route.dialled_number(dialled)
            if number:
                return route, number
        if dialled in self._plan.emergency_numbers:
            # No route forgot the emergency services: every trunk in service, in turn.
            trunks = tuple(t.name for t in self._trunks.trunks() if t.enabled)
            trunks += tuple(sorted(self._line_groups()))
            if trunks:
                return OutboundRoute("emergency", (dialled,), trunks, permission=EMERGENCY), dialled
        return None

    def _allowed(self, caller: Extension, route: OutboundRoute, number: str) -> bool:
        needed = max(route.permission, self._plan.classify(number))
        if caller.permission >= needed:
            return True
        logger.warning(
            "extension %s (%s) may not dial %s, a %s number",
            caller.number,
            caller.permission.name.lower(),
            number,
            needed.name.lower(),
        )
        self._bus.publish(SecurityEvent("call-barred", f"extension {caller.number}", caller.number))
        return False

    async def _try_trunks(
        self, leg: Leg, caller: Extension, route: OutboundRoute, number: str
    ) -> int:
        """Try each trunk in turn; 0 once one carried the call, else the last failure."""
        code = UNAVAILABLE
        for name in route.trunks:
            if name in self._line_groups():
                code = await self._through_lines(leg, name, number)
            else:
                trunk = self._usable_trunk(name)
                if trunk is None:
                    continue
                code = await self._through(leg, caller, trunk, number)
                if code and not leg.ended.is_set():
                    self._trunks.note_failure(name, code)
            if code == 0 or leg.ended.is_set():
                return 0
            logger.warning("call %d to %s failed on %s: %d", leg.leg_id, number, name, code)
            if code not in FAILOVER_CODES:
                break
        return code

    def _usable_trunk(self, name: str) -> Trunk | None:
        """The trunk `name` if it exists, is enabled and has a channel free."""
        try:
            trunk = self._trunks.get(name)
        except TrunkError:
            return None
        if not trunk.enabled or (
            trunk.max_channels and self._calls.legs_on(name) >= trunk.max_channels
        ):
            return None
        return trunk

    def _line_groups(self) -> set[str]:
        return self._lines.groups() if self._lines is not None else set()

    async def _through_lines(self, leg: Leg, group: str, number: str) -> int:
        """Call `number` on the free lines of `group` in turn; 0 once one carried it."""
        code = UNAVAILABLE
        for line in self._lines.free_lines(group):
            code = await self._dialer.call(
                leg,
                f"{LINE_SCHEME}{line};dial={number}",
                number,
                from_uri="",
                ring_timeout_s=self._ring_timeout_s,
            )
            if code != UNAVAILABLE or leg.ended.is_set():
                break  # a line taken by another call, or without dial tone: the next
            logger.warning("call %d to %s: line %s could not call out", leg.leg_id, number, line)
        return code

    async def _through(self, leg: Leg, caller: Extension, trunk: Trunk, number: str) -> int:
        dialled = self._plan.formatted(number, trunk.number_format)
        presented = (
            caller.caller_id_number
            if caller.caller_id_number != caller.number
            else trunk.caller_id or caller.caller_id_number
        )
        domain = trunk.sip_domain
        return await self._dialer.call(
            leg,
            f"sip:{dialled}@{domain}",
            dialled,
            from_uri=f'"{caller.caller_id_name}" <sip:{trunk.from_user or presented}@{domain}>',
            trunk=trunk.name,
            headers={
                "X-Callbox-Route": trunk.proxy_uri,
                "P-Asserted-Identity": f"<sip:{presented}@{domain}>",
            },
            ring_timeout_s=self._ring_timeout_s,
        )
