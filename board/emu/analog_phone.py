"""An analog phone on an emulated FXS port: hook switch, dial, keypad, ringer, ear, CID display."""

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from board.chips.si3215_registers import Linefeed
from board.dsp.caller_id import CallerId
from board.dsp.country import Country
from board.dsp.dtmf import KEYPAD, DtmfGenerator
from board.dsp.tones import Tone
from board.emu.bench_protocol import describe_caller
from board.emu.caller_id_display import CallerIdDisplay, CallerIdShown
from board.emu.ear import Ear, Hearing
from board.emu.far_end import FarEnd
from board.emu.si3215 import Si3215Model

_DTMF_KEYS = "".join(KEYPAD)
_A_NEW_CALL_S = 8.0  # a ring this long after the last one belongs to another call
_KEPT = 100  # ring bursts and caller IDs remembered


@dataclass(frozen=True)
class PhoneSettings:
    """How the phone's hook switch, rotary dial and keypad behave. Times in ms.

    `bounce_ms` is the hook switch settling: the contacts flick back and forth for these
    durations before they rest (lift and hang-up alike). Pulses are 10 per second at
    60/40 break/make by default (US 61/39, UK 67/33); `flash_ms` is the recall break
    (North America 300-1000, Europe 70-125).
    """

    bounce_ms: tuple[float, ...] = (1.0, 1.5, 1.0, 1.5)
    pulse_break_ms: float = 60.0
    pulse_make_ms: float = 40.0
    interdigit_ms: float = 700.0
    flash_ms: float = 600.0
    dtmf_on_ms: float = 80.0
    dtmf_off_ms: float = 80.0
    dtmf_level_dbm0: float = -8.0


@dataclass
class RingBurst:
    """Ringing voltage seen on the line, from `start_s` to `end_s` (None: still on)."""

    start_s: float
    frequency_hz: float
    amplitude_vpk: float
    end_s: float | None = None


@dataclass
class _Dialling:
    """A pulse train or flash under way: loop states and how long each lasts."""

    steps: list[tuple[bool, float]]
    done: tuple[str, str]  # the event when the last step is over
    position: int = field(default=0)


