"""The edge run by systemd, as on the appliance: the daemon writes it, watches it, counts restarts.

PID 1 here is not systemd, so the test plays its part: it starts Kamailio with the
unit's own ExecStart line, kills it as a crash would, and starts it again as
Restart=always would.
"""

import os
import shlex
import signal
import subprocess

import pytest

from tests.harness import REPO, wait_until
from tests.sip_probe import SipProbe

UNIT = REPO / "image_build" / "systemd" / "callbox-edge.service"


def exec_start(box) -> list[str]:
    """The unit's ExecStart, with the appliance's paths moved into the test's data dir."""
    line = next(
        entry.split("=", 1)[1] for entry in UNIT.read_text().splitlines()
        if entry.startswith("ExecStart=")
    )  # fmt: skip
    edge_dir = box.data_dir / "edge"
    line = line.replace("/var/lib/callbox/edge", str(edge_dir))
    return shlex.split(line.replace("/run/callbox-edge", str(edge_dir / "run")))


@pytest.fixture
def box(make_daemon):
    return make_daemon({"edge": {"supervisor": "systemd"}}).start()


def edge_state(box) -> tuple[str, int]:
    status = box.status()
    return status["edge"], status["edge_restarts"]


def test_daemon_writes_the_edge_and_counts_its_restarts_under_systemd(box):
    # Ready without an edge: the unit only starts once the daemon is.
    assert edge_state(box) == ("down", 0)
    secret = box.add_extension("1001", "Alice")
    kamailio = subprocess.Popen(exec_start(box), stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(lambda: edge_state(box) == ("running", 0), 15, "the edge seen running")
        probe = SipProbe("127.0.0.3", box.edge)
        try:
            assert probe.register("1001", secret)[1].status == 200
        finally:
            probe.close()

        # A crash: systemd sees the unit die and its cgroup, workers included, go.
        os.killpg(kamailio.pid, signal.SIGKILL)
        kamailio.wait(timeout=10)
        wait_until(lambda: edge_state(box)[0] == "down", 15, "the edge seen down")
        kamailio = subprocess.Popen(
            exec_start(box), stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_until(lambda: edge_state(box) == ("running", 1), 15, "the restart counted")
    finally:
        os.killpg(kamailio.pid, signal.SIGKILL)
        kamailio.wait(timeout=10)
