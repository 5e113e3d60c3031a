"""Hardware-in-loop tests: the emulator's behaviours checked on a rig over its serial protocol.

With `--rig /dev/ttyUSB0` the tests drive a real board's far ends through the rig's bench
controller; without it they run against the emulated board (later: the emulator's bench
channel, a pseudo-terminal speaking the same protocol). Run them with `pytest hil_tests`
(not part of `make test`).

The transport is one fixture, `bench`; everything a test does to a far end goes through it.
"""

from dataclasses import dataclass, field

import pytest
import pytest_asyncio

from board.bringup import BoardPorts, bring_up
from board.emu.board import EmulatedBoard
from board.events import BoardEvent
from board.monitor import BoardMonitor
from board.profile import BoardProfile, load_profile
from hil_tests.bench import Bench, EmulatorBench

NEEDS_BENCH_PROTOCOL = "needs the bench serial protocol (a later piece of work defines it)"


def pytest_addoption(parser):
    parser.addoption(
        "--rig",
        default=None,
        metavar="TTY",
        help="serial port of a hardware-in-loop rig (default: the emulator)",
    )
    parser.addoption(
        "--board-profile",
        default="reference",
        help="the profile of the board under test (a shipped name or a .toml path)",
    )


@pytest.fixture(scope="session")
def rig_port(request):
    """The rig's serial port, or None to use the emulated board's bench channel."""
    return request.config.getoption("--rig")


@pytest.fixture(scope="session")
def profile(request) -> BoardProfile:
    return load_profile(request.config.getoption("--board-profile"))


@dataclass
class BoardUnderTest:
    """The board's ports, brought up as the daemon does, and the events its monitor reported."""

    profile: BoardProfile
    ports: BoardPorts
    bench: Bench
    events: list[BoardEvent] = field(default_factory=list)

    async def events_within(self, milliseconds: float) -> list[BoardEvent]:
        """Clear the record, let `milliseconds` pass, and return what was reported."""
        self.events.clear()
        await self.bench.wait_ms(milliseconds)
        return list(self.events)


@pytest.fixture
def bench(rig_port, profile):
    """The far ends: the emulated board's models, or a rig's bench controller."""
    if rig_port is not None:
        pytest.skip(NEEDS_BENCH_PROTOCOL)
    return EmulatorBench(EmulatedBoard(profile))


@pytest_asyncio.fixture
async def board(bench, profile):
    """The board under test with every port up and its monitor running."""
    # On a rig this is LinuxBoardIo(profile, loop); here the emulated board is the I/O.
    io = bench.board
    ports = await bring_up(profile, io)
    under_test = BoardUnderTest(profile, ports, bench)
    monitor = BoardMonitor(profile, io, ports, under_test.events.append)
    monitor.start()
    yield under_test
    monitor.stop()


@pytest.fixture
def faults(bench):
    """The bench, for tests that break chips; skipped where the bench cannot."""
    if not bench.fault_injection:
        pytest.skip("needs a rig that can inject chip faults")
    return bench
