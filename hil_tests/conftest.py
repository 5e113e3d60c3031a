"""Hardware-in-loop tests: the emulator's behaviours checked on a rig over its serial protocol.

With `--rig /dev/ttyUSB0` the tests drive a real board's far ends through the rig's bench
controller; without it they run against the emulator's bench channel (a pseudo-terminal
speaking the same protocol). Run them with `pytest hil_tests` (not part of `make test`).
"""

import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--rig",
        default=None,
        metavar="TTY",
        help="serial port of a hardware-in-loop rig (default: the emulator)",
    )


@pytest.fixture(scope="session")
def rig_port(request):
    """The rig's serial port, or None to use the emulated board's bench channel."""
    return request.config.getoption("--rig")
