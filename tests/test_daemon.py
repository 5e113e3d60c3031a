"""The daemon as a user runs it: start-up checks, systemd notifications, clean stops."""

import os
import signal
import socket
import subprocess
import sys

import pytest

from tests.harness import CALLBOX, port_is_free, sipp, sipp_result, wait_until

EX_CONFIG = 78


def run_callbox(*args: str, timeout_s: float = 20) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}
    return subprocess.run(
        [str(CALLBOX), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[engine]\nsip_prot = 5090\n", "engine.sip_prot: unknown key (did you mean 'sip_port'?)"),
        ('[engine]\nsip_port = "5090"\n', "engine.sip_port: expected an integer, got str '5090'"),
        ("[engine]\nmax_calls = 0\n", "engine.max_calls: must be between 1 and 1024; got 0"),
    ],
)
def test_bad_configuration_stops_the_daemon_with_the_key_named(workdir, text, message):
    path = workdir / "callbox.toml"
    path.write_text(text)
    result = run_callbox("--config", str(path), "run", timeout_s=10)
    assert result.returncode == EX_CONFIG
    assert message in result.stderr
    assert str(path) in result.stderr
    assert not (workdir / "data").exists(), "nothing may be created from a rejected config"


def test_python_dash_m_firmware_runs_the_same_checks(workdir):
    path = workdir / "callbox.toml"
    path.write_text("[web]\nhttps_port = 0\n")
    result = subprocess.run(
        [sys.executable, "-m", "firmware", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == EX_CONFIG
    assert "web.https_port: must be between 1 and 65535; got 0" in result.stderr


def test_an_unusable_data_directory_is_reported_without_a_traceback(workdir):
    (workdir / "occupied").write_text("a file where the data directory should be")
    path = workdir / "callbox.toml"
    path.write_text('[daemon]\ndata_dir = "occupied"\n[engine]\nsip_port = 5999\n')
    result = run_callbox("--config", str(path), "run")
    assert result.returncode == 71
    assert "callbox: cannot start:" in result.stderr
    assert "occupied" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_without_a_running_daemon_says_so(make_daemon):
    result = run_callbox("--config", str(make_daemon().config_path), "status")
    assert result.returncode == 1
    assert "the daemon is not answering" in result.stderr


def test_missing_configuration_file_is_reported(workdir):
    result = run_callbox("--config", str(workdir / "nope.toml"), "run", timeout_s=10)
    assert result.returncode == EX_CONFIG
    assert "cannot read the file" in result.stderr


def test_engine_port_already_in_use_is_reported(make_daemon):
    daemon = make_daemon()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("127.0.0.1", daemon.sip_port))
        result = run_callbox("--config", str(daemon.config_path), "run")
    assert result.returncode == EX_CONFIG
    assert f"engine.sip_port: cannot listen on 127.0.0.1:{daemon.sip_port}/udp" in result.stderr
    assert "in use" in result.stderr


def test_systemd_hears_ready_status_watchdog_and_stopping(make_daemon):
    daemon = make_daemon().start(env={"WATCHDOG_USEC": "400000"})
    ready = daemon.wait_notification("READY=1", timeout_s=1)
    assert "STATUS=0 calls up, engine running" in ready
    daemon.wait_notification("WATCHDOG=1", timeout_s=5)
    shown = run_callbox("--config", str(daemon.config_path), "status")
    assert shown.returncode == 0, shown.stderr
    assert '"engine": "running"' in shown.stdout
    code, _ = daemon.terminate(timeout_s=15)
    assert code == 0
    daemon.wait_notification("STOPPING=1", timeout_s=1)


def test_sigterm_with_calls_up_hangs_up_and_exits_in_bounded_time(make_daemon, workdir):
    calls = 20
    daemon = make_daemon().start()
    peer = sipp(
        "box_hangs_up",
        f"127.0.0.1:{daemon.sip_port}",
        service="*43",
        calls=calls,
        rate=50,
        limit=calls,
        workdir=workdir,
        timeout_s=60,
    )
    wait_until(lambda: daemon.status()["calls_active"] == calls, 20, f"{calls} calls up")

    code, took_s = daemon.terminate(timeout_s=30)
    run = sipp_result(peer, workdir, timeout_s=30)

    assert code == 0, daemon.log_tail()
    assert took_s < 8.0, f"a clean stop took {took_s:.1f} s (bound: daemon.shutdown_timeout_s)"
    assert (run.returncode, run.successful, run.failed) == (0, calls, 0), run.output
    records = daemon.call_records()
    assert len(records) == calls
    assert {r["disposition"] for r in records} == {"answered"}
    assert all(r["ended_at"] for r in records)
    assert port_is_free(daemon.sip_port, socket.SOCK_DGRAM)
    assert port_is_free(daemon.sip_port, socket.SOCK_STREAM)
    assert not (daemon.data_dir / "callbox.sock").exists()


def test_records_left_open_by_a_crash_are_closed_at_the_next_start(make_daemon, workdir):
    daemon = make_daemon().start()
    peer = sipp(
        "box_hangs_up",
        f"127.0.0.1:{daemon.sip_port}",
        service="*43",
        calls=3,
        rate=10,
        limit=3,
        workdir=workdir,
        timeout_s=30,
    )
    wait_until(lambda: daemon.status()["calls_active"] == 3, 20, "3 calls up")
    wait_until(lambda: len(daemon.call_records()) == 3, 10, "3 records on disk")
    daemon.process.send_signal(signal.SIGKILL)
    daemon.process.wait(timeout=10)
    peer.kill()
    peer.wait(timeout=10)

    daemon.start()
    records = daemon.call_records()
    assert len(records) == 3
    assert {r["disposition"] for r in records} == {"interrupted"}
    assert all(r["ended_at"] for r in records)
