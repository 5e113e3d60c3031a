"""FXS channel: an analog phone on an FXS port, as a user of a PBX expects it to behave."""

import logging
from enum import Enum

import numpy as np

from board.dsp.dtmf import DtmfDetector
from board.dsp.tones import Tone
from board.events import BoardEvent, ChipLost, HookChanged, PowerAlarm, RingTripped
from board.hal import FxsPort, LineFeed, PcmBus, RingSignal, TimerHandle
from pbx.dial_plan import Dialled, DialPlan
from pbx.lines.alerting import Alerting
from pbx.lines.audio import DTMF_OUT, LineAudio
from pbx.lines.caller_id import caller_id_signal, caller_of
from pbx.lines.hook import HookSwitch, hook_timing
from pbx.lines.leg import AnalogLeg, LineContext
from pbx.lines.settings import FxsSettings

logger = logging.getLogger(__name__)

RECALL_TIMEOUT_S = 30.0  # a held call rings the phone back this long, then ends
BUSY_CODES = (0, 200, 486, 600)  # what the phone hears as busy: the call is over, or busy
# Receiver off-hook tone (the "howler"): loud, four frequencies, 10 per second.
HOWLER = Tone((1400.0, 2060.0, 2450.0, 2600.0), (100, 100), level_dbm0=-10.0)


class FxsState(Enum):
    IDLE = "idle"  # on-hook
    RINGING = "ringing"  # a call rings the phone
    DIAL_TONE = "dial-tone"  # lifted, nothing dialled yet
    DIALLING = "dialling"  # digits coming
    CALLING = "calling"  # the number is offered to the PBX: silence, then ringback
    CONNECTED = "connected"
    HELD = "held"  # the user flashed: the call is on hold, the phone hears dial tone
    CLEARED = "cleared"  # the call is over or failed and the phone is still off-hook
    HOWLER = "howler"  # off-hook too long
    ALARM = "alarm"  # the port cannot feed its line


_PORT_STATES = {
    FxsState.IDLE: "idle",
    FxsState.RINGING: "ringing",
    FxsState.CONNECTED: "in-call",
    FxsState.HELD: "in-call",
    FxsState.ALARM: "alarm",
}


