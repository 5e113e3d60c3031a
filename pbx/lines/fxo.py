"""FXO channel: a phone-company line on an FXO port, answered and dialled like a trunk."""

import logging
from collections.abc import Callable
from enum import Enum

import numpy as np

from board.dsp.busy_cadence import disconnect_detector
from board.dsp.caller_id import CallerId
from board.dsp.dtmf import DtmfDetector
from board.dsp.level import power_of_dbm0
from board.dsp.pcm import SAMPLE_RATE_HZ
from board.dsp.steady_tone import dial_tone_detector
from board.events import (
    BatteryChanged,
    BoardEvent,
    ChipLost,
    LineAlarm,
    PolarityChanged,
    RingChanged,
)
from board.hal import FxoPort, PcmBus, TimerHandle
from pbx.lines.audio import DTMF_OUT, LineAudio
from pbx.lines.caller_id import CallerIdListener
from pbx.lines.leg import AnalogLeg, LineContext
from pbx.lines.settings import FxoSettings

logger = logging.getLogger(__name__)

ABANDONED_AFTER_S = 8.0  # no ring for this long: the caller gave up
CALLER_ID_KEPT_S = 10.0  # caller ID heard before the first ring belongs to the call after it
SEIZURE_GUARD_S = 0.65  # battery swings just after seizure are not a hang-up (hardware.md §3.4)
POLARITY_ANSWER_GUARD_S = 0.6  # a reversal this soon after answer is the answer's own
RELEASE_GUARD_S = 0.8  # the exchange needs 400 ms without loop current to see a release
SILENCE_DBM0 = -50.0
_QUIET_PEAK = 64  # about -51 dBm0: under the caller-ID receivers' -48 dBm0 floor


class FxoState(Enum):
    IDLE = "idle"  # on-hook, listening for caller ID
    ALERTING = "alerting"  # it rings; counting rings
    OFFERED = "offered"  # answered the line, the PBX is finding the destination
    DIAL_WAIT = "dial-wait"  # seized to call out, waiting for dial tone
    DIALLING = "dialling"
    ANSWER_WAIT = "answer-wait"  # dialled; waiting for the far end's polarity reversal
    CONNECTED = "connected"
    GUARD = "guard"  # released; the exchange is still seeing it go
    ALARM = "alarm"  # no battery for long, or the chip is lost


_PORT_STATES = {
    FxoState.IDLE: "idle",
    FxoState.GUARD: "idle",
    FxoState.ALERTING: "ringing",
    FxoState.CONNECTED: "in-call",
    FxoState.ALARM: "alarm",
}


