"""A stand-in for the bench channel: a few bench-protocol commands on the chip models'
analog side, until the far-end models (analog phone, phone-company line) take over.

It speaks the command and reply syntax of the bench protocol (version 1), a subset:

    fxs N offhook | onhook | dial DIGITS [pulse] | flash [MS] | tone HZ[+HZ] [DBM0] | quiet
    fxs N hear | ring?
    fxo N ring [cid NUMBER ["NAME"]] | stop | hangup battery|polarity|busy [MS]
    fxo N tone HZ[+HZ]|dial|busy [DBM0] | quiet | hear | digits? | line?
    wait MS | hello

`hear` answers `freqs` and `level` (no tone names); `line?` adds `released-after-ms`, the
time from the last `hangup` to the box letting go of the line. Time is the board's,
which the daemon paces in real time, so `wait` passes real time. Caller ID goes out as
FSK 0.6 s after the first ring, in the country's FSK standard (V.23 where it has none).
"""

import asyncio
import shlex
from collections import deque

import numpy as np

from board.dsp import g711
from board.dsp.caller_id import CallerId, encode_mdmf
from board.dsp.country import Country
from board.dsp.dtmf import DtmfDetector, DtmfGenerator
from board.dsp.fsk import FSK_STANDARDS, V23
from board.dsp.fsk_caller_id import fsk_spill
from board.dsp.level import dbm0_of_power
from board.dsp.pcm import FRAME_SAMPLES, SAMPLE_RATE_HZ
from board.dsp.tones import Tone, ToneGenerator
from board.emu.board import EmulatedBoard
from board.emu.pcm import PcmEndpoint
from board.emu.si3050 import Si3050Model
from board.emu.si3215 import Si3215Model

FRAME_S = 0.020
HEARD_SAMPLES = 1024  # "the last 128 ms"
_DTMF = DtmfGenerator(level_dbm0=-8.0, on_ms=80.0, off_ms=80.0)


