"""Ringing several extensions for one caller: the first to answer takes the call."""

import asyncio
import contextlib

from pbx import PbxError
from pbx.calls import CallService, Leg
from pbx.dialer import CallRefused, ExtensionDialer, OnRinging
from pbx.sip import EngineError


class NoAnswer(PbxError):
    """Nobody answered; `codes` has each extension's failure (480 no answer, 486 busy ...)."""

    def __init__(self, codes: dict[str, int]) -> None:
        super().__init__(f"no answer: {codes}")
        self.codes = codes


class Ringer:
    """Rings extensions for a caller, at once or in turn, through the extension dialer."""

    def __init__(self, calls: CallService, dialer: ExtensionDialer) -> None:
        self._calls = calls
        self._dialer = dialer

    async def first_answer(
        self,
        caller: Leg,
        numbers: list[str],
        ring_timeout_s: float,
        on_ringing: OnRinging | None = None,
    ) -> tuple[Leg, str]:
        """Ring every number at once; returns the first answered leg and its number.

        The others stop ringing (one that answered in the same instant is hung up).
        Raises NoAnswer when none answered within `ring_timeout_s`.
        """
        on_ringing = _once(on_ringing)
        tasks = {
            asyncio.ensure_future(self._dialer.ring(caller, n, on_ringing, ring_timeout_s)): n
            for n in numbers
        }
        codes: dict[str, int] = {}
        pending = set(tasks)
        try:
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                answered = [t for t in done if not t.cancelled() and t.exception() is None]
                for task in done - set(answered):
                    error = task.exception()
                    if not isinstance(error, CallRefused):
                        raise error
                    codes[tasks[task]] = error.status_code
                if answered:
                    await self._hang_up(t.result() for t in answered[1:])
                    return answered[0].result(), tasks[answered[0]]
            raise NoAnswer(codes)
        finally:
            for task in pending:
                task.cancel()
            outcomes = await asyncio.gather(*pending, return_exceptions=True)
            await self._hang_up(o for o in outcomes if isinstance(o, Leg))

    async def in_turn(
        self,
        caller: Leg,
        numbers: list[str],
        ring_timeout_s: float,
        on_ringing: OnRinging | None = None,
    ) -> tuple[Leg, str]:
        """Ring each number for `ring_timeout_s`, one after another, until one answers."""
        on_ringing = _once(on_ringing)
        codes: dict[str, int] = {}
        for number in numbers:
            try:
                return await self._dialer.ring(caller, number, on_ringing, ring_timeout_s), number
            except CallRefused as refused:
                codes[number] = refused.status_code
                if caller.ended.is_set():
                    break
        raise NoAnswer(codes)

    async def _hang_up(self, legs) -> None:
        for leg in legs:
            with contextlib.suppress(EngineError):
                await self._calls.hangup(leg.leg_id)


def _once(on_ringing: OnRinging | None) -> OnRinging | None:
    """The caller is told it rings once, however many phones ring."""
    if on_ringing is None:
        return None
    told = False

    async def tell() -> None:
        nonlocal told
        if not told:
            told = True
            await on_ringing()

    return tell
