"""Handing a call on: the transferee connected with the target, what every transfer ends in."""

import contextlib

from pbx.background import BackgroundWork
from pbx.calls import CallService, Leg
from pbx.dialer import ExtensionDialer
from pbx.moh import MusicOnHold
from pbx.sip import EngineError


class Handover:
    """Connects a transferee with a target, instead of whom each was talking to.

    Used by the transfers phones ask for (REFER, `pbx.transfer`) and the ones analog
    phones make by hook flash (`pbx.flash_transfer`), so both keep calls and call
    records alike: the old pairs are parted, music stops for both, the target joins
    the transferee's call (its `call_uid`), and the dialer sees the new call through
    (when either side ends, the other is ended).
    """

    def __init__(
        self, calls: CallService, dialer: ExtensionDialer, moh: MusicOnHold, work: BackgroundWork
    ) -> None:
        self._calls = calls
        self._dialer = dialer
        self._moh = moh
        self._work = work

    async def join(self, transferee: Leg, target: Leg, *old_pairs: tuple[Leg, Leg]) -> None:
        """Connect the transferee and the target, parting each of `old_pairs` first."""
        for a, b in old_pairs:
            await self._calls.unbridge(a.leg_id, b.leg_id)
        for leg in (transferee, target):
            with contextlib.suppress(EngineError):
                await self._moh.stop(leg.leg_id)
        if target.call_uid != transferee.call_uid:
            self._calls.join_call(target.leg_id, transferee.call_uid)
        self._work.spawn(self._dialer.connect(transferee, target))

    async def replace(self, transferor: Leg, transferee: Leg, replaced: Leg, target: Leg) -> None:
        """An attended transfer: the transferor's two calls (with the transferee, and
        `replaced` with the answered target) become one between the transferee and the
        target. The transferor's legs are left up, for the caller to end."""
        self._dialer.release(transferee)
        self._dialer.release(target)
        await self.join(transferee, target, (transferor, transferee), (replaced, target))
