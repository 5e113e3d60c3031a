"""The bench protocol's commands, run against the emulated board's far ends and chips."""

import dataclasses
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from board.dsp.caller_id import CallerId
from board.dsp.country import Country
from board.dsp.tones import Tone
from board.emu.analog_phone import AnalogPhone
from board.emu.bench_protocol import (
    MAX_LINE_CHARS,
    PROTOCOL_VERSION,
    WITHHELD,
    BenchError,
    caller_number,
    fields,
)
from board.emu.caller_id_delivery import DELIVERIES
from board.emu.far_end import FarEndError, FarEndEvent
from board.emu.pstn_line import HANGUP_METHODS, PstnLine

if TYPE_CHECKING:
    from board.emu.board import EmulatedBoard

_FAULT_USAGE = "fault fxs|fxo N silent|drop-interrupts, or fault board brown-out"
_RING_USAGE = (
    "ring [COUNTRY] [cid NUMBER|private|unavailable [NAME]]"
    " [method bell202|v23|v23-alert|dtmf] [rings N] [sdmf] [date MMDDHHMM]"
)
_MAX_WAIT_MS = 600_000


def _number(text: str, what: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise BenchError(
            "bad-argument", f"{what} must be a number from {low:g} to {high:g}; got {text!r}"
        )
    return value


def _choice(text: str, choices: tuple[str, ...] | list[str], what: str) -> str:
    if text not in choices:
        raise BenchError("bad-argument", f"{what} must be one of {'|'.join(choices)}; got {text!r}")
    return text


def _level(text: str) -> float:
    return _number(text, "level (dBm0)", -60, 3)


def _freqs(text: str) -> tuple[float, ...]:
    parts = text.split("+")
    if not 1 <= len(parts) <= 2:
        raise BenchError(
            "bad-argument", f"a tone is 1 or 2 frequencies like 1004 or 350+440; got {text!r}"
        )
    return tuple(_number(part, "a tone frequency (Hz)", 50, 3950) for part in parts)


@dataclass(frozen=True)
class _Command:
    """A command's action and how it is written (`usage`, with its argument counts)."""

    run: Callable[..., object]
    usage: str
    min_args: int = 0
    max_args: int = 0

    def __call__(self, prefix: str, args: list[str], *bound: object) -> object:
        """Run with the command's words `args` after what it acts on (`bound`)."""
        if not self.min_args <= len(args) <= self.max_args:
            raise BenchError("bad-argument", f"usage: {prefix}{self.usage}")
        return self.run(*bound, *args)


def _changed(settings, key: str, text: str):
    """`settings` with the field `key` (hyphens for underscores) set from `text`."""
    settable = {
        field.name.replace("_", "-"): field.name
        for field in dataclasses.fields(settings)
        if isinstance(getattr(settings, field.name), bool | int | float | str)
    }
    name = settable.get(key)
    if name is None:
        raise BenchError("bad-argument", f"no setting {key!r}; settings: {'|'.join(settable)}")
    current = getattr(settings, name)
    if isinstance(current, bool):
        value = _choice(text, ("yes", "no"), key) == "yes"
    elif isinstance(current, int | float):
        value = _number(text, key, -100_000, 100_000)
    else:
        value = text
    try:
        return dataclasses.replace(settings, **{name: value})
    except ValueError as error:  # the settings' own checks
        raise BenchError("bad-argument", str(error)) from None


class BenchCommands:
    """Turns command lines into far-end actions and replies (docs/bench-protocol.md).

    Ports are numbered from 1 in profile order per side: `fxs 1` is the profile's first
    FXS port. `execute` returns the reply line; errors come back as `error` lines too.
    """

    def __init__(self, board: "EmulatedBoard"):
        self._board = board
        self._ports = {
            "fxs": [port.name for port in board.profile.fxs],
            "fxo": [port.name for port in board.profile.fxo],
        }
        self._numbers = {
            name: n for names in self._ports.values() for n, name in enumerate(names, 1)
        }
        self._commands = {
            "fxs": (board.phones, self._phone_commands()),
            "fxo": (board.lines, self._line_commands()),
        }
        self._general = {
            "hello": _Command(self._hello, "hello"),
            "status": _Command(self._status, "status"),
            "wait": _Command(self._wait, "wait MS", 1, 1),
            "fault": _Command(self._fault, _FAULT_USAGE, 2, 3),
        }

    def _phone_commands(self) -> dict[str, _Command]:
        c = _Command
        return {
            "offhook": c(lambda p: p.lift(), "offhook"),
            "onhook": c(lambda p: p.hang_up(), "onhook"),
            "closure": c(self._closure, "closure MS", 1, 1),
            "dial": c(self._dial, "dial DIGITS [pulse|dtmf]", 1, 2),
            "flash": c(self._flash, "flash [MS]", 0, 1),
            "tone": c(self._phone_tone, "tone HZ[+HZ] [DBM0]", 1, 2),
            "quiet": c(lambda p: p.quiet(), "quiet"),
            "hear": c(self._hearing, "hear"),
            "ring?": c(self._ring_state, "ring?"),
            "cid?": c(self._caller_id, "cid?"),
            "line?": c(self._phone_line, "line?"),
            **self._both_commands(),
        }

    def _line_commands(self) -> dict[str, _Command]:
        c = _Command
        return {
            "ring": c(self._ring, _RING_USAGE, 0, 12),
            "stop": c(lambda ln: ln.stop(), "stop"),
            "answer": c(lambda ln: ln.answer(), "answer"),
            "keys": c(lambda ln, digits: ln.key(digits), "keys DIGITS", 1, 1),
            "hangup": c(self._hangup, f"hangup {'|'.join(HANGUP_METHODS)} [MS]", 1, 2),
            "tone": c(self._line_tone, "tone dial|busy|ringback|congestion|HZ[+HZ] [DBM0]", 1, 2),
            "quiet": c(lambda ln: ln.play(None), "quiet"),
            "hear": c(self._hearing, "hear"),
            "digits?": c(self._digits, "digits?"),
            "line?": c(self._line_state, "line?"),
            "battery": c(self._battery, "battery VOLTS", 1, 1),
            "polarity": c(self._polarity, "polarity normal|reversed", 1, 1),
            "ringer": c(self._ringer, "ringer VRMS HZ|off", 1, 2),
            "yank": c(lambda ln: ln.yank(), "yank"),
            "plug": c(lambda ln: ln.plug(), "plug"),
            "noise": c(self._noise, "noise DBM0|off", 1, 1),
            **self._both_commands(),
        }

    def _both_commands(self) -> dict[str, _Command]:
        return {
            "country": _Command(self._set_country, "country CODE", 1, 1),
            "set": _Command(self._set, "set KEY VALUE", 2, 2),
        }

    # Dispatch

    async def execute(self, line: str) -> str:
        """The reply to one command line."""
        try:
            result = await self._run(line)
        except BenchError as error:
            return error.line
        except FarEndError as error:
            return BenchError("wrong-state", str(error)).line
        return f"ok {result}" if result else "ok"

    async def _run(self, line: str) -> str:
        if len(line) > MAX_LINE_CHARS:
            raise BenchError("too-long", f"lines are at most {MAX_LINE_CHARS} characters")
        try:
            words = shlex.split(line)
        except ValueError as error:
            raise BenchError("bad-argument", f"cannot split the line: {error}") from None
        if not words:
            raise BenchError("unknown-command", "empty line")
        if words[0] in self._commands:
            return self._port_command(words)
        general = self._general.get(words[0])
        if general is None:
            known = "|".join([*self._general, *self._commands])
            raise BenchError("unknown-command", f"{words[0]!r}; commands: {known}")
        result = general("", words[1:])
        return await result if isinstance(result, Awaitable) else result

    def _port_command(self, words: list[str]) -> str:
        side = words[0]
        far_ends, commands = self._commands[side]
        name = self._port_name(side, words[1] if len(words) > 1 else "")
        verb = words[2] if len(words) > 2 else ""
        if verb not in commands:
            known = "|".join(commands)
            raise BenchError("unknown-command", f"{side} {words[1]} {verb!r}; commands: {known}")
        return commands[verb](f"{side} N ", words[3:], far_ends[name]) or ""

    @staticmethod
    def _set(far_end: AnalogPhone | PstnLine, key: str, value: str) -> None:
        far_end.settings = _changed(far_end.settings, key, value)

    def _set_country(self, far_end: AnalogPhone | PstnLine, code: str) -> None:
        far_end.set_country(self._country(code))

    def _port_name(self, side: str, number: str) -> str:
        names = self._ports[side]
        if not number.isdigit() or not 1 <= int(number) <= len(names):
            raise BenchError(
                "bad-port", f"{side} {number or '?'}: this board has {side} 1 to {len(names)}"
            )
        return names[int(number) - 1]

    def _country(self, code: str) -> Country:
        country = self._board.countries.get(code.upper())
        if country is None:
            raise BenchError(
                "bad-argument", f"no country {code!r}; known: {' '.join(self._board.countries)}"
            )
        return country

    def event_line(self, event: FarEndEvent) -> str:
        """The `event` line announcing a far end's event."""
        side = "fxs" if event.port in self._board.phones else "fxo"
        detail = f" {event.detail}" if event.detail else ""
        return f"event {side} {self._numbers[event.port]} {event.kind}{detail}"

    # General commands

    def _hello(self) -> str:
        return fields(
            protocol=PROTOCOL_VERSION,
            bench="emulator",
            fxs=len(self._ports["fxs"]),
            fxo=len(self._ports["fxo"]),
            faults=True,
        )

    def _status(self) -> str:
        phones = {
            f"fxs{n}": "offhook" if self._board.phones[name].off_hook else "onhook"
            for n, name in enumerate(self._ports["fxs"], 1)
        }
        lines = {
            f"fxo{n}": self._board.lines[name].state for n, name in enumerate(self._ports["fxo"], 1)
        }
        return fields(**phones, **lines)

    async def _wait(self, milliseconds: str) -> str:
        await self._board.clock.sleep(_number(milliseconds, "wait", 0, _MAX_WAIT_MS) / 1000)
        return ""

    def _fault(self, side: str, *rest: str) -> str:
        if (side, *rest) == ("board", "brown-out"):
            self._board.brown_out()
            return ""
        if len(rest) != 2:
            raise BenchError("bad-argument", f"usage: {_FAULT_USAGE}")
        name = self._port_name(_choice(side, ("fxs", "fxo"), "fault side"), rest[0])
        chip = self._board.fxs(name) if side == "fxs" else self._board.fxo(name)
        if _choice(rest[1], ("silent", "drop-interrupts"), "fault") == "silent":
            chip.go_silent()
        else:
            chip.drop_interrupts()
        return ""

    # Phones

    @staticmethod
    def _closure(phone: AnalogPhone, milliseconds: str) -> None:
        phone.close_loop_for(_number(milliseconds, "closure", 1, 10_000))

    @staticmethod
    def _dial(phone: AnalogPhone, digits: str, method: str = "dtmf") -> None:
        phone.dial(digits, pulse=_choice(method, ("pulse", "dtmf"), "dial method") == "pulse")

    @staticmethod
    def _flash(phone: AnalogPhone, milliseconds: str | None = None) -> None:
        phone.flash(_number(milliseconds, "flash", 10, 5000) if milliseconds else None)

    @staticmethod
    def _phone_tone(phone: AnalogPhone, freqs: str, level: str = "-10") -> None:
        phone.speak_tone(_freqs(freqs), _level(level))

    @staticmethod
    def _hearing(far_end: AnalogPhone | PstnLine) -> str:
        hearing = far_end.hearing()
        return fields(
            tone=hearing.tone,
            freqs="+".join(map(str, hearing.freqs_hz)) or None,
            level=round(hearing.level_dbm0, 1) if hearing.freqs_hz else None,
            digits=hearing.digits or None,
        )

    @staticmethod
    def _ring_state(phone: AnalogPhone) -> str:
        count = phone.rings_this_call()
        rings = list(phone.rings)[-count:] if count else []
        done = [r for r in rings if r.end_s is not None]
        gaps = [b.start_s - a.end_s for a, b in zip(done, rings[1:], strict=False)]
        last = rings[-1] if rings else None
        return fields(
            ringing=phone.ringing,
            rings=len(rings),
            on_ms=round((done[-1].end_s - done[-1].start_s) * 1000) if done else None,
            off_ms=round(gaps[-1] * 1000) if gaps else None,
            freq=last.frequency_hz if last else None,
            vpk=last.amplitude_vpk if last else None,
        )

    @staticmethod
    def _caller_id(phone: AnalogPhone) -> str:
        shown = phone.caller_id
        if shown is None:
            return "none"
        caller = shown.caller
        return fields(
            number=caller_number(caller),
            name=caller.name,
            method=shown.method,
            rings_before=shown.rings_before,
            alerted=shown.alerted,
        )

    def _phone_line(self, phone: AnalogPhone) -> str:
        slic = self._board.fxs(phone.port)
        return fields(
            hook="offhook" if phone.off_hook else "onhook",
            battery="on" if slic.fed else "off",
            polarity="reversed" if slic.polarity_reversed else "normal",
            tip_ring_v=float(slic.tip_ring_v),
            ringing=slic.ringing,
            ring_hz=float(slic.ring_frequency_hz),
            ring_vpk=float(slic.ring_amplitude_vpk),
        )

    # Lines

    def _ring(self, line: PstnLine, *args: str) -> None:
        options: dict[str, str | None] = {"country": None, "method": None, "rings": None}
        options["date"] = datetime.now().strftime("%m%d%H%M")  # as an exchange stamps it
        caller, sdmf, words = None, False, list(args)
        if words and words[0].upper() in self._board.countries:
            options["country"] = words.pop(0)
        while words:
            word = words.pop(0)
            if word == "sdmf":
                sdmf = True
            elif word == "cid" and words:
                number = words.pop(0)
                named = words and words[0] not in (*options, "sdmf")
                caller = (number, words.pop(0) if named else None)
            elif word in options and words:
                options[word] = words.pop(0)
            else:
                raise BenchError("bad-argument", f"usage: fxo N {_RING_USAGE}; not {word!r}")
        method, rings = options["method"], options["rings"]
        line.ring(
            self._caller(caller, options["date"]) if caller else None,
            country=self._country(options["country"]) if options["country"] else None,
            delivery=DELIVERIES[_choice(method, list(DELIVERIES), "method")] if method else None,
            rings=int(_number(rings, "rings", 1, 1000)) if rings else None,
            sdmf=sdmf,
        )

    @staticmethod
    def _caller(caller: tuple[str, str | None], date: str) -> CallerId:
        number, name = caller
        if number in WITHHELD:
            return CallerId(name=name, date_time=date, number_absence=WITHHELD[number])
        if not number.isdigit():
            raise BenchError(
                "bad-argument", f"a caller number is digits, private or unavailable; got {number!r}"
            )
        if not (len(date) == 8 and date.isdigit()):
            raise BenchError("bad-argument", f"date is MMDDHHMM; got {date!r}")
        return CallerId(number=number, name=name, date_time=date)

    @staticmethod
    def _hangup(line: PstnLine, method: str, milliseconds: str | None = None) -> None:
        _choice(method, HANGUP_METHODS, "hang-up method")
        line.hang_up(method, _number(milliseconds, "denial", 10, 60_000) if milliseconds else None)

    @staticmethod
    def _line_tone(line: PstnLine, name: str, level: str | None = None) -> None:
        tone = line.country.tones.get(name) or Tone(_freqs(name), (), -10.0)
        if level is not None:
            tone = dataclasses.replace(tone, level_dbm0=_level(level))
        line.play(tone)

    @staticmethod
    def _digits(line: PstnLine) -> str:
        return fields(number=line.dialled or None, heard=line.ear.digits or None)

    def _line_state(self, line: PstnLine) -> str:
        daa = self._board.fxo(line.port)
        return fields(
            state=line.state,
            seized=daa.off_hook,
            monitor=daa.on_hook_monitor,
            battery_v=float(daa.battery_v),
            polarity="reversed" if daa.polarity_reversed else "normal",
            ringing=daa.ring_vrms > 0,
            rings=line.rings_sent,
        )

    def _battery(self, line: PstnLine, volts: str) -> None:
        self._board.fxo(line.port).set_battery(_number(volts, "battery (V)", 0, 100))

    def _polarity(self, line: PstnLine, polarity: str) -> None:
        reversed_ = _choice(polarity, ("normal", "reversed"), "polarity") == "reversed"
        self._board.fxo(line.port).set_polarity(reversed_)

    def _ringer(self, line: PstnLine, vrms: str, hz: str | None = None) -> None:
        daa = self._board.fxo(line.port)
        if (vrms, hz) == ("off", None):
            daa.stop_ring()
        elif hz is None:
            raise BenchError("bad-argument", "usage: fxo N ringer VRMS HZ|off")
        else:
            volts = _number(vrms, "ring voltage (Vrms)", 1, 150)
            daa.start_ring(volts, _number(hz, "ring frequency (Hz)", 10, 70))

    @staticmethod
    def _noise(line: PstnLine, level: str) -> None:
        line.voice.set_noise(None if level == "off" else _number(level, "noise (dBm0)", -90, 0))