class BenchError(Exception):
    """A command the stand-in refuses: `code` is the bench protocol's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code} {message}")


def _freqs_of(samples: np.ndarray) -> tuple[str, float]:
    """The frequencies sounding ("350+440"), strongest first, and their level in dBm0."""
    power = float(np.mean(samples.astype(np.float64) ** 2)) if len(samples) else 0.0
    if power < 1.0:
        return "none", -99.0
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), 8 * SAMPLE_RATE_HZ))
    peaks = np.flatnonzero((spectrum[1:-1] > spectrum[:-2]) & (spectrum[1:-1] >= spectrum[2:])) + 1
    strong = [p for p in peaks if spectrum[p] >= 0.2 * spectrum[peaks].max()]
    strong.sort(key=lambda p: -spectrum[p])
    return "+".join(str(round(p / 8)) for p in strong[:4]), round(dbm0_of_power(power), 1)


class _FarEnd:
    """What both far ends do with audio: speak a tone or samples, keep what they hear."""

    def __init__(self, pcm: PcmEndpoint, pcm_format) -> None:
        self.pcm = pcm
        self._format = pcm_format
        self.speaking: ToneGenerator | None = None
        self.queued: deque[np.ndarray] = deque()
        self.heard = np.zeros(0, dtype=np.int16)

    def say(self, samples: np.ndarray) -> None:
        self.queued.extend(
            samples[i : i + FRAME_SAMPLES] for i in range(0, len(samples), FRAME_SAMPLES)
        )

    def tick(self) -> np.ndarray:
        data = bytes(self.pcm.to_line)
        self.pcm.to_line.clear()
        frame = g711.decode(data, self._format)
        self.heard = np.concatenate((self.heard, frame))[-HEARD_SAMPLES:]
        out = self.queued.popleft() if self.queued else None
        if out is None and self.speaking is not None:
            out = self.speaking.read(FRAME_SAMPLES)
        if out is not None and self.pcm.active:
            self.pcm.from_line.extend(g711.encode(out, self._format))
        return frame

    def hear(self) -> str:
        freqs, level = _freqs_of(self.heard)
        return f"ok freqs={freqs} level={level}"


class StandInBench:
    """Serves the stand-in commands on an emulated board's far ends (see the module)."""

    def __init__(self, board: EmulatedBoard, country: Country) -> None:
        self._board = board
        self._country = country
        self._clock = board.clock
        pcm_format = board.pcm.pcm_format
        self._phones = [(m, _FarEnd(m.pcm, pcm_format)) for m in board.fxs_models.values()]
        self._lines = [(m, _FarEnd(m.pcm, pcm_format)) for m in board.fxo_models.values()]
        self._line_state = [_LineState() for _ in self._lines]
        self._rings = [0] * len(self._phones)
        self._was_ringing = [False] * len(self._phones)
        self._clock.call_later(FRAME_S, self._tick)

    async def execute(self, line: str) -> str:
        """One command line; its reply line."""
        try:
            words = shlex.split(line)
            if not words:
                raise BenchError("bad-argument", "empty command")
            if words[0] == "hello":
                return (
                    f"ok protocol=1 bench=stand-in fxs={len(self._phones)} fxo={len(self._lines)}"
                )
            if words[0] == "wait" and len(words) == 2:
                await asyncio.sleep(int(words[1]) / 1000)
                return "ok"
            if words[0] in ("fxs", "fxo") and len(words) >= 3:
                index = self._port(words[0], words[1])
                handler = self._phone if words[0] == "fxs" else self._line
                return handler(index, words[2], words[3:])
            raise BenchError("unknown-command", "known: hello, wait, fxs, fxo")
        except (ValueError, IndexError) as err:
            return f"error bad-argument {err}"
        except BenchError as err:
            return f"error {err}"

    def _port(self, kind: str, number: str) -> int:
        count = len(self._phones if kind == "fxs" else self._lines)
        if not number.isdigit() or not 1 <= int(number) <= count:
            raise BenchError("bad-port", f"{kind} {number}: this board has {kind} 1 to {count}")
        return int(number) - 1

    def _tick(self) -> None:
        for index, (model, far_end) in enumerate(self._phones):
            far_end.tick()
            if model.ringing and not self._was_ringing[index]:
                self._rings[index] += 1
            self._was_ringing[index] = model.ringing
        for (model, far_end), state in zip(self._lines, self._line_state, strict=True):
            state.follow(model, far_end.tick(), far_end, self._country, self._clock.monotonic())
        self._clock.call_later(FRAME_S, self._tick)

    # --- phones ----------------------------------------------------------------------------

    def _phone(self, index: int, command: str, args: list[str]) -> str:
        slic, far_end = self._phones[index]
        if command in ("offhook", "onhook"):
            far_end.queued.clear()
            slic.set_loop_closed(command == "offhook")
            self._rings[index] = 0
        elif command == "dial" and args:
            if not slic.loop_closed:
                raise BenchError("wrong-state", "the phone is on-hook")
            if args[1:] == ["pulse"]:
                self._pulse(slic, args[0])
            else:
                far_end.say(_DTMF.render(args[0]))
        elif command == "flash":
            slic.set_loop_closed(False)
            self._clock.call_later(
                int(args[0]) / 1000 if args else 0.6, lambda: slic.set_loop_closed(True)
            )
        elif command in ("tone", "quiet"):
            far_end.speaking = _tone(args, self._country) if command == "tone" else None
        elif command == "hear":
            return far_end.hear()
        elif command == "ring?":
            return f"ok ringing={'yes' if slic.ringing else 'no'} rings={self._rings[index]}"
        else:
            raise BenchError("unknown-command", f"fxs {command}")
        return "ok"

    def _pulse(self, slic: Si3215Model, digits: str) -> None:
        at_s = 0.0
        for digit in digits:
            for _ in range(int(digit) or 10):
                self._clock.call_later(at_s, lambda: slic.set_loop_closed(False))
                self._clock.call_later(at_s + 0.06, lambda: slic.set_loop_closed(True))
                at_s += 0.1
            at_s += 0.7

    # --- lines -----------------------------------------------------------------------------

    def _line(self, index: int, command: str, args: list[str]) -> str:
        daa, far_end = self._lines[index]
        state = self._line_state[index]
        if command == "ring":
            state.ring(daa, self._clock, _caller(args), self._country, far_end)
        elif command == "stop":
            state.stop_ringing(daa)
        elif command == "hangup" and args:
            state.hang_up(daa, args[0], int(args[1]) if len(args) > 1 else 600, self._clock)
            if args[0] == "busy":
                far_end.speaking = ToneGenerator(self._country.tones["busy"])
        elif command in ("tone", "quiet"):
            far_end.speaking = _tone(args, self._country) if command == "tone" else None
        elif command == "hear":
            return far_end.hear()
        elif command == "digits?":
            return f"ok heard={state.digits or 'none'}"
        elif command == "line?":
            released = state.released_after_ms
            return (
                f"ok state={state.name} seized={'yes' if state.seized else 'no'}"
                f" released-after-ms={'none' if released is None else round(released)}"
            )
        else:
            raise BenchError("unknown-command", f"fxo {command}")
        return "ok"


