"""An analog phone's calls beside the one it is on: held, waiting, or handed over for transfer."""

import logging

from board.dsp.caller_id import CallerId
from board.dsp.tones import Tone
from pbx.lines.audio import LineAudio
from pbx.lines.leg import AnalogLeg

logger = logging.getLogger(__name__)


class SecondCall:
    """The second call of an FXS phone, and the calls it hung up on to transfer.

    The phone has at most one other call: `held` (it flashed during a call) or
    `waiting` (a call came while it was in one; the phone hears the country's
    call-waiting tone in its call, its bursts cutting the other side off, until the
    call is answered, gone, or rung for after a hang-up). `consulting` says the
    phone's own call was dialled while `held` was on hold, so hanging up transfers
    `held` to it (`hand_over`).

    It holds (CallHeld) every leg it takes on hold; the channel takes them off hold
    when the phone talks on them again. Handed-over legs stay here until the box
    ends them: it ends the held one first once the transfer is made, so a
    consultation that ends while its held call is still here failed, and `ended`
    gives the held call back to the phone.
    """

    def __init__(self, audio: LineAudio, waiting_tone: Tone) -> None:
        self._audio = audio
        self._waiting_tone = waiting_tone
        self.held: AnalogLeg | None = None
        self.waiting: AnalogLeg | None = None
        self._waiting_caller: CallerId | None = None
        self.consulting = False
        self._handed: dict[AnalogLeg, AnalogLeg | None] = {}  # consultation -> its held call

    @property
    def free(self) -> bool:
        """No call is held or waiting."""
        return self.held is None and self.waiting is None

    @property
    def legs(self) -> tuple[AnalogLeg, ...]:
        """The held or waiting leg, and the legs handed over."""
        return tuple(leg for leg in (self.held, self.waiting) if leg) + tuple(self._handed)

    @property
    def state(self) -> str:
        """ "held", "waiting", "transferring" (calls handed over), or ""."""
        if self.held is not None:
            return "held"
        if self.waiting is not None:
            return "waiting"
        return "transferring" if self._handed else ""

    # --- held ---------------------------------------------------------------------------

    def hold(self, leg: AnalogLeg) -> None:
        """Put the phone's call on hold (its other side hears music)."""
        self.held, self.consulting = leg, False
        leg.hold(True)

    def take_held(self) -> AnalogLeg | None:
        """The held call, no longer held here (None if there is none)."""
        held, self.held, self.consulting = self.held, None, False
        return held

    def keep_held(self, leg: AnalogLeg) -> bool:
        """Keep a leg already on hold as the held call; False if a second call is here."""
        if not self.free:
            return False
        self.held = leg
        return True

    def swap(self, talking: AnalogLeg) -> AnalogLeg:
        """Hold the call the phone is on and return the held one."""
        held, self.held = self.held, talking
        talking.hold(True)
        return held

    # --- waiting ------------------------------------------------------------------------

    def wait(self, leg: AnalogLeg, caller: CallerId) -> None:
        """A call waits: the phone hears the call-waiting tone in its call."""
        self.waiting, self._waiting_caller = leg, caller
        self._audio.set_overlay(self._waiting_tone)

    def take_waiting(self) -> tuple[AnalogLeg, CallerId]:
        """The waiting call and its caller, no longer waiting here (the tone stops)."""
        leg, caller = self.waiting, self._waiting_caller
        self.waiting = self._waiting_caller = None
        self._audio.set_overlay(None)
        return leg, caller

    def answer_waiting(self, talking: AnalogLeg | None) -> AnalogLeg:
        """Hold the call the phone is on (if any) and return the waiting one to answer."""
        leg, _ = self.take_waiting()
        if talking is not None:
            self.hold(talking)
        return leg

    # --- handed over --------------------------------------------------------------------

    def hand_over(self, consultation: AnalogLeg) -> None:
        """The phone hung up during a consultation: the box is to transfer the held
        call to it (FlashTransferRequested)."""
        held = self.take_held()
        # Held first: ending every leg in this order (at shutdown) is a transfer's order.
        self._handed[held], self._handed[consultation] = None, held
        consultation.hand_over(held)

    def answer_handed(self, leg: AnalogLeg, status_code: int) -> bool:
        """The box answers a handed-over consultation (it connects it to the target);
        False if `leg` is not one."""
        if leg not in self._handed:
            return False
        if status_code == 200:
            leg.answer()
        return True

    # --- ends ---------------------------------------------------------------------------

    def ended(self, leg: AnalogLeg, status_code: int) -> AnalogLeg | None:
        """The box ends a leg of these; returns a held call a failed transfer gives back."""
        if leg is self.waiting:
            self.take_waiting()
            leg.end(status_code or 487, "the caller gave up")
        elif leg is self.held:
            self.take_held()
            leg.end(status_code or 200, "the held call ended")
        elif leg in self._handed:
            held = self._handed.pop(leg)
            leg.end(status_code or 200, "hung up by the box")
            if held is not None and held in self._handed:  # not transferred: give it back
                del self._handed[held]
                logger.info("%s: no transfer to leg %d (%d)", leg.line, leg.leg_id, status_code)
                return held
        return None

    def end_all(self, status_code: int, reason: str) -> None:
        """End the held or waiting call (the port is out of service)."""
        held = self.take_held()
        waiting = self.take_waiting()[0] if self.waiting is not None else None
        for leg in (held, waiting):
            if leg is not None:
                leg.end(status_code, reason)
