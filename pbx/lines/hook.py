"""Hook switch: a phone's on-hook intervals told apart as dial pulses, flashes and hang-ups."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from board.hal import Clock, TimerHandle


@dataclass(frozen=True)
class HookTiming:
    """How long an on-hook interval (a break) may last to count as what (hardware.md §3.3).

    A break up to `pulse_break_max_ms` is a dial pulse, up to `flash_max_ms` a hook
    flash, longer a hang-up (reported once the break has lasted that long). A make
    longer than `digit_gap_ms` ends a pulse-dialled digit.
    """

    pulse_break_max_ms: float
    flash_max_ms: float = 1250.0  # DAHDI's default; hang-up from 1250 ms (target 3)
    digit_gap_ms: float = 300.0  # pulse makes are 30-55 ms, digits 250 ms or more apart


# North America: pulses break 60 ms, flashes 300-1000 ms (DAHDI reads up to 200 ms as a
# pulse). Europe's timed-break recall is 70-125 ms, so pulses there are read up to 69 ms
# (UK pulses break 67 ms): breaks of 70-80 ms, pulses on a slow European dial, read as
# flashes. Countries not named take the European reading. [verify on the HIL rig]
_NORTH_AMERICA = HookTiming(pulse_break_max_ms=200.0)
_EUROPE = HookTiming(pulse_break_max_ms=69.0)
HOOK_TIMINGS = {"US": _NORTH_AMERICA}


def hook_timing(country_code: str) -> HookTiming:
    """The hook timing phones in `country_code` follow."""
    return HOOK_TIMINGS.get(country_code, _EUROPE)


class HookListener(Protocol):
    """What a hook switch reports, as the user did it."""

    def lifted(self) -> None: ...

    def pulse_digit(self, digit: str) -> None: ...

    def flashed(self) -> None: ...

    def hung_up(self) -> None: ...


class HookSwitch:
    """Turns a port's debounced hook changes into lifts, pulse digits, flashes and hang-ups.

    Times come from the events themselves (the board's clock at the change), so a
    late event loop does not turn a pulse into a flash. Loop thread only.
    """

    def __init__(self, clock: Clock, timing: HookTiming, listener: HookListener) -> None:
        self._clock = clock
        self._timing = timing
        self._listener = listener
        self.off_hook = False  # as the user sees it: lifted and not hung up
        self._closed = False  # the loop as last reported
        self._broke_at_s: float | None = None
        self._pulses = 0
        self._hang_up_timer: TimerHandle | None = None
        self._digit_timer: TimerHandle | None = None

    def changed(self, off_hook: bool, at_s: float) -> None:
        """The port reported the loop closed (`off_hook`) or open at board time `at_s`."""
        if off_hook == self._closed:
            return  # nothing new: a ring trip, say, already told of this lift
        self._closed = off_hook
        if not off_hook:
            self._broke_at_s = at_s
            if self.off_hook:
                delay_s = at_s + self._timing.flash_max_ms / 1000 - self._clock.monotonic()
                self._hang_up_timer = self._restart(self._hang_up_timer, delay_s, self._hung_up)
            return
        if not self.off_hook:
            self.off_hook = True
            self._listener.lifted()
            return
        self._cancel_hang_up()
        break_ms = (at_s - (self._broke_at_s or at_s)) * 1000
        if break_ms <= self._timing.pulse_break_max_ms:
            self._pulses += 1
            delay_s = self._timing.digit_gap_ms / 1000
            self._digit_timer = self._restart(self._digit_timer, delay_s, self._digit_ended)
        else:
            self._listener.flashed()

    def reset(self, off_hook: bool) -> None:
        """Take `off_hook` as the state now, with nothing under way (a ring trip lifted it)."""
        self._cancel_hang_up()
        if self._digit_timer is not None:
            self._digit_timer.cancel()
        self._pulses = 0
        self.off_hook = self._closed = off_hook

    def _restart(
        self, timer: TimerHandle | None, delay_s: float, callback: Callable[[], None]
    ) -> TimerHandle:
        if timer is not None:
            timer.cancel()
        return self._clock.call_later(max(0.0, delay_s), callback)

    def _cancel_hang_up(self) -> None:
        if self._hang_up_timer is not None:
            self._hang_up_timer.cancel()
            self._hang_up_timer = None

    def _digit_ended(self) -> None:
        pulses, self._pulses = self._pulses, 0
        if pulses and self.off_hook:
            self._listener.pulse_digit(str(pulses % 10))

    def _hung_up(self) -> None:
        self._hang_up_timer = None
        self.reset(off_hook=False)
        self._listener.hung_up()
