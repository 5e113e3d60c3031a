"""Call transfer: a phone hands its call on, to a number (blind) or to its other call (attended)."""

import asyncio
import contextlib
import logging

from pbx.background import BackgroundWork
from pbx.bus import EventBus
from pbx.calls import CallService, Leg, wait_any
from pbx.dialer import CallRefused, ExtensionDialer
from pbx.events import TransferCompleted, TransferFailed, TransferRequested
from pbx.handover import Handover
from pbx.moh import MusicOnHold
from pbx.sip import EngineError, LegGone, SipEngine

logger = logging.getLogger(__name__)

RINGING = 180
OK = 200
FORBIDDEN = 403
GONE = 481  # the call to transfer, or to replace, does not exist (any more)
PENDING = 491  # a transfer of the same call is under way
SERVER_ERROR = 500
# A transferor's phone hangs up once told the transfer worked; one that stays on
# is released after this long, so its last NOTIFY is not overtaken by a BYE.
TRANSFEROR_GRACE_S = 3.0


class TransferService:
    """Carries out the transfers phones ask for with REFER, as a PBX user expects.

    The transferor is the phone asking; the transferee is the other side of its call.

    - Blind (Refer-To a number): the number is rung for the transferee, showing
      the transferee's caller ID, and they are connected when it answers. Meanwhile
      the transferee hears what it heard: music, as the transferor's phone holds
      the call before transferring it (and music as soon as the transferor hangs
      up). If the target is busy, does not answer or does not exist, the
      transferee goes back to the transferor: still on the line, or rung again
      (a recall, with the transferee's caller ID) if the transferor hung up. If
      nobody takes the recall, the transferee's call ends.
    - Attended (Refer-To with Replaces naming the transferor's other, answered
      call): the transferee and the other side of that call are connected at
      once, and both of the transferor's legs end.

    The transferor's phone hears how it goes (NOTIFY 180, 200 or the failure's
    code). After a success it is released: its own BYE, or the box's after
    TRANSFEROR_GRACE_S. Each transfer ends with a TransferCompleted or
    TransferFailed event.
    """

    def __init__(
        self,
        calls: CallService,
        engine: SipEngine,
        dialer: ExtensionDialer,
        moh: MusicOnHold,
        bus: EventBus,
    ) -> None:
        self._calls = calls
        self._engine = engine
        self._dialer = dialer
        self._moh = moh
        self._bus = bus
        self._moving: set[int] = set()  # transferees of the transfers under way
        self._work = BackgroundWork("transfer work")
        self._handover = Handover(calls, dialer, moh, self._work)
        bus.subscribe(TransferRequested, self._handle_requested)

    def _handle_requested(self, event: TransferRequested) -> None:
        self._work.spawn(self._carry_out(event))

    async def _carry_out(self, request: TransferRequested) -> None:
        transferor = transferee = target = None
        code = SERVER_ERROR
        try:
            transferor = self._calls.leg(request.leg_id)
            transferee = self._transferee_of(transferor)
            self._moving.add(transferee.leg_id)
            move = self._attended if request.replaces else self._blind
            target = await move(request, transferor, transferee)
            code = OK
        except CallRefused as refused:
            code = refused.status_code
        except LegGone:
            code = GONE
        except Exception:
            logger.exception("transfer %d failed", request.transfer_id)
        finally:
            with contextlib.suppress(EngineError):
                await self._engine.report_transfer(request.transfer_id, code)
        await self._finish(request, code, transferor, transferee, target)

    async def _finish(
        self,
        request: TransferRequested,
        code: int,
        transferor: Leg | None,
        transferee: Leg | None,
        target: Leg | None,
    ) -> None:
        kind = "attended" if request.replaces else "blind"
        logger.info(
            "transfer %d (%s) from leg %d: %d", request.transfer_id, kind, request.leg_id, code
        )
        transferee_id = transferee.leg_id if transferee else 0
        if target is None:
            self._bus.publish(
                TransferFailed(request.transfer_id, kind, request.leg_id, transferee_id, code)
            )
            if transferee is not None and kind == "blind":
                await self._give_back(transferee, transferor)
        else:
            self._bus.publish(
                TransferCompleted(
                    request.transfer_id, kind, request.leg_id, transferee_id, target.leg_id
                )
            )
        self._moving.discard(transferee_id)
        if target is not None:
            await self._release(transferor)

    def _transferee_of(self, transferor: Leg) -> Leg:
        partner = self._calls.partner_of(transferor.leg_id)
        if partner is None:
            raise CallRefused(FORBIDDEN)  # no other side to hand on
        if partner in self._moving:
            raise CallRefused(PENDING)
        return self._calls.leg(partner)

    async def _blind(self, request: TransferRequested, transferor: Leg, transferee: Leg) -> Leg:
        self._dialer.release(transferee)
        music = asyncio.ensure_future(self._music_when_left(transferor, transferee))
        try:
            target = await self._dialer.ring(
                transferee,
                request.target,
                lambda: self._engine.report_transfer(request.transfer_id, RINGING),
            )
        finally:
            music.cancel()
        await self._handover.join(transferee, target, (transferor, transferee))
        return target

    async def _attended(self, request: TransferRequested, transferor: Leg, transferee: Leg) -> Leg:
        replaced = self._calls.leg(request.replaces_leg)
        if (
            replaced is transferor
            or not transferor.extension
            or replaced.extension != transferor.extension
        ):
            raise CallRefused(FORBIDDEN)  # a phone may only hand on its own calls
        target = self._calls.leg(self._calls.partner_of(replaced.leg_id) or 0)
        if target.answered_at is None:
            raise CallRefused(GONE)  # still ringing: no call to join yet
        await self._handover.replace(transferor, transferee, replaced, target)
        with contextlib.suppress(EngineError):
            await self._calls.hangup(replaced.leg_id)  # as a Replaces ends the dialog it names
        return target

    async def _music_when_left(self, transferor: Leg, transferee: Leg) -> None:
        """A transferee whose transferor hangs up before the target answers hears music."""
        await transferor.ended.wait()
        with contextlib.suppress(EngineError):
            await self._moh.start(transferee.leg_id)

    async def _give_back(self, transferee: Leg, transferor: Leg) -> None:
        """After a failed blind transfer: back to the transferor, on the line or by a recall."""
        if transferee.ended.is_set() or self._dialer.restore(transferee, transferor):
            return
        try:
            recalled = await self._dialer.ring(transferee, transferor.extension)
        except CallRefused:
            with contextlib.suppress(EngineError):
                await self._calls.hangup(transferee.leg_id)
            return
        await self._handover.join(transferee, recalled)

    async def _release(self, transferor: Leg) -> None:
        if not await wait_any(transferor.ended, timeout_s=TRANSFEROR_GRACE_S):
            with contextlib.suppress(EngineError):
                await self._calls.hangup(transferor.leg_id)
