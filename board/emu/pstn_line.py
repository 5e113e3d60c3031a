"""A phone-company line on an emulated FXO port: rings, caller ID, answer, dial, hang-up."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from board.dsp.alert_tone import alert_signal
from board.dsp.caller_id import CallerId
from board.dsp.country import Country
from board.dsp.dtmf import KEYPAD, DtmfGenerator
from board.dsp.tones import Tone
from board.emu.bench_protocol import describe_caller
from board.emu.caller_id_delivery import CallerIdDelivery, caller_id_signal, default_delivery
from board.emu.ear import Ear, Hearing
from board.emu.far_end import FarEnd
from board.emu.si3050 import Si3050Model

HANGUP_METHODS = ("battery", "polarity", "busy", "silence")
OUTCOMES = ("answer", "busy", "congestion", "ring")


@dataclass(frozen=True)
class LineSettings:
    """How the exchange behind the line behaves. Times in ms.

    `answer_detect_ms` of loop current is a seizure (or, while ringing, the box
    answering: ring trip); `release_ms` of open loop is the box hanging up (shorter
    breaks, pulses and flashes, are not). A number the box dials is complete after
    `interdigit_timeout_ms` without a digit; the called party then does `outcome`:
    answers after `answer_after_ms` of ringback, is busy or congested, or rings
    until told to `answer`. `battery_denial_ms` is the open interval of a battery
    hang-up (hardware.md §3.4: 80 ms or more is a disconnect).
    """

    battery_v: float = 48.0
    ring_vrms: float = 75.0
    ring_frequency_hz: float = 20.0
    reverse_on_answer: bool = False
    answer_detect_ms: float = 30.0
    release_ms: float = 400.0
    interdigit_timeout_ms: float = 3000.0
    outcome: str = "answer"
    answer_after_ms: float = 2000.0
    battery_denial_ms: float = 600.0

    def __post_init__(self):
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {'|'.join(OUTCOMES)}; got {self.outcome!r}")


class PstnLine(FarEnd):
    """The exchange end of the line on one FXO port, attached to its Si3050 model.

    States: ``idle``; ``alerting`` (an incoming call: caller ID and rings);
    ``dialtone`` (the box seized the line and is dialling); ``ringback`` (the number is
    complete, the called party is being rung); ``connected``; ``cleared`` (the far
    end hung up, the box has not yet); ``dead`` (the cable is out).

    Events: ``ringing``/``ring-off`` per burst, ``cid-sent``, ``answered`` (the box
    answered a ringing line), ``abandoned`` (the caller gave up), ``seized``,
    ``dialled <number>``, ``connected`` (the called party answered), ``released``
    (the box hung up).
    """

    def __init__(
        self,
        daa: Si3050Model,
        country: Country,
        settings: LineSettings | None = None,
        seed: int = 0,
    ):
        self.settings = settings or LineSettings()
        self.state = "idle"
        self.dialled = ""
        self.rings_sent = 0
        self._daa = daa
        self._seized = False
        self._call_country = country
        self._caller: tuple[CallerId, CallerIdDelivery, bool] | None = None
        self._ring_limit: int | None = None
        super().__init__(daa, daa.name, country, seed)
        self.ear = Ear(country)
        daa.set_battery(self.settings.battery_v)

    # Incoming calls

    def ring(
        self,
        caller: CallerId | None = None,
        *,
        country: Country | None = None,
        delivery: CallerIdDelivery | None = None,
        rings: int | None = None,
        sdmf: bool = False,
    ) -> None:
        """Ring the box with `country`'s cadence (default: the line's), sending `caller`
        by `delivery` (default: the country's), until the box answers, `stop`, or `rings`
        cadence cycles (a UK double ring is one) have gone unanswered."""
        self._require(self.state == "idle", f"is not idle ({self.state}): no call can come in")
        self._require(not self._seized, "is seized by the box: no call can come in")
        self._call_country = country = country or self.country
        delivery = delivery or default_delivery(country)
        self._caller = (caller, delivery, sdmf) if caller is not None else None
        self._ring_limit = rings
        self.rings_sent = 0
        self.state = "alerting"
        if self._caller is not None and delivery.before_first_ring:
            self._send_caller_id(lambda: self._ring_step(0))
        else:
            self._ring_step(0)

    def stop(self) -> None:
        """The caller gives up before the box answers."""
        self._require(self.state == "alerting", f"is not ringing ({self.state})")
        self._to_idle("abandoned")

    def _ring_step(self, index: int) -> None:
        cadence = self._call_country.ring.cadence_ms
        position = index % len(cadence)
        if position == 0 and self._ring_limit is not None and self.rings_sent >= self._ring_limit:
            self._to_idle("abandoned")
            return
        if position % 2 == 0:
            if position == 0:
                self.rings_sent += 1
            self._daa.start_ring(self.settings.ring_vrms, self.settings.ring_frequency_hz)
            self._emit("ringing")
        else:
            self._daa.stop_ring()
            self._emit("ring-off")
            first_ring_over = index == len(cadence) - 1
            if first_ring_over and self._caller and not self._caller[1].before_first_ring:
                self._send_caller_id(None)
        self._timers.schedule("ring", cadence[position] / 1000, lambda: self._ring_step(index + 1))

    def _send_caller_id(self, then: Callable[[], None] | None) -> None:
        caller, delivery, sdmf = self._caller
        if delivery.polarity_reversal:
            self._daa.set_polarity(True)
        self.voice.pause(delivery.silence_before_ms)
        if delivery.alert_tone:
            self.voice.say(alert_signal())
            self.voice.pause(delivery.silence_after_alert_ms)
        signal = caller_id_signal(delivery, caller, self._call_country, sdmf=sdmf)
        self.voice.say(signal, lambda: self._emit("cid-sent", describe_caller(caller)))
        if then is not None:
            self.voice.pause(delivery.silence_after_ms, then)

    def _end_alerting(self) -> None:
        self._timers.cancel("ring")
        self._daa.stop_ring()
        self.voice.hush()

    # The box on the loop

    def _line_moved(self) -> None:
        seized = self._daa.off_hook
        if seized == self._seized or self.state == "dead":
            self._timers.cancel("hook")
            return
        wait_ms = self.settings.answer_detect_ms if seized else self.settings.release_ms
        self._timers.schedule("hook", wait_ms / 1000, self._hook_settled)

    def _hook_settled(self) -> None:
        self._seized = self._daa.off_hook
        if self._seized and self.state == "alerting":
            self._end_alerting()
            self._connect("answered")
        elif self._seized and self.state == "idle":
            self.state = "dialtone"
            self.dialled = ""
            self._call_country = self.country
            self.ear = Ear(self.country)
            self.voice.hold(self.country.tones["dial"])
            self._emit("seized")
        elif not self._seized and self.state not in ("idle", "alerting"):
            self._to_idle("released")

    def _connect(self, event: str) -> None:
        self.state = "connected"
        self.voice.hush()
        if self.settings.reverse_on_answer:
            self._daa.set_polarity(not self._daa.polarity_reversed)
        self._emit(event)

    def _to_idle(self, event: str) -> None:
        self._end_alerting()
        self._timers.cancel_all()
        self.state = "idle"
        self._daa.set_polarity(False)
        self._restore_battery()
        self._emit(event)
        self._line_moved()  # a box still off-hook seizes the idle line

    # Calls out: what the box dials, and the called party

    def _talking(self) -> bool:
        return True  # the exchange always sends something, if only silence (or noise)

    def _hear(self, samples: np.ndarray, end_s: float) -> None:
        if not self._seized or self.state in ("idle", "alerting", "dead"):
            return
        before = len(self.ear.digits)
        self.ear.listen(self._whole_frame(samples), end_s)
        if self.state == "dialtone" and len(self.ear.digits) > before:
            self.dialled = self.ear.digits
            self.voice.hold(None)  # the first digit stops dial tone
            timeout_s = self.settings.interdigit_timeout_ms / 1000
            self._timers.schedule("digits", timeout_s, self._number_complete)

    def _number_complete(self) -> None:
        self.state = "ringback"
        self._emit("dialled", self.dialled)
        outcome = self.settings.outcome
        if outcome in ("busy", "congestion"):
            self.state = "cleared"
            self.voice.hold(self._call_country.tones[outcome])
            return
        self.voice.hold(self._call_country.tones["ringback"])
        if outcome == "answer":
            self._timers.schedule("answer", self.settings.answer_after_ms / 1000, self.answer)

    def answer(self) -> None:
        """The called party answers the box's call."""
        self._require(self.state == "ringback", f"has no call ringing out ({self.state})")
        self._timers.cancel("answer")
        self._connect("connected")

    # The far end of a call

    def key(self, digits: str) -> None:
        """The far party keys `digits` as DTMF during the call (a caller in a menu):
        80 ms on, 80 ms off at -8 dBm0, as a phone's keypad sends them."""
        self._require(self.state == "connected", f"has no call up to key into ({self.state})")
        unknown = [d for d in digits.upper() if d not in "".join(KEYPAD)]
        self._require(
            bool(digits) and not unknown, f"has no key {''.join(unknown)!r} (0-9 * # A-D)"
        )
        tones = DtmfGenerator(level_dbm0=-8.0, on_ms=80.0, off_ms=80.0).render(digits.upper())
        self.voice.say(tones, lambda: self._emit("keyed", digits))

    def hang_up(self, method: str = "battery", duration_ms: float | None = None) -> None:
        """The far end clears: `method` is how the exchange tells the box (HANGUP_METHODS).

        ``battery`` takes the battery away for `duration_ms` (default the settings');
        ``polarity`` reverses the line; ``busy`` plays the country's busy tone;
        ``silence`` just goes quiet. The line is idle once the box releases.
        """
        self._require(method in HANGUP_METHODS, f"has no hang-up method {method!r}")
        self._require(self.state in ("connected", "ringback"), f"has no call up ({self.state})")
        self.state = "cleared"
        self._timers.cancel("answer")
        self.voice.hush()
        if method == "battery":
            denial_ms = self.settings.battery_denial_ms if duration_ms is None else duration_ms
            self._daa.set_battery(0.0)
            self._timers.schedule("battery", denial_ms / 1000, self._restore_battery)
        elif method == "polarity":
            self._daa.set_polarity(not self._daa.polarity_reversed)
        elif method == "busy":
            self.voice.hold(self._call_country.tones["busy"])

    def _restore_battery(self) -> None:
        self._daa.set_battery(self.settings.battery_v)

    def play(self, tone: Tone | None) -> None:
        """Put a steady tone on the line toward the box (busy, congestion, a test tone)."""
        self.voice.hold(tone)

    def hearing(self) -> Hearing:
        """What the far end hears from the box now."""
        return self.ear.hearing()

    # Faults

    def yank(self) -> None:
        """Fault: the cable is pulled out; no battery, no ringing, no audio, no call."""
        self._end_alerting()
        self._timers.cancel_all()
        self._daa.set_battery(0.0)
        self.state = "dead"

    def plug(self) -> None:
        """The cable goes back in: an idle line (whatever the box does next is new)."""
        self._require(self.state == "dead", "is plugged in already")
        self._seized = False
        self._to_idle("plugged")