class FxsChannel:
    """One FXS port and the phone on it; its calls are calls of `settings.extension`.

    Lifted, the phone hears the country's dial tone (the next 20 ms frame after the
    hook event) and dials by DTMF or pulses; the number goes to the PBX as soon as the
    dial plan says it is complete (or '#', or the inter-digit timeout), and the phone
    hears ringback, then the other side; busy or congestion if it fails. Called, the
    phone rings with the country's cadence and caller ID and is answered by lifting
    it. A flash during a call holds it (the other side hears music, the phone dial
    tone); a second flash takes it back, and hanging up rings the phone back to take
    it (a recall). Off-hook too long without a call: howler.
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
        self._tones = context.country.tones
        self.audio = LineAudio(pcm, port.timeslot)
        self.audio.listen(self._heard)
        self.hook = HookSwitch(context.clock, hook_timing(context.country.code), self)
        ring = RingSignal(cadence_ms=context.country.ring.cadence_ms)
        self._alerting = Alerting(port, context.clock, self.audio, ring)
        self._dtmf = DtmfDetector()
        self.state = FxsState.IDLE
        self.leg: AnalogLeg | None = None
        self._digits = ""
        self._timer: TimerHandle | None = None

    def start(self) -> None:
        """Feed the line; a phone already off-hook is taken as just lifted."""
        self._port.set_feed(LineFeed.ACTIVE)
        if self._port.off_hook:
            self.hook.changed(True, self._context.clock.monotonic())

    @property
    def port_state(self) -> str:
        """idle, off-hook, ringing, in-call or alarm."""
        return _PORT_STATES.get(self.state, "off-hook")

    # --- the board ---------------------------------------------------------------------

    def handle(self, event: BoardEvent) -> None:
        """A board event for this port."""
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
            self._enter(FxsState.ALARM, tone=None)

    # --- what the user does (HookListener) ---------------------------------------------

    def lifted(self) -> None:
        if self.state is FxsState.IDLE:
            self._digits = ""
            self._enter(FxsState.DIAL_TONE, tone=self._tones["dial"])
            self._time_out(self.settings.off_hook_timeout_s, self._howl)

    def pulse_digit(self, digit: str) -> None:
        self._digit(digit)

    def flashed(self) -> None:
        if self.state is FxsState.CONNECTED:
            self.audio.bridge(False)
            self._enter(FxsState.HELD, tone=self._tones["dial"])
            self.leg.hold(True)
        elif self.state is FxsState.HELD:
            self._connect()
            self.leg.hold(False)

    def hung_up(self) -> None:
        if self.state is FxsState.ALARM:
            return
        if self.state is FxsState.HELD:
            self._recall()
            return
        if self.leg is not None:
            self._end_leg(200 if self.leg.answered else 487, "the phone hung up")
        self._enter(FxsState.IDLE, tone=None)

    def _heard(self, frame: np.ndarray) -> None:
        if self.state not in (FxsState.DIAL_TONE, FxsState.DIALLING, FxsState.CONNECTED):
            return
        for found in self._dtmf.feed(frame):
            if self.state is FxsState.CONNECTED:
                self.leg.dtmf(found.digit)
            else:
                self._digit(found.digit)

    # --- dialling ------------------------------------------------------------------------

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
        self.leg = AnalogLeg.new(self._context, self.name, self.audio.queues)
        extension = self.settings.extension
        self.leg.offered(self._digits, extension, "", extension)

    # --- the PBX's side (through LineService) ---------------------------------------------

    def ring(self, leg: AnalogLeg, caller_number: str, caller_name: str) -> None:
        """Ring the phone for `leg`, showing the caller; a phone in use makes it busy."""
        if self.state is not FxsState.IDLE:
            leg.end(486, "Busy Here")
            return
        self.leg = leg
        self._enter(FxsState.RINGING, tone=None)
        self._alerting.start(
            caller_id_signal(self._context.country, caller_of(caller_number, caller_name))
        )
        leg.progress()

    def answer_leg(self, status_code: int) -> None:
        """The PBX answers the phone's call (200) or says it rings (180)."""
        if self.state is not FxsState.CALLING:
            return
        if status_code == 200:
            self._connect()
            self.leg.answer()
        else:
            self.audio.set_tone(self._tones["ringback"])

    def hangup_leg(self, status_code: int) -> None:
        """The PBX ends the phone's leg (refused with `status_code`, or hung up)."""
        if self.state is FxsState.RINGING:
            recall = self.leg is not None and self.leg.answered
            self._end_leg(200 if recall else 487, "hung up by the box")
            self._enter(FxsState.IDLE, tone=None)
            return
        self._end_leg(status_code or 200, "hung up by the box")
        if self.state in (FxsState.CALLING, FxsState.CONNECTED, FxsState.HELD):
            busy = status_code in BUSY_CODES
            self._enter(FxsState.CLEARED, tone=self._tones["busy" if busy else "congestion"])
            self._time_out(self.settings.off_hook_timeout_s, self._howl)

    def send_dtmf(self, digits: str) -> None:
        """Play digits to the phone."""
        self.audio.play(DTMF_OUT.render(digits))

    # --- internals ---------------------------------------------------------------------------

    def _answered_here(self) -> None:
        recalled = self.leg.answered
        self._connect()
        if recalled:
            self.leg.hold(False)
        else:
            self.leg.answer()

    def _recall(self) -> None:
        """Hung up with a call on hold: ring the phone back to take it."""
        self.audio.set_tone(None)
        self._enter(FxsState.RINGING, tone=None)
        self._alerting.start(None)
        self._time_out(RECALL_TIMEOUT_S, self._recall_ignored)

    def _recall_ignored(self) -> None:
        self._end_leg(200, "a held call nobody took back")
        self._enter(FxsState.IDLE, tone=None)

    def _connect(self) -> None:
        self._enter(FxsState.CONNECTED, tone=None)
        self.audio.bridge(True)

    def _end_leg(self, status_code: int, reason: str) -> None:
        leg, self.leg = self.leg, None
        if leg is not None:
            leg.end(status_code, reason)
        self.audio.bridge(False)

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
