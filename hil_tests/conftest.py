"""Hardware-in-loop tests: the emulator's behaviours checked on a rig over the bench protocol.

With `--rig /dev/ttyUSB0` the tests drive a real board's far ends through the rig's bench
controller and bring the board up on the Pi's own SPI, GPIO and TDM; without it the board
under test is the emulated one and the bench is its bench channel, the same protocol on a
pty. Run them with `pytest hil_tests` (not part of `make test`).

The transport is one fixture, `bench`; everything a test does to a far end goes through it.
"""

import asyncio
from dataclasses import dataclass, field

import numpy as np
import pytest
import pytest_asyncio

from board.bringup import BoardPorts, bring_up
from board.dsp.pcm import FRAME_MS
from board.emu import companding
from board.emu.bench_client import BenchClient
from board.emu.board import EmulatedBoard
from board.events import BoardEvent
from board.hal import BoardIo
from board.linux.board_io import LinuxBoardIo
from board.monitor import BoardMonitor
from board.profile import BoardProfile, load_profile
from hil_tests.bench import Bench

_AUDIO_STEP_MS = 100  # the host moves audio in chunks this long, as a channel's buffer would


def pytest_addoption(parser):
    parser.addoption(
        "--rig",
        default=None,
        metavar="TTY",
        help="serial port of a hardware-in-loop rig's bench controller (default: the emulator)",
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
    io: BoardIo
    ports: BoardPorts
    bench: Bench
    events: list[BoardEvent] = field(default_factory=list)

    async def events_within(self, milliseconds: float) -> list[BoardEvent]:
        """Clear the record, let `milliseconds` pass, and return what was reported."""
        self.events.clear()
        await self.bench.wait_ms(milliseconds)
        return list(self.events)

    def _slot(self, port: str) -> int:
        return next(p.timeslot for p in self.profile.ports if p.name == port)

    def take_audio(self, port: str) -> np.ndarray:
        """What the far end of `port` sent since the last take, as int16 samples."""
        bus = self.io.pcm_bus()
        return companding.decode(bus.read(self._slot(port), 1_000_000), bus.pcm_format)

    async def record(self, port: str, milliseconds: float, each=None) -> np.ndarray:
        """Read `port` for `milliseconds`, handing each chunk to `each` (a detector)."""
        chunks = []
        for _ in range(round(milliseconds / _AUDIO_STEP_MS)):
            await self.bench.wait_ms(_AUDIO_STEP_MS)
            chunks.append(self.take_audio(port))
            if each is not None:
                each(chunks[-1])
        return np.concatenate(chunks) if chunks else np.zeros(0, np.int16)

    async def play(self, port: str, samples: np.ndarray) -> None:
        """Play `samples` (int16) to the far end of `port`, in real time."""
        bus = self.io.pcm_bus()
        step = round(_AUDIO_STEP_MS * 8)
        for start in range(0, len(samples), step):
            chunk = samples[start : start + step]
            bus.write(self._slot(port), companding.encode(chunk, bus.pcm_format))
            await self.bench.wait_ms(max(FRAME_MS, len(chunk) / 8))


@pytest_asyncio.fixture
async def board_io(rig_port, profile) -> BoardIo:
    """The board under test's I/O: the Pi's own on a rig, else an emulated board."""
    if rig_port is not None:
        return LinuxBoardIo(profile, asyncio.get_running_loop())
    return EmulatedBoard(profile)


@pytest_asyncio.fixture
async def bench(rig_port, profile, board_io):
    """The far ends: a rig's bench controller, or the emulated board's bench channel."""
    client = await BenchClient.open(rig_port or board_io.open_bench())
    yield Bench(client, profile)
    client.close()
    if rig_port is None:
        board_io.close_bench()


@pytest_asyncio.fixture
async def board(bench, board_io, profile):
    """The board under test with every port up and its monitor running."""
    ports = await bring_up(profile, board_io)
    under_test = BoardUnderTest(profile, board_io, ports, bench)
    monitor = BoardMonitor(profile, board_io, ports, under_test.events.append)
    monitor.start()
    yield under_test
    monitor.stop()


@pytest.fixture
def faults(board):
    """The bench, for tests that break chips; skipped where the bench cannot."""
    if not board.bench.fault_injection:
        pytest.skip("needs a bench that can inject chip faults (the emulator's)")
    return board.bench
