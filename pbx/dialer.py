"""Connects a caller to an extension: ring it, and mirror busy, no answer and cancel."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from pbx import PbxError
from pbx.calls import CallService, Leg, wait_any
from pbx.extension_service import ExtensionService
from pbx.extensions import REALM, Extension, ExtensionError
from pbx.sip import EngineError, LegGone

logger = logging.getLogger(__name__)

NOT_FOUND = 404
UNAVAILABLE = 480
BUSY = 486
CANCELLED = 487
# What the caller hears when the callee's side fails: the callee's own cause,
# except a timeout, which a caller knows as "no answer".
_CALLER_CODE = {408: UNAVAILABLE, 487: UNAVAILABLE, 600: BUSY}

OnRinging = Callable[[], Awaitable[None]]


def caller_code(callee_code: int) -> int:
    """The code to refuse a caller with when its callee's leg failed with `callee_code`."""
    return _CALLER_CODE.get(callee_code, callee_code)


class CallRefused(PbxError):
    """A call could not be connected; `status_code` says why."""

    def __init__(self, status_code: int) -> None:
        super().__init__(f"call refused with {status_code}")
        self.status_code = status_code


class ExtensionDialer:
    """Claims calls to extension numbers and rings the phone through the edge.

    The caller hears ringing while the phone rings, and the phone's answer,
    busy or silence comes back as such; whichever side hangs up first ends the
    other, unless a transfer took that side elsewhere (`release`), and no call
    lasts longer than `max_duration_s`. Each extension takes at most its
    `max_calls` legs at once. `call` does the same for any SIP destination
    (trunks use it).
    """

    def __init__(
        self,
        calls: CallService,
        extensions: ExtensionService,
        edge_uri: Callable[[str], str],
        ring_timeout_s: float,
        max_duration_s: float = 0.0,
    ) -> None:
        self._calls = calls
        self._extensions = extensions
        self._edge_uri = edge_uri
        self._ring_timeout_s = ring_timeout_s
        self._max_duration_s = max_duration_s  # 0: calls last as long as they like
        # Each connected leg and the leg it is kept together with (both ways).
        self._together: dict[int, Leg] = {}

    async def offer(self, leg: Leg) -> bool:
        """Claim `leg` if it dials an extension, and see the call through."""
        try:
            await self._extensions.get(leg.dialled)
        except ExtensionError:
            return False
        with contextlib.suppress(LegGone):
            await self._connect(leg, leg.dialled)
        return True

    async def _presented_as(self, caller: Leg) -> str:
        """The From the callee sees: the calling extension's caller ID."""
        if caller.extension:
            with contextlib.suppress(ExtensionError):
                ext = await self._extensions.get(caller.extension)
                return f'"{ext.caller_id_name}" <sip:{ext.caller_id_number}@{REALM}>'
        name = caller.caller_name.replace('"', "")
        return f'"{name}" <sip:{caller.caller_number or "anonymous"}@{REALM}>'

    async def _over_limit(self, caller: Leg, callee: Extension) -> bool:
        if self._calls.legs_of(callee.number) >= callee.max_calls:
            return True
        if caller.extension:
            with contextlib.suppress(ExtensionError):
                own = await self._extensions.get(caller.extension)
                return self._calls.legs_of(caller.extension) > own.max_calls
        return False

    async def ring_extension(self, caller: Leg, number: str) -> None:
        """Connect `caller` to extension `number` (a destination for routed calls)."""
        try:
            await self._extensions.get(number)
        except ExtensionError:
            logger.warning(
                "call %d routed to extension %s, which does not exist", caller.leg_id, number
            )
            await self._calls.hangup(caller.leg_id, NOT_FOUND)
            return
        await self._connect(caller, number)

    async def _connect(self, caller: Leg, number: str) -> None:
        try:
            callee = await self.ring(caller, number, lambda: self._calls.ring(caller.leg_id))
        except CallRefused as refused:
            with contextlib.suppress(EngineError):
                await self._calls.hangup(caller.leg_id, refused.status_code)
            return
        await self.connect(caller, callee)

    async def ring(
        self,
        caller: Leg,
        number: str,
        on_ringing: OnRinging | None = None,
        ring_timeout_s: float = 0.0,
    ) -> Leg:
        """Ring extension `number` for `caller`, showing its caller ID, until it answers.

        Returns the answered leg. Raises CallRefused with what the caller should
        hear (404 no such extension, 486 busy, 480 no answer ...), or 487 if the
        caller hung up; nothing is left ringing then. `on_ringing` runs when the
        phone starts to ring. `ring_timeout_s` (0: routing.ring_timeout_s) bounds
        the ringing (queues and ring groups set their own).
        """
        try:
            callee = await self._extensions.get(number)
        except ExtensionError:
            raise CallRefused(NOT_FOUND) from None
        if await self._over_limit(caller, callee):
            raise CallRefused(BUSY)
        try:
            return await self._answered(
                caller,
                self._edge_uri(callee.number),
                callee.number,
                on_ringing,
                ring_timeout_s,
                from_uri=await self._presented_as(caller),
                extension=callee.number,
            )
        except CallRefused as refused:
            raise CallRefused(caller_code(refused.status_code) or CANCELLED) from None

    async def call(
        self,
        caller: Leg,
        uri: str,
        dialled: str,
        *,
        from_uri: str,
        extension: str = "",
        trunk: str = "",
        headers: dict[str, str] | None = None,
        ring_timeout_s: float = 0.0,
    ) -> int:
        """Ring `uri` for `caller` and connect the two once it answers.

        Returns 0 once the call has taken place (both legs are then hung up), or
        the callee's failure code (see `caller_code`); the caller is left up in
        that case, so that another way (the next trunk) can be tried.
        """
        try:
            callee = await self._answered(
                caller,
                uri,
                dialled,
                lambda: self._calls.ring(caller.leg_id),
                ring_timeout_s,
                from_uri=from_uri,
                extension=extension,
                trunk=trunk,
                headers=headers,
            )
        except CallRefused as refused:
            return refused.status_code
        await self.connect(caller, callee)
        return 0

    async def connect(self, a: Leg, b: Leg) -> None:
        """Bridge two legs and see the call through: when either ends, end the other.

        `a` is answered first if it still waits (a caller). A leg a transfer took
        (`release`) outlives its partner; whatever else ends the call (either
        side, the duration cap, a failure, a bug), no leg of it is left up.
        """
        self._together[a.leg_id], self._together[b.leg_id] = b, a
        try:
            await self._bridge(a, b)
            cap_s = self._max_duration_s or None
            if not await wait_any(a.ended, b.ended, timeout_s=cap_s):
                logger.warning(
                    "call %s cut after %.0f s, the longest a call may last", a.call_uid, cap_s
                )
        finally:
            for leg, partner in ((a, b), (b, a)):
                if self._together.get(leg.leg_id) is partner:
                    del self._together[leg.leg_id]
                    with contextlib.suppress(EngineError):
                        await self._calls.hangup(leg.leg_id)

    def release(self, leg: Leg) -> None:
        """Let `leg` outlive its partner: a transfer is taking it elsewhere."""
        self._together.pop(leg.leg_id, None)

    def restore(self, leg: Leg, partner: Leg) -> bool:
        """Give a released leg back to its old partner; False if the partner has gone."""
        if partner.ended.is_set() or self._together.get(partner.leg_id) is not leg:
            return False
        self._together[leg.leg_id] = partner
        return True

    async def _answered(
        self,
        caller: Leg,
        uri: str,
        dialled: str,
        on_ringing: OnRinging | None,
        ring_timeout_s: float = 0.0,
        **place,
    ) -> Leg:
        """Place a call for `caller` and ring it until it answers.

        Raises CallRefused with the callee's own code (0 if the caller left
        first); nothing is left ringing then.
        """
        ringing = await self._calls.place(uri, dialled, for_leg=caller, **place)
        code, answered = 0, False
        try:
            timeout_s = ring_timeout_s or self._ring_timeout_s
            code = await self._ring(caller, ringing, timeout_s, on_ringing)
            answered = not code and not caller.ended.is_set()
        finally:
            if not answered:
                with contextlib.suppress(EngineError):
                    await self._calls.hangup(ringing.leg_id)
        if not answered:
            raise CallRefused(code)
        return ringing

    async def _bridge(self, a: Leg, b: Leg) -> None:
        try:
            # Paired before the answer: a key pressed at once must reach the other side.
            self._calls.pair(a.leg_id, b.leg_id)
            if a.answered_at is None:
                await self._calls.answer(a.leg_id)
            await self._calls.wait_media(a.leg_id)
            await self._calls.wait_media(b.leg_id)
            await self._calls.bridge(a.leg_id, b.leg_id)
        except EngineError:
            # A leg that ended meanwhile (a phone that hangs up at once, say
            # after a transfer) is no failure; its news is already in.
            if not (a.ended.is_set() or b.ended.is_set()):
                raise

    async def _ring(
        self, caller: Leg, callee: Leg, timeout_s: float, on_ringing: OnRinging | None
    ) -> int:
        """Ring until the callee answers or the caller leaves (0), or the callee fails (its
        code; 480 when it rang too long)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        rang = False
        while True:
            watched = [caller.ended, callee.ended, callee.answered]
            if not rang:
                watched.append(callee.progress)
            if not await wait_any(*watched, timeout_s=max(deadline - loop.time(), 0)):
                return UNAVAILABLE  # no answer: the callee is cancelled on the way out
            if caller.ended.is_set():
                return 0
            if callee.answered.is_set():
                return 0
            if callee.ended.is_set():
                return callee.end_code or UNAVAILABLE
            rang = True
            if on_ringing is not None:
                await on_ringing()
