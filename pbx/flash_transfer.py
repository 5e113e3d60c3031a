"""Transfer by hook flash: an analog phone hands its held call to the call it dialled from there."""

import contextlib
import logging
from pathlib import Path

from pbx.background import BackgroundWork
from pbx.bus import EventBus
from pbx.calls import CallService, Leg, wait_any
from pbx.dialer import ExtensionDialer
from pbx.events import FlashTransferRequested, TransferCompleted, TransferFailed
from pbx.handover import Handover
from pbx.moh import MusicOnHold
from pbx.sip import EngineError, LegGone, SipEngine

logger = logging.getLogger(__name__)

UNAVAILABLE = 480
KIND = "flash"


class FlashTransferService:
    """Carries out the transfers analog phones make by hanging up (FlashTransferRequested).

    The transferor's phone flashed to hold a call (the transferee hears music),
    dialled a consultation, and hung up. If the consultation is answered, the
    transferee and the consulted party are connected at once, as in an attended
    transfer. If it still rings, the transferee hears ringback instead of music
    until it answers, and they are connected then. If it fails (busy, no answer,
    refused), or the box answers it itself (a menu, a test number: nobody to hand
    the caller to), the consultation is ended, the transferee hears music again and
    the line rings the transferor's phone back (a recall). A transferee who hangs
    up meanwhile ends the consultation.

    The consulted party's leg joins the transferee's call in the call records (its
    `call_uid`), as with a transfer by REFER; each transfer ends with a
    TransferCompleted or TransferFailed event of kind "flash".
    """

    def __init__(
        self,
        calls: CallService,
        engine: SipEngine,
        dialer: ExtensionDialer,
        moh: MusicOnHold,
        bus: EventBus,
        *,
        ringback: Path,
    ) -> None:
        self._calls = calls
        self._engine = engine
        self._moh = moh
        self._bus = bus
        self._ringback = ringback  # what a transferee hears while the consultation rings
        self._work = BackgroundWork("flash transfer work")
        self._handover = Handover(calls, dialer, moh, self._work)
        bus.subscribe(FlashTransferRequested, self._handle_requested)

    def _handle_requested(self, event: FlashTransferRequested) -> None:
        self._work.spawn(self._carry_out(event))

    async def _carry_out(self, request: FlashTransferRequested) -> None:
        transferee = target = None
        try:
            transferor = self._calls.leg(request.held_leg)
            consultation = self._calls.leg(request.consult_leg)
            transferee = self._calls.leg(self._calls.partner_of(transferor.leg_id) or 0)
            target = await self._answered_target(consultation, transferee)
            if target is not None:
                await self._handover.replace(transferor, transferee, consultation, target)
        except LegGone:
            pass  # a leg ended meanwhile: nothing to hand on, or nobody to hand on to
        finally:
            await self._finish(request, transferee, target)

    async def _answered_target(self, consultation: Leg, transferee: Leg) -> Leg | None:
        """Who the consultation is connected to, once it is; None if it fails first."""
        player = None
        if not consultation.bridged.is_set():
            player = await self._ring_back(transferee)
            try:
                await self._until_bridged(consultation, transferee)
            finally:
                if player is not None:
                    with contextlib.suppress(EngineError):
                        await self._engine.stop_player(player)
        if transferee.ended.is_set():
            return None
        if consultation.bridged.is_set():
            return self._calls.leg(self._calls.partner_of(consultation.leg_id) or 0)
        if player is not None:
            with contextlib.suppress(EngineError):
                await self._moh.start(transferee.leg_id)  # still on hold: music again
        return None

    async def _until_bridged(self, consultation: Leg, transferee: Leg) -> None:
        """Wait until the consultation hears its party, fails, or is answered by the box."""
        await wait_any(
            consultation.bridged, consultation.answered, consultation.ended, transferee.ended
        )
        # Answered with a party: the dialer is connecting them (it pairs them first).
        if consultation.answered.is_set() and self._calls.partner_of(consultation.leg_id):
            await wait_any(consultation.bridged, consultation.ended, transferee.ended)

    async def _ring_back(self, transferee: Leg) -> int | None:
        """Ringback instead of the music, for the transferee; the player, if it plays."""
        try:
            player = await self._calls.play(transferee.leg_id, str(self._ringback), loop=True)
        except EngineError as err:
            logger.warning("call %d: no ringback (%s); music goes on", transferee.leg_id, err)
            return None
        with contextlib.suppress(EngineError):
            await self._moh.stop(transferee.leg_id)
        return player

    async def _finish(
        self, request: FlashTransferRequested, transferee: Leg | None, target: Leg | None
    ) -> None:
        """Report the transfer and end the transferor's legs that are done with.

        After a transfer, or once the transferee has gone, both: the held one first,
        as the line reads a consultation ending before it as a failed transfer and
        rings the phone back for the held call. Otherwise only the consultation.
        """
        transferee_id = transferee.leg_id if transferee is not None else 0
        if target is not None:
            logger.info("flash transfer: leg %d connected to leg %d", transferee_id, target.leg_id)
            self._bus.publish(
                TransferCompleted(0, KIND, request.held_leg, transferee_id, target.leg_id)
            )
        else:
            logger.info("flash transfer from leg %d failed", request.held_leg)
            self._bus.publish(TransferFailed(0, KIND, request.held_leg, transferee_id, UNAVAILABLE))
        if target is not None or (transferee is not None and transferee.ended.is_set()):
            await self._hang_up(request.held_leg)
        await self._hang_up(request.consult_leg)

    async def _hang_up(self, leg_id: int) -> None:
        with contextlib.suppress(LegGone, EngineError):
            await self._calls.hangup(leg_id)
