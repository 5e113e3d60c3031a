"""Connects a caller to an extension: ring it, and mirror busy, no answer and cancel."""

import asyncio
import contextlib
import logging
from collections.abc import Callable

from pbx.calls import CallService, Leg, wait_any
from pbx.extension_service import ExtensionService
from pbx.extensions import REALM, Extension, ExtensionError
from pbx.sip import EngineError, LegGone

logger = logging.getLogger(__name__)

BUSY = 486
NOT_FOUND = 404
UNAVAILABLE = 480
# What the caller hears when the callee's side fails: the callee's own cause,
# except a timeout, which a caller knows as "no answer".
_CALLER_CODE = {408: UNAVAILABLE, 487: UNAVAILABLE, 600: BUSY}


def caller_code(callee_code: int) -> int:
    """The code to refuse a caller with when its callee's leg failed with `callee_code`."""
    return _CALLER_CODE.get(callee_code, callee_code)


class ExtensionDialer:
    """Claims calls to extension numbers and rings the phone through the edge.

    The caller hears ringing while the phone rings, and the phone's answer,
    busy or silence comes back as such; whichever side hangs up first ends the
    other, and no call lasts longer than `max_duration_s`. Each extension takes
    at most its `max_calls` legs at once. `call` does the same for any SIP
    destination (trunks use it).
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

    async def offer(self, leg: Leg) -> bool:
        """Claim `leg` if it dials an extension, and see the call through."""
        try:
            callee = await self._extensions.get(leg.dialled)
        except ExtensionError:
            return False
        with contextlib.suppress(LegGone):
            await self._connect(leg, callee)
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
            callee = await self._extensions.get(number)
        except ExtensionError:
            logger.warning(
                "call %d routed to extension %s, which does not exist", caller.leg_id, number
            )
            await self._calls.hangup(caller.leg_id, NOT_FOUND)
            return
        await self._connect(caller, callee)

    async def _connect(self, caller: Leg, callee: Extension) -> None:
        if await self._over_limit(caller, callee):
            await self._calls.hangup(caller.leg_id, BUSY)
            return
        refusal = await self.call(
            caller,
            self._edge_uri(callee.number),
            callee.number,
            from_uri=await self._presented_as(caller),
            extension=callee.number,
        )
        if refusal:
            with contextlib.suppress(EngineError):
                await self._calls.hangup(caller.leg_id, caller_code(refusal))

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
        ringing = await self._calls.place(
            uri,
            dialled,
            from_uri=from_uri,
            extension=extension,
            for_leg=caller,
            headers=headers,
            trunk=trunk,
        )
        connected = False
        try:
            refusal = await self._ring(caller, ringing, ring_timeout_s or self._ring_timeout_s)
            if refusal or caller.ended.is_set():
                return refusal
            connected = True
            await self._talk(caller, ringing)
            return 0
        finally:
            # Whatever ended the call (either side, a refusal, a bug), no leg of it
            # may be left ringing or connected.
            for leg in (caller, ringing) if connected else (ringing,):
                with contextlib.suppress(EngineError):
                    await self._calls.hangup(leg.leg_id)

    async def _talk(self, caller: Leg, callee: Leg) -> None:
        self._calls.pair(caller.leg_id, callee.leg_id)
        await self._calls.answer(caller.leg_id)
        await self._calls.wait_media(caller.leg_id)
        await self._calls.wait_media(callee.leg_id)
        await self._calls.bridge(caller.leg_id, callee.leg_id)
        cap_s = self._max_duration_s or None
        if not await wait_any(caller.ended, callee.ended, timeout_s=cap_s):
            logger.warning(
                "call %s cut after %.0f s, the longest a call may last", caller.call_uid, cap_s
            )

    async def _ring(self, caller: Leg, callee: Leg, timeout_s: float) -> int:
        """Ring until the callee answers (0) or fails (its code; 480 when it rang too long)."""
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
            await self._calls.ring(caller.leg_id)
