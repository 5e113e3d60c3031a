"""FXS channel: an analog phone on an FXS port, as a user of a PBX expects it to behave."""

import logging
from enum import Enum

import numpy as np

from board.dsp.caller_id import CallerId
from board.dsp.dtmf import DtmfDetector
from board.dsp.tones import Tone
from board.events import BoardEvent, ChipLost, HookChanged, PowerAlarm, RingTripped
from board.hal import FxsPort, LineFeed, PcmBus, RingSignal, TimerHandle
from pbx.dial_plan import Dialled, DialPlan
from pbx.lines import PortBusy
from pbx.lines.alerting import Alerting
from pbx.lines.audio import DTMF_OUT, LineAudio
from pbx.lines.caller_id import caller_id_signal, caller_of
from pbx.lines.hook import HookSwitch, hook_timing
from pbx.lines.leg import AnalogLeg, LineContext
from pbx.lines.second_call import SecondCall
from pbx.lines.settings import FxsSettings

logger = logging.getLogger(__name__)

RECALL_TIMEOUT_S = 30.0  # a held call rings the phone back this long, then ends
BUSY_CODES = (0, 200, 486, 600)  # what the phone hears as busy: the call is over, or busy
# Receiver off-hook tone (the "howler"): loud, four frequencies, 10 per second.
HOWLER = Tone((1400.0, 2060.0, 2450.0, 2600.0), (100, 100), level_dbm0=-10.0)


class FxsState(Enum):
    """What the phone is doing; a second call (held, waiting) is `FxsChannel.second`'s."""

    IDLE = "idle"  # on-hook
    RINGING = "ringing"  # a call rings the phone
    DIAL_TONE = "dial-tone"  # lifted (or flashed), nothing dialled yet
    DIALLING = "dialling"  # digits coming
    CALLING = "calling"  # the number is offered to the PBX: silence, then ringback
    CONNECTED = "connected"
    CLEARED = "cleared"  # the call is over or failed and the phone is still off-hook
    HOWLER = "howler"  # off-hook too long
    ALARM = "alarm"  # the port cannot feed its line


_PORT_STATES = {
    FxsState.IDLE: "idle",
    FxsState.RINGING: "ringing",
    FxsState.CONNECTED: "in-call",
    FxsState.ALARM: "alarm",
}