class AnalogPhone(FarEnd):
    """The phone on one FXS port, attached to its Si3215 model's line and timeslot.

    Actions (`lift`, `hang_up`, `dial`, `flash`, `speak_tone`, `quiet`) act on the
    clock like a person with a phone: the hook switch bounces, pulses are timed loop
    breaks, DTMF goes up the PCM uplink. What the phone notices comes as events:
    ``ringing``/``ring-off`` per burst, ``cid`` when the display shows a caller,
    ``polarity``, ``battery``, and ``dialled``/``flashed`` when an action is over.
    It hears with an `Ear` while off-hook and decodes caller ID while on-hook.
    """

    def __init__(
        self,
        slic: Si3215Model,
        country: Country,
        settings: PhoneSettings | None = None,
        seed: int = 0,
    ):
        self.settings = settings or PhoneSettings()
        self.off_hook = False
        self.rings: deque[RingBurst] = deque(maxlen=_KEPT)
        self.caller_ids: deque[CallerIdShown] = deque(maxlen=_KEPT)
        self._slic = slic
        self._dialling: _Dialling | None = None
        self._ringing = self._fed = self._reversed = False  # as last seen on the line
        super().__init__(slic, slic.name, country, seed)
        self.set_country(country)

    def set_country(self, country: Country) -> None:
        """The country the phone was made for: the tones it names, the caller ID it decodes."""
        super().set_country(country)
        self.ear = Ear(country)
        self.display = CallerIdDisplay(country)

    # Hook switch

    def lift(self, bounce: bool = True) -> None:
        """Go off-hook; with `bounce` the contacts settle as a real hook switch does."""
        self._require(not self.off_hook, "is already off-hook")
        self.off_hook = True
        self.ear = Ear(self.country)
        self._switch(True, bounce)

    def hang_up(self, bounce: bool = True) -> None:
        """Go on-hook, dropping whatever was being dialled or said."""
        self._require(self.off_hook, "is already on-hook")
        self.off_hook = False
        self._dialling = None
        self._timers.cancel("dial")
        self._timers.cancel("closure")
        self.voice.hush()
        self.display = CallerIdDisplay(self.country)
        self._switch(False, bounce)

    def close_loop_for(self, milliseconds: float) -> None:
        """Close the loop for `milliseconds`, cleanly, then open it (a test of hook debounce)."""
        self.lift(bounce=False)
        self._timers.schedule("closure", milliseconds / 1000, lambda: self.hang_up(bounce=False))

    def _switch(self, closed: bool, bounce: bool) -> None:
        # The contacts touch first, then flick apart and together for bounce_ms each.
        self._slic.set_loop_closed(closed)
        flicks = list(self.settings.bounce_ms) if bounce else []
        self._timers.cancel("hook")
        self._flick(closed, flicks, not closed)

    def _flick(self, closed: bool, flicks: list[float], state: bool) -> None:
        if not flicks:
            self._slic.set_loop_closed(closed)
            return
        delay_ms, rest = flicks[0], flicks[1:]

        def next_flick() -> None:
            self._slic.set_loop_closed(state)
            self._flick(closed, rest, not state)

        self._timers.schedule("hook", delay_ms / 1000, next_flick)

    # Dial and keypad

    def dial(self, digits: str, pulse: bool = False) -> None:
        """Dial `digits`: DTMF into the uplink, or with `pulse` timed loop breaks (0-9)."""
        self._require(self.off_hook, f"is on-hook: lift it before dialling {digits}")
        self._require(self._dialling is None, "is still dialling or flashing")
        if pulse:
            self._require(digits.isdigit(), f"cannot pulse-dial {digits!r}: digits 0-9 only")
            self._run_loop_steps(self._pulse_steps(digits), ("dialled", digits))
            return
        unknown = [d for d in digits.upper() if d not in _DTMF_KEYS]
        self._require(not unknown, f"has no key {''.join(unknown)!r} (0-9 * # A-D)")
        generator = DtmfGenerator(
            level_dbm0=self.settings.dtmf_level_dbm0,
            on_ms=self.settings.dtmf_on_ms,
            off_ms=self.settings.dtmf_off_ms,
        )
        self.voice.say(generator.render(digits.upper()), lambda: self._emit("dialled", digits))

    def _pulse_steps(self, digits: str) -> list[tuple[bool, float]]:
        settings = self.settings
        steps: list[tuple[bool, float]] = []
        for digit in digits:
            for _ in range(int(digit) or 10):
                steps += [(False, settings.pulse_break_ms), (True, settings.pulse_make_ms)]
            steps[-1] = (True, settings.interdigit_ms)
        return steps

    def flash(self, break_ms: float | None = None) -> None:
        """Hook flash (recall): a timed break, `settings.flash_ms` unless given."""
        self._require(self.off_hook, "is on-hook: there is nothing to flash")
        self._require(self._dialling is None, "is still dialling or flashing")
        break_ms = self.settings.flash_ms if break_ms is None else break_ms
        self._run_loop_steps([(False, break_ms), (True, 0.0)], ("flashed", f"{break_ms:g}"))

    def _run_loop_steps(self, steps: list[tuple[bool, float]], done: tuple[str, str]) -> None:
        self._dialling = _Dialling(steps, done)
        self._next_loop_step()

    def _next_loop_step(self) -> None:
        dialling = self._dialling
        if dialling is None:
            return
        if dialling.position == len(dialling.steps):
            self._dialling = None
            self._emit(*dialling.done)
            return
        closed, duration_ms = dialling.steps[dialling.position]
        dialling.position += 1
        self._slic.set_loop_closed(closed)
        self._timers.schedule("dial", duration_ms / 1000, self._next_loop_step)

    # Mouth and ear

    def speak_tone(self, freqs_hz: tuple[float, ...], level_dbm0: float = -10.0) -> None:
        """Say a steady tone into the mouthpiece until `quiet`."""
        self._require(self.off_hook, "is on-hook: nobody hears it speak")
        self.voice.hold(Tone(tuple(freqs_hz), (), level_dbm0))

    def speak(self, samples: np.ndarray) -> None:
        """Say `samples` (int16 at 8 kHz) once."""
        self._require(self.off_hook, "is on-hook: nobody hears it speak")
        self.voice.say(samples)

    def quiet(self) -> None:
        """Stop speaking (DTMF already under way is cut too)."""
        self.voice.hush()

    def hearing(self) -> Hearing:
        """What the earpiece plays now (nothing while on-hook)."""
        return self.ear.hearing()

    def _talking(self) -> bool:
        return self.off_hook

    def _hear(self, samples: np.ndarray, end_s: float) -> None:
        if self.off_hook:
            self.ear.listen(self._whole_frame(samples), end_s)
        elif len(samples):
            for method, caller in self.display.listen(samples):
                self._show(method, caller)

    def _show(self, method: str, caller: CallerId) -> None:
        shown = CallerIdShown(
            caller, method, self.rings_this_call(), self.display.alerted, self.clock.monotonic()
        )
        self.caller_ids.append(shown)
        self.display.alerted = False
        self._emit("cid", describe_caller(caller))

    @property
    def caller_id(self) -> CallerIdShown | None:
        """The caller ID on the display now (the last one shown)."""
        return self.caller_ids[-1] if self.caller_ids else None

    # Ringer and line

    @property
    def ringing(self) -> bool:
        """The ringer sounds: ringing voltage is on the line now."""
        return self._ringing

    def rings_this_call(self) -> int:
        """Ring bursts of the call ringing now (0 if none rang in the last 8 s)."""
        count, later_s = 0, self.clock.monotonic()
        for burst in reversed(self.rings):
            if burst.end_s is not None and later_s - burst.end_s > _A_NEW_CALL_S:
                break
            count, later_s = count + 1, burst.start_s
        return count

    def _line_moved(self) -> None:
        slic, now_s = self._slic, self.clock.monotonic()
        was_ringing, self._ringing = self._ringing, slic.ringing
        if self._ringing and not was_ringing:
            self.rings.append(RingBurst(now_s, slic.ring_frequency_hz, slic.ring_amplitude_vpk))
            self._emit("ringing")
        elif was_ringing and not self._ringing:
            self.rings[-1].end_s = now_s
            self._emit("ring-off")
        if slic.linefeed == Linefeed.RINGING:
            return  # between bursts the feed is the ringer's business, not news
        if slic.fed != self._fed:
            self._fed = slic.fed
            self._emit("battery", "on" if slic.fed else "off")
        if slic.fed and slic.polarity_reversed != self._reversed:
            self._reversed = slic.polarity_reversed
            self._emit("polarity", "reversed" if self._reversed else "normal")
