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
UNAVAILABLE = 480
# What the caller hears when the callee's side fails: the callee's own cause,
# except a timeout, which a caller knows as "no answer".
_CALLER_CODE = {408: UNAVAILABLE, 487: UNAVAILABLE, 600: BUSY}


class ExtensionDialer:
    """Claims calls to extension numbers and rings the phone through the edge.

    The caller hears ringing while the phone rings, and the phone's answer,
    busy or silence comes back as such; whichever side hangs up first ends the
    other. Each extension takes at most its `max_calls` legs at once.
    """

    def __init__(
        self,
        calls: CallService,
        extensions: ExtensionService,
        edge_uri: Callable[[str], str],
        ring_timeout_s: float,
    ) -> None:
        self._calls = calls
        self._extensions = extensions
        self._edge_uri = edge_uri
        self._ring_timeout_s = ring_timeout_s

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

    async def _connect(self, caller: Leg, callee: Extension) -> None:
        if await self._over_limit(caller, callee):
            await self._calls.hangup(caller.leg_id, BUSY)
            return
        ringing = await self._calls.place(
            self._edge_uri(callee.number),
            callee.number,
            from_uri=await self._presented_as(caller),
            extension=callee.number,
            for_leg=caller,
        )
        try:
            await self._see_through(caller, ringing)
        finally:
            # Whatever ended the call (either side, a refusal, a bug), no leg of it
            # may be left ringing or connected.
            for leg in (caller, ringing):
                with contextlib.suppress(EngineError):
                    await self._calls.hangup(leg.leg_id)

    async def _see_through(self, caller: Leg, ringing: Leg) -> None:
        refusal = await self._ring(caller, ringing)
        if refusal:
            await self._calls.hangup(caller.leg_id, refusal)
            return
        if caller.ended.is_set():
            return
        self._calls.pair(caller.leg_id, ringing.leg_id)
        await self._calls.answer(caller.leg_id)
        await self._calls.wait_media(caller.leg_id)
        await self._calls.wait_media(ringing.leg_id)
        await self._calls.bridge(caller.leg_id, ringing.leg_id)
        await wait_any(caller.ended, ringing.ended)

    async def _ring(self, caller: Leg, callee: Leg) -> int:
        """Ring until the callee answers (0) or the call fails (the caller's refusal code)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._ring_timeout_s
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
                return _CALLER_CODE.get(callee.end_code, callee.end_code or UNAVAILABLE)
            rang = True
            await self._calls.ring(caller.leg_id)