class FxsChannel:
    """One FXS port and the phone on it; its calls are calls of `settings.extension`.

    Lifted, the phone hears the country's dial tone (the next 20 ms frame after the
    hook event) and dials by DTMF or pulses; the number goes to the PBX as soon as the
    dial plan says it is complete (or '#', or the inter-digit timeout), and the phone
    hears ringback, then the other side; busy or congestion if it fails. Called, the
    phone rings with the country's cadence and caller ID and is answered by lifting
    it. Off-hook too long without a call: howler.

    A hook flash, by what the phone is doing (the second call is `SecondCall`'s):

    - in a call: holds it (the other side hears music, the phone dial tone). The
      phone may then dial a second call (a consultation), as any call; a flash
      drops that call, whatever its state, and takes the held one back. Hanging
      up while the second call rings or talks transfers the held call to it (the
      box does it on `FlashTransferRequested`); hanging up before dialling, or
      after it failed, rings the phone back for the held call (a recall).
    - in a call with a call waiting (the call-waiting tone in the call): holds
      the call and answers the waiting one; from then on each flash swaps the
      two. Hanging up ends the call the phone is on and rings it for the other.

    At most two calls: a third caller, or a second one while the phone is not in
    a single call or `settings.call_waiting` is off, gets busy.
    """

    kind = "fxs"

    def __init__(
        self,
        context: LineContext,
        port: FxsPort,
        pcm: PcmBus,
        settings: FxsSettings,
        dial_plan: DialPlan,
    ) -> None:
        self.name = port.name
        self.settings = settings
        self._context = context
        self._port = port
        self._dial_plan = dial_plan
        self.audio = LineAudio(pcm, port.timeslot)
        self.audio.listen(self._heard)
        self._dtmf = DtmfDetector()
        self.state = FxsState.IDLE
        self.leg: AnalogLeg | None = None  # the call the phone is on, dialling or ringing
        self._digits = ""
        self._timer: TimerHandle | None = None
        self._test_ring: TimerHandle | None = None  # a line test rings the phone
        self.apply_country()

    def apply_country(self) -> None:
        """Take up the context's country: tones, hook timing, ring cadence (idle ports only:
        the line service changes countries only while every port is idle)."""
        country, clock = self._context.country, self._context.clock
        self._tones = country.tones
        self.hook = HookSwitch(clock, hook_timing(country.code), self)
        ring = RingSignal(cadence_ms=country.ring.cadence_ms)
        self._alerting = Alerting(self._port, clock, self.audio, ring)
        self.second = SecondCall(self.audio, self._tones["call_waiting"])

    def start(self) -> None:
        """Feed the line; a phone already off-hook is taken as just lifted."""
        self._port.set_feed(LineFeed.ACTIVE)
        if self._port.off_hook:
            self.hook.changed(True, self._context.clock.monotonic())

    @property
    def port_state(self) -> str:
        """idle, off-hook, ringing, in-call or alarm."""
        if self.second.held is not None and self.state is not FxsState.ALARM:
            return "in-call"
        if self._test_ring is not None:
            return "ringing"
        return _PORT_STATES.get(self.state, "off-hook")

    @property
    def legs(self) -> tuple[AnalogLeg, ...]:
        """Every leg of the port: the phone's call, its second call, those it hands over."""
        return ((self.leg,) if self.leg is not None else ()) + self.second.legs

    # --- the board ---------------------------------------------------------------------

    def handle(self, event: BoardEvent) -> None:
        """A board event for this port."""
        if self._test_ring is not None and isinstance(event, RingTripped | HookChanged):
            self.end_ring_test()
            if isinstance(event, RingTripped):  # lifted during a test ring: dial tone
                event = HookChanged(event.port, event.at_s, off_hook=True)
        if isinstance(event, RingTripped) or (
            isinstance(event, HookChanged) and event.off_hook and self.state is FxsState.RINGING
        ):
            self.hook.reset(off_hook=True)
            if self.state is FxsState.RINGING:
                self._answered_here()
        elif isinstance(event, HookChanged):
            self.hook.changed(event.off_hook, event.at_s)
        elif isinstance(event, ChipLost) or (isinstance(event, PowerAlarm) and not event.restored):
            logger.error("%s: out of service (%s)", self.name, event)
            self._end_leg(503, "line out of service")
            self.second.end_all(503, "line out of service")
            self._enter(FxsState.ALARM, tone=None)

    # --- what the user does (HookListener) ---------------------------------------------

    def lifted(self) -> None:
        if self.state is FxsState.IDLE:
            self._dial_tone()
            self._time_out(self.settings.off_hook_timeout_s, self._howl)

    def pulse_digit(self, digit: str) -> None:
        self._digit(digit)

    def flashed(self) -> None:
        second = self.second
        talking = self.state is FxsState.CONNECTED
        if second.waiting is not None and (talking or self.state is FxsState.CLEARED):
            self._switch_to(second.answer_waiting(self.leg if talking else None))
            self.leg.answer()
        elif second.held is not None and talking and not second.consulting:
            self._switch_to(second.swap(self.leg))
            self.leg.hold(False)
        elif second.held is not None:
            self._end_leg(200 if self.leg and self.leg.answered else 487, "dropped by a flash")
            self._switch_to(second.take_held())
            self.leg.hold(False)
        elif talking:
            self.second.hold(self._set_aside())
            self._dial_tone()

    def hung_up(self) -> None:
        if self.state is FxsState.ALARM:
            return
        if self.second.consulting and self.state in (FxsState.CALLING, FxsState.CONNECTED):
            self.second.hand_over(self._set_aside())
            self._enter(FxsState.IDLE, tone=None)
            return
        if self.leg is not None:
            self._end_leg(200 if self.leg.answered else 487, "the phone hung up")
        self._ring_for_second()

    def _heard(self, frame: np.ndarray) -> None:
        if self.state not in (FxsState.DIAL_TONE, FxsState.DIALLING, FxsState.CONNECTED):
            return
        for found in self._dtmf.feed(frame):
            if self.state is FxsState.CONNECTED:
                self.leg.dtmf(found.digit)
            else:
                self._digit(found.digit)

    # --- dialling ------------------------------------------------------------------------

    def _dial_tone(self) -> None:
        self._digits = ""
        self._enter(FxsState.DIAL_TONE, tone=self._tones["dial"])

    def _digit(self, digit: str) -> None:
        if self.state not in (FxsState.DIAL_TONE, FxsState.DIALLING):
            return
        if digit == "#" and self._digits:
            self._offer()
            return
        self._digits += digit
        self._enter(FxsState.DIALLING, tone=None)
        match = self._dial_plan.classify(self._digits)
        if match in (Dialled.COMPLETE, Dialled.UNKNOWN):
            self._offer()
        else:
            self._time_out(self.settings.interdigit_timeout_s, self._offer)

    def _offer(self) -> None:
        self._enter(FxsState.CALLING, tone=None)
        logger.info("%s dials %s", self.name, self._digits)
        self.leg = AnalogLeg.new(self._context, self.name)
        self.second.consulting = self.second.held is not None
        extension = self.settings.extension
        self.leg.offered(self._digits, extension, "", extension)

    # --- the PBX's side (through LineService) ---------------------------------------------

    def ring(self, leg: AnalogLeg, caller_number: str, caller_name: str) -> None:
        """Ring the phone for `leg`, showing the caller; a call waits if the phone is in
        one call (and call waiting is on); otherwise the phone is busy."""
        caller = caller_of(caller_number, caller_name)
        if self.state is FxsState.IDLE:
            self._ring_in(leg, caller)
        elif self.settings.call_waiting and self.state is FxsState.CONNECTED and self.second.free:
            logger.info("%s: a call waits (%s)", self.name, caller_number or "private")
            self.second.wait(leg, caller)
        else:
            leg.end(486, "Busy Here")
            return
        leg.progress()

    def answer_leg(self, leg: AnalogLeg, status_code: int) -> None:
        """The PBX answers the phone's call (200) or says it rings (180)."""
        if self.second.answer_handed(leg, status_code):
            return
        if leg is not self.leg or self.state is not FxsState.CALLING:
            return
        if status_code == 200:
            self._connect()
            self.leg.answer()
        else:
            self.audio.set_tone(self._tones["ringback"])

    def hangup_leg(self, leg: AnalogLeg, status_code: int) -> None:
        """The PBX ends one of the port's legs (refused with `status_code`, or hung up)."""
        if leg is not self.leg:
            returned = self.second.ended(leg, status_code)
            if returned is not None:
                self._take_back(returned)
            return
        if self.state is FxsState.RINGING:
            self._end_leg(200 if leg.answered else 487, "hung up by the box")
            self._enter(FxsState.IDLE, tone=None)
            return
        self._end_leg(status_code or 200, "hung up by the box")
        if self.state in (FxsState.CALLING, FxsState.CONNECTED):
            busy = status_code in BUSY_CODES
            self._enter(FxsState.CLEARED, tone=self._tones["busy" if busy else "congestion"])
            self._time_out(self.settings.off_hook_timeout_s, self._howl)

    def send_dtmf(self, leg: AnalogLeg, digits: str) -> None:
        """Play digits to the phone, if it is on that leg's call."""
        if leg is self.leg:
            self.audio.play(DTMF_OUT.render(digits))

    # --- line tests --------------------------------------------------------------------------

    def ring_test(self, duration_s: float) -> None:
        """Ring the phone for `duration_s` without a call; PbxError unless the port is idle
        and the phone on-hook. Lifting the phone ends it (and gives dial tone)."""
        if self.state is not FxsState.IDLE or self._port.off_hook or self._test_ring:
            state = "off-hook" if self._port.off_hook else self.port_state
            raise PortBusy(f"{self.name} is {state}: a test ring needs an idle phone, on-hook")
        self._port.start_ringing(RingSignal(cadence_ms=()))
        self._test_ring = self._context.clock.call_later(duration_s, self.end_ring_test)

    def end_ring_test(self) -> None:
        """Stop a test ring, if one is on."""
        if self._test_ring is not None:
            self._test_ring.cancel()
            self._test_ring = None
            self._port.stop_ringing()

    # --- internals ---------------------------------------------------------------------------

    def _ring_in(self, leg: AnalogLeg, caller: CallerId | None) -> None:
        """Ring the phone for `leg` (caller ID shown if given; a recall has none)."""
        self.leg = leg
        self.end_ring_test()
        self._enter(FxsState.RINGING, tone=None)
        self._alerting.start(caller and caller_id_signal(self._context.country, caller))

    def _answered_here(self) -> None:
        recalled = self.leg.answered
        self._connect()
        if recalled:
            self.leg.hold(False)
        else:
            self.leg.answer()

    def _ring_for_second(self) -> None:
        """On-hook: ring the phone back for a held call, or for a waiting one; else idle."""
        held = self.second.take_held()
        if held is not None:
            self._recall(held)
        elif self.second.waiting is not None:
            self._ring_in(*self.second.take_waiting())
        else:
            self._enter(FxsState.IDLE, tone=None)

    def _recall(self, held: AnalogLeg) -> None:
        self._ring_in(held, None)
        self._time_out(RECALL_TIMEOUT_S, self._recall_ignored)

    def _take_back(self, held: AnalogLeg) -> None:
        """A transfer failed: the phone has its held call back (rung for it if on-hook)."""
        if self.state is FxsState.IDLE:
            self._recall(held)
        elif self.state is FxsState.ALARM or not self.second.keep_held(held):
            logger.warning("%s: a transfer failed and the phone cannot take the call", self.name)
            held.end(480, "transfer failed; the phone is busy")

    def _recall_ignored(self) -> None:
        self._end_leg(200, "a held call nobody took back")
        self._enter(FxsState.IDLE, tone=None)

    def _switch_to(self, leg: AnalogLeg) -> None:
        self.leg = leg
        self._connect()

    def _connect(self) -> None:
        self._enter(FxsState.CONNECTED, tone=None)
        self.audio.bridge(self.leg.queues)

    def _set_aside(self) -> AnalogLeg | None:
        """The phone's call, which the phone is no longer on (nor hears)."""
        leg, self.leg = self.leg, None
        self.audio.bridge(None)
        return leg

    def _end_leg(self, status_code: int, reason: str) -> None:
        leg = self._set_aside()
        if leg is not None:
            leg.end(status_code, reason)

    def _howl(self) -> None:
        self._enter(FxsState.HOWLER, tone=HOWLER)

    def _enter(self, state: FxsState, tone: Tone | None) -> None:
        if self.state is FxsState.RINGING and state is not FxsState.RINGING:
            self._alerting.stop()
            self._port.set_feed(LineFeed.ACTIVE)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.state = state
        self.audio.set_tone(tone)

    def _time_out(self, delay_s: float, action) -> None:
        self._timer = self._context.clock.call_later(delay_s, action)
