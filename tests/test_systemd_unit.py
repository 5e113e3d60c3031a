"""The appliance's systemd unit and configuration, checked by systemd's own tools."""

import re
import shutil
import subprocess

import pytest

from firmware import cli, config, logs
from tests.harness import CALLBOX, REPO

UNIT = REPO / "image_build" / "systemd" / "callbox.service"
EDGE_UNIT = REPO / "image_build" / "systemd" / "callbox-edge.service"
MAX_EXPOSURE = 2.5  # systemd-analyze security: 0 locked down .. 10 exposed; "OK" is below 4

pytestmark = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is installed by `make test`"
)


@pytest.fixture(params=[UNIT, EDGE_UNIT], ids=["daemon", "edge"])
def unit_here(tmp_path, request):
    """Each unit with ExecStart pointed at this checkout, as the image would install it;
    both side by side, since each names the other."""
    for unit in (UNIT, EDGE_UNIT):
        text = unit.read_text().replace("/opt/callbox/.venv/bin/callbox", str(CALLBOX))
        (tmp_path / unit.name).write_text(text)
    return tmp_path / request.param.name


def directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_unit_passes_systemd_verification(unit_here):
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit_here)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


def test_unit_sandbox_is_rated_ok_by_systemd(unit_here):
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(unit_here)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    assert match, result.stdout[-2000:] + result.stderr
    assert float(match.group(1)) <= MAX_EXPOSURE


def test_unit_is_notify_with_watchdog_and_restart_policy():
    unit = directives(UNIT.read_text())
    assert unit["Type"] == ["notify"]
    assert unit["WatchdogSec"] == ["30s"]
    assert unit["Restart"] == ["always"]
    assert unit["RestartPreventExitStatus"] == [str(cli.EX_CONFIG)]
    assert unit["User"] == ["callbox"]
    stop_s = int(unit["TimeoutStopSec"][0].removesuffix("s"))
    assert stop_s > config.DaemonConfig().shutdown_timeout_s


def test_edge_unit_starts_after_the_daemon_stops_with_it_and_restarts_kamailio():
    unit, daemon = directives(EDGE_UNIT.read_text()), directives(UNIT.read_text())
    assert unit["After"] == unit["BindsTo"] == ["callbox.service"]
    assert "callbox-edge.service" in daemon["Wants"]
    assert unit["Restart"] == ["always"]
    assert unit["User"] == daemon["User"], "the edge reads the files the daemon writes"
    assert unit["ExecStart"][0].split()[0] == "/usr/sbin/kamailio"


def test_appliance_configuration_is_valid():
    cfg = config.load(REPO / "image_build" / "callbox.toml")
    assert str(cfg.daemon.data_dir) == "/var/lib/callbox"
    assert cfg.engine.address == "127.0.0.1", "the engine must never face the network"
    assert cfg.edge.supervisor == "systemd"


def test_logging_goes_to_the_journal_under_systemd(monkeypatch):
    monkeypatch.setenv("INVOCATION_ID", "0123456789abcdef0123456789abcdef")
    assert type(logs._sink()).__name__ == "JournalHandler"
    monkeypatch.delenv("INVOCATION_ID")
    assert type(logs._sink()).__name__ == "StreamHandler"