def _tone(args: list[str], country: Country) -> ToneGenerator:
    if not args:
        raise BenchError("bad-argument", "tone HZ[+HZ] [DBM0] or a tone name")
    level = float(args[1]) if len(args) > 1 else -10.0
    if args[0] in country.tones:
        return ToneGenerator(country.tones[args[0]])
    return ToneGenerator(Tone(tuple(float(f) for f in args[0].split("+")), level_dbm0=level))


def _caller(args: list[str]) -> CallerId | None:
    if not args:
        return None
    if args[0] != "cid" or len(args) < 2:
        raise BenchError("bad-argument", 'ring [cid NUMBER ["NAME"]]')
    return CallerId(number=args[1], name=args[2] if len(args) > 2 else None, date_time="01010000")


class _LineState:
    """The exchange behind one FXO port, as far as the stand-in goes."""

    def __init__(self) -> None:
        self.name = "idle"
        self.digits = ""
        self.released_after_ms: float | None = None
        self._hung_up_at_s: float | None = None
        self.seized = False
        self._timers: list = []
        self._detector = DtmfDetector()

    def ring(
        self, daa: Si3050Model, clock, caller: CallerId | None, country: Country, far_end
    ) -> None:
        if self.name != "idle":
            raise BenchError("wrong-state", f"the line is {self.name}")
        self.name = "alerting"
        cadence_s = [ms / 1000 for ms in country.ring.cadence_ms]

        def step(index: int) -> None:
            if index % 2 == 0:
                daa.start_ring()
            else:
                daa.stop_ring()
            following = (index + 1) % len(cadence_s)
            self._timers.append(clock.call_later(cadence_s[index], lambda: step(following)))

        if caller is not None:  # 0.6 s into the silence after the first ring's bursts
            standard = FSK_STANDARDS.get(country.caller_id.standard, V23)
            spill = fsk_spill(encode_mdmf(caller), standard)
            at_s = sum(cadence_s[:-1]) + 0.6
            self._timers.append(clock.call_later(at_s, lambda: far_end.say(spill)))
        step(0)

    def stop_ringing(self, daa: Si3050Model) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        daa.stop_ring()
        if self.name == "alerting":
            self.name = "idle"

    def hang_up(self, daa: Si3050Model, how: str, duration_ms: int, clock) -> None:
        if not daa.off_hook:
            raise BenchError("wrong-state", "the box does not hold the line")
        self.name, self._hung_up_at_s, self.released_after_ms = "cleared", clock.monotonic(), None
        if how == "battery":
            daa.set_battery(0)
            clock.call_later(duration_ms / 1000, lambda: daa.set_battery(48))
        elif how == "polarity":
            daa.set_polarity(not daa.polarity_reversed)
        elif how != "busy":
            raise BenchError("bad-argument", "hangup battery|polarity|busy [MS]")

    def follow(self, daa: Si3050Model, heard: np.ndarray, far_end, country: Country, now_s: float):
        """Once a frame: what the box did to the line since the last one."""
        if daa.off_hook and not self.seized:
            self.seized = True
            self.digits = ""
            if self.name == "alerting":
                self.stop_ringing(daa)
                self.name = "connected"
            else:
                self.name = "dialtone"
                far_end.speaking = ToneGenerator(country.tones["dial"])
        elif not daa.off_hook and self.seized:
            self.seized, self.name = False, "idle"
            far_end.speaking = None
            if self._hung_up_at_s is not None:
                self.released_after_ms = (now_s - self._hung_up_at_s) * 1000
                self._hung_up_at_s = None
            daa.set_polarity(False)
        if self.seized:
            for digit in self._detector.feed(heard):
                self.digits += digit.digit
                if self.name == "dialtone":
                    self.name, far_end.speaking = "connected", None