class FxoChannel:
    """One FXO port and its line (see `FxoSettings` for what each setting does).

    Calls in: the line rings (the driver's ring detection), caller ID is taken from
    the on-hook audio before or between rings, and on the ring the settings name
    the line is answered, if a route takes the call, and offered to the PBX with the
    caller's number, to be routed by the line's inbound routes or its destination.
    Calls out: seize, dial tone, DTMF digits, answered per policy. While a call is up
    the far end hanging up is recognised by each supervision method enabled, and the
    line released at once.
    """

    kind = "fxo"

    def __init__(
        self, context: LineContext, port: FxoPort, pcm: PcmBus, settings: FxoSettings
    ) -> None:
        self.name = port.name
        self.settings = settings
        self._context = context
        self._port = port
        self.audio = LineAudio(pcm, port.timeslot)
        self.audio.listen(self._heard)
        self.apply_country()
        self._keys = DtmfDetector()
        self.state = FxoState.IDLE
        self.leg: AnalogLeg | None = None
        self.caller: CallerId | None = None
        self._caller_at_s = 0.0
        self.rings = 0
        self._digits = ""
        self._seized_at_s = 0.0
        self._battery_present = True  # as the driver last reported it
        self._answered_at_s = 0.0
        self._sound_at_s = 0.0
        self._timer: TimerHandle | None = None
        self.released_at_s: float | None = None  # when the box last let go of the line
        self.on_state: Callable[[], None] = lambda: None  # the line service watches states

    def apply_country(self) -> None:
        """Take up the context's country: caller ID, busy and dial tone recognition (idle
        lines only: the line service changes countries only while every port is idle)."""
        country = self._context.country
        self._caller_ids = CallerIdListener(country)
        self._busy = disconnect_detector(country)
        self._dial_tone = dial_tone_detector(country)

    def start(self) -> None:
        """Listen to the idle line, for caller ID."""
        self._port.set_on_hook_monitor(True)

    @property
    def port_state(self) -> str:
        """idle, off-hook, ringing, in-call or alarm."""
        return _PORT_STATES.get(self.state, "off-hook")

    @property
    def busy(self) -> bool:
        """Taken by a call, in or out (not idle, and not out of order)."""
        return self.state not in (FxoState.IDLE, FxoState.GUARD, FxoState.ALARM)

    @property
    def legs(self) -> tuple[AnalogLeg, ...]:
        """The line's call leg, if it has one."""
        return (self.leg,) if self.leg is not None else ()

    @property
    def free(self) -> bool:
        """The line can take a call out now."""
        return self.state is FxoState.IDLE

    # --- the board ---------------------------------------------------------------------

    def handle(self, event: BoardEvent) -> None:
        """A board event for this port."""
        if isinstance(event, RingChanged):
            self._ring_changed(event.ringing)
        elif isinstance(event, BatteryChanged):
            self._battery_present = event.present
            self._battery_changed()
        elif isinstance(event, PolarityChanged):
            self._polarity_changed()
        elif isinstance(event, LineAlarm):
            self._alarm(event.active)
        elif isinstance(event, ChipLost):
            self._alarm(True)

    def _ring_changed(self, ringing: bool) -> None:
        if self.state not in (FxoState.IDLE, FxoState.GUARD, FxoState.ALERTING):
            return
        if not ringing:
            self._time_out(ABANDONED_AFTER_S, self._abandoned)
            return
        if self.state is not FxoState.ALERTING:
            self.rings = 0
            if self._now() - self._caller_at_s > CALLER_ID_KEPT_S:
                self.caller = None
        self._enter(FxoState.ALERTING)
        self.rings += 1
        logger.info("%s rings (%d), caller %s", self.name, self.rings, self.caller)
        caller = self.caller or CallerId()
        routed = self.settings.destination or self._context.routed(self.name, caller.number or "")
        if routed and self.rings >= self.settings.answer_ring:
            self._answer_line()

    def _abandoned(self) -> None:
        logger.info("%s: the caller gave up after %d rings", self.name, self.rings)
        self.caller = None
        self._enter(FxoState.IDLE)

    def _battery_changed(self) -> None:
        if self._battery_present:
            return
        guard_left_s = self._seized_at_s + SEIZURE_GUARD_S - self._now()
        if guard_left_s <= 0:
            self._supervise("battery")
        else:  # a swing from the seizure itself, or a denial to see out
            self._context.clock.call_later(guard_left_s, self._battery_changed)

    def _polarity_changed(self) -> None:
        if self.state is FxoState.ANSWER_WAIT:
            self._connect()
        elif self.state is FxoState.CONNECTED and (
            self._now() - self._answered_at_s >= POLARITY_ANSWER_GUARD_S
        ):
            self._supervise("polarity")

    def _alarm(self, active: bool) -> None:
        if active:
            logger.error("%s: line out of service", self.name)
            if self.leg is not None:
                self._release(503, "line out of service")
            self._enter(FxoState.ALARM)
        elif self.state is FxoState.ALARM:
            self._enter(FxoState.IDLE)

    def _heard(self, frame: np.ndarray) -> None:
        state = self.state
        if state in (FxoState.IDLE, FxoState.ALERTING, FxoState.GUARD):
            if np.abs(frame).max() < _QUIET_PEAK:
                return  # an idle line's silence: nothing for the receivers to hunt in
            for caller in self._caller_ids.feed(frame):
                self.caller, self._caller_at_s = caller, self._now()
                logger.info("%s: caller ID %s", self.name, caller)
        elif state is FxoState.DIAL_WAIT and not self.settings.dial_delay_ms:
            if self._dial_tone.feed(frame):
                self._dial()
        elif state in (FxoState.DIALLING, FxoState.ANSWER_WAIT, FxoState.CONNECTED):
            if self._busy.feed(frame):
                self._supervise("busy")
            elif state is FxoState.CONNECTED:
                self._watch_silence(frame)
                for found in self._keys.feed(frame):  # the caller keying, in a menu say
                    self.leg.dtmf(found.digit)

    def _watch_silence(self, frame: np.ndarray) -> None:
        now_s = self._now()
        samples = frame.astype(np.float64)
        if float(np.dot(samples, samples)) / len(samples) >= power_of_dbm0(SILENCE_DBM0):
            self._sound_at_s = now_s
        elif now_s - self._sound_at_s >= self.settings.silence_timeout_s:
            self._supervise("silence")

    def _supervise(self, method: str) -> None:
        """The far end hung up, as `method` tells: release, if this line watches for it."""
        if method not in self.settings.supervision or self.leg is None:
            return
        if self.state is FxoState.CONNECTED:
            logger.info("%s: the far end hung up (%s)", self.name, method)
            self._release(200, f"the far end hung up ({method})")
        elif method == "busy" and self.state in (FxoState.DIALLING, FxoState.ANSWER_WAIT):
            self._release(486, "Busy Here")

    # --- calls in ------------------------------------------------------------------------

    def _answer_line(self) -> None:
        self._seize(FxoState.OFFERED)
        caller = self.caller or CallerId()
        self.leg = AnalogLeg.new(self._context, self.name)
        self.leg.offered(self.name, caller.number or "", caller.name or "")

    # --- calls out -----------------------------------------------------------------------

    def dial(self, leg: AnalogLeg, digits: str) -> None:
        """Call `digits` out on the line for `leg`; a line in use refuses it (503)."""
        if not self.free:
            leg.end(503, "line in use")
            return
        self.leg, self._digits = leg, digits
        self._seize(FxoState.DIAL_WAIT)
        if self.settings.dial_delay_ms:
            self._time_out(self.settings.dial_delay_ms / 1000, self._dial)
        else:
            self._dial_tone = dial_tone_detector(self._context.country)
            self._time_out(self.settings.dial_tone_timeout_s, self._no_dial_tone)

    def _no_dial_tone(self) -> None:
        logger.warning(
            "%s: no dial tone within %.1f s", self.name, self.settings.dial_tone_timeout_s
        )
        self._release(503, "no dial tone")

    def _dial(self) -> None:
        self._enter(FxoState.DIALLING)
        digits = DTMF_OUT.render(self._digits)
        self.audio.play(digits)
        self._time_out(len(digits) / SAMPLE_RATE_HZ, self._dialled)

    def _dialled(self) -> None:
        self.leg.progress(183, "Session Progress")
        if self.settings.outbound_answer == "polarity":
            self._enter(FxoState.ANSWER_WAIT)
        else:
            self._connect()

    # --- the PBX's side (through LineService) ---------------------------------------------

    def answer_leg(self, leg: AnalogLeg, status_code: int) -> None:
        """The PBX connects the caller (200) or has it hear ringing (180)."""
        if self.state is not FxoState.OFFERED or leg is not self.leg:
            return
        if status_code == 200:
            self._connect()
        else:
            self.audio.set_tone(self._context.country.tones["ringback"])

    def hangup_leg(self, leg: AnalogLeg, status_code: int) -> None:
        """The PBX ends the line's leg: release the line."""
        if leg is self.leg:
            self._release(status_code or 200, "hung up by the box")

    def send_dtmf(self, leg: AnalogLeg, digits: str) -> None:
        """Play digits down the line (an IVR's menu far away)."""
        if leg is self.leg:
            self.audio.play(DTMF_OUT.render(digits))

    # --- internals ---------------------------------------------------------------------------

    def _now(self) -> float:
        return self._context.clock.monotonic()

    def _seize(self, state: FxoState) -> None:
        self._port.set_on_hook_monitor(False)
        self._port.set_off_hook(True)
        self._seized_at_s = self._now()
        self._busy = disconnect_detector(self._context.country)
        self._enter(state)

    def _connect(self) -> None:
        self._enter(FxoState.CONNECTED)
        self._keys = DtmfDetector()
        self._answered_at_s = self._sound_at_s = self._now()
        self.audio.bridge(self.leg.queues)
        self.leg.answer()

    def _release(self, status_code: int, reason: str) -> None:
        self._port.set_off_hook(False)
        self.released_at_s = self._now()
        self.audio.bridge(None)
        self.audio.stop_playing()
        leg, self.leg = self.leg, None
        if leg is not None:
            leg.end(status_code, reason)
        self.caller = None
        self._enter(FxoState.GUARD)
        self._time_out(RELEASE_GUARD_S, self._guarded)

    def _guarded(self) -> None:
        self._enter(FxoState.IDLE)

    def _enter(self, state: FxoState) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.state = state
        self.audio.set_tone(None)
        self.on_state()
        if state in (FxoState.IDLE, FxoState.ALERTING):
            self._port.set_on_hook_monitor(True)  # caller ID comes on-hook

    def _time_out(self, delay_s: float, action) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._context.clock.call_later(delay_s, action)
