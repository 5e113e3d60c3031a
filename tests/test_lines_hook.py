"""Hook switch: breaks told apart as dial pulses, flashes and hang-ups, per country (target 3)."""

import pytest

from board.emu.clock import ManualClock
from pbx.lines.hook import HookSwitch, hook_timing


class Heard:
    def __init__(self) -> None:
        self.what: list[str] = []

    def lifted(self) -> None:
        self.what.append("lifted")

    def pulse_digit(self, digit: str) -> None:
        self.what.append(f"digit {digit}")

    def flashed(self) -> None:
        self.what.append("flash")

    def hung_up(self) -> None:
        self.what.append("hung up")


def breaks(country: str, *breaks_ms: float, make_ms: float = 40.0) -> list[str]:
    """Lift, then open the loop for each break in turn; what the switch reported."""
    clock, heard = ManualClock(), Heard()
    switch = HookSwitch(clock, hook_timing(country), heard)
    switch.changed(True, clock.monotonic())
    clock.advance_ms(500)
    for break_ms in breaks_ms:
        switch.changed(False, clock.monotonic())
        clock.advance_ms(break_ms)
        switch.changed(True, clock.monotonic())
        clock.advance_ms(make_ms)
    clock.advance_ms(2000)
    return heard.what[1:]


@pytest.mark.parametrize("break_ms", [40, 50, 60, 70, 80])
def test_north_american_pulses_of_40_to_80_ms(break_ms):
    assert breaks("US", *[break_ms] * 3) == ["digit 3"]


@pytest.mark.parametrize("break_ms", [300, 500, 1000, 1200])
def test_north_american_flashes(break_ms):
    assert breaks("US", break_ms) == ["flash"]


@pytest.mark.parametrize("break_ms", [40, 60, 65])
def test_european_pulses(break_ms):
    assert breaks("DE", *[break_ms] * 10) == ["digit 0"]


@pytest.mark.parametrize("break_ms", [70, 100, 125])
def test_european_timed_break_recall(break_ms):
    assert breaks("UK", break_ms) == ["flash"]


@pytest.mark.parametrize("country", ["US", "UK"])
def test_a_break_of_1250_ms_or_more_is_a_hang_up(country):
    assert breaks(country, 1260) == ["hung up", "lifted"]


def test_digits_are_told_apart_by_the_pause_between_them():
    clock, heard = ManualClock(), Heard()
    switch = HookSwitch(clock, hook_timing("US"), heard)
    switch.changed(True, 0.0)
    for digit in (2, 1):
        for _ in range(digit):
            clock.advance_ms(60)
            switch.changed(False, clock.monotonic())
            clock.advance_ms(60)
            switch.changed(True, clock.monotonic())
        clock.advance_ms(700)
    assert heard.what == ["lifted", "digit 2", "digit 1"]


def test_a_repeated_report_of_the_same_state_means_nothing():
    clock, heard = ManualClock(), Heard()
    switch = HookSwitch(clock, hook_timing("US"), heard)
    switch.changed(True, 0.0)
    switch.reset(off_hook=True)
    switch.changed(True, 0.1)
    clock.advance_ms(1000)
    assert heard.what == ["lifted"]
