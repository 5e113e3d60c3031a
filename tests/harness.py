"""Starts the real daemon and real SIP peers for integration tests, on 127.0.0.1 only."""

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from firmware import control

REPO = Path(__file__).resolve().parent.parent
CALLBOX = REPO / ".venv" / "bin" / "callbox"
SIPP_DIR = Path(__file__).resolve().parent / "sipp"


def port_is_free(port: int, kind: int = socket.SOCK_DGRAM) -> bool:
    """True if nothing is bound to 127.0.0.1:`port` for this socket type."""
    with socket.socket(socket.AF_INET, kind) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _toml(value) -> str:
    """A TOML value: tables inline, everything else as JSON spells it (as TOML does)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


_handed_out: set[int] = set()


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 right now, and new to this run.

    A port stays free until whoever it was handed to binds it, so without the
    second condition one daemon's settings could get the same port twice.
    """
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _handed_out and port_is_free(port, socket.SOCK_STREAM):
            _handed_out.add(port)
            return port
    raise RuntimeError("no free port on 127.0.0.1")


def wait_until(predicate, timeout_s: float, what: str, interval_s: float = 0.05):
    """Poll `predicate` until it returns a truthy value; fail naming `what`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)


@dataclass
class Daemon:
    """One `callbox run` process with its own configuration, data and ports."""

    workdir: Path
    settings: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None
    notifications: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sip_port = self.settings.get("engine", {}).get("sip_port") or free_port()
        self.config_path = self.workdir / "callbox.toml"
        self.log_path = self.workdir / "daemon.log"
        self.sections = self._sections()
        self.config_path.write_text(self.config_text())
        self._notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify_path = self.workdir / "notify.sock"
        self._notify.bind(str(self.notify_path))

    def _sections(self) -> dict:
        sip_port = free_port()
        # pjsua tries only some 100 ports from the first of its range: a range
        # starting anywhere in 20000-21998 keeps test runs sharing a machine from
        # starving each other's daemons of RTP ports (and stays clear of SIPp's
        # media ports, 24000 and up).
        rtp_port_min = 20000 + 2 * random.randrange(1000)
        sections = {
            "daemon": {"data_dir": "data", "shutdown_timeout_s": 8.0},
            "engine": {
                "sip_port": self.sip_port,
                "rtp_port_min": rtp_port_min,
                "rtp_port_max": rtp_port_min + 1999,
                "max_calls": 1000,
            },
            # UDP and TCP share a port, as on the appliance: pjsip moves large
            # requests to TCP on the port it has for UDP.
            "edge": {"udp_port": sip_port, "tcp_port": sip_port, "tls_port": free_port()},
            "web": {"https_port": free_port(), "http_port": free_port()},
        }
        for name, values in self.settings.items():
            sections.setdefault(name, {}).update(values)
        return sections

    def config_text(self) -> str:
        """TOML for this daemon: test ports, a private data dir, overrides merged in."""
        return "\n".join(
            f"[{name}]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in values.items())
            for name, values in self.sections.items()
        )

    @property
    def edge(self) -> tuple[str, int]:
        """The SIP edge's UDP address, where phones register."""
        return "127.0.0.1", self.sections["edge"]["udp_port"]

    @property
    def registrar(self) -> str:
        return f"sip:127.0.0.1:{self.edge[1]}"

    def add_extension(self, number: str, name: str, **options) -> str:
        """Add an extension through the running daemon; returns its secret."""
        result = control.request(
            self.data_dir / "callbox.sock", "ext.add", number=number, name=name, **options
        )
        return result["secret"]

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    def start(self, env: dict | None = None) -> "Daemon":
        """Spawn the daemon as a user would, and wait for systemd-style READY=1."""
        environ = {**os.environ, "NOTIFY_SOCKET": str(self.notify_path), **(env or {})}
        environ.pop("INVOCATION_ID", None)
        self.notifications.clear()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(CALLBOX), "--config", str(self.config_path), "run"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=environ,
            )
        self.wait_notification("READY=1", timeout_s=20)
        return self

    def wait_notification(self, text: str, timeout_s: float) -> str:
        """Block until a sd_notify message containing `text` arrives."""
        deadline = time.monotonic() + timeout_s
        while True:
            if found := next((m for m in self.notifications if text in m), None):
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {text!r} from the daemon; log:\n{self.log_tail()}")
            self._notify.settimeout(min(remaining, 0.2))
            try:
                self.notifications.append(self._notify.recv(4096).decode())
            except TimeoutError:
                if self.process and self.process.poll() is not None:
                    raise AssertionError(
                        f"daemon exited without {text!r}; log:\n{self.log_tail()}"
                    ) from None

    def status(self) -> dict:
        """The daemon's status through its control socket (what `callbox status` prints)."""
        return control.request(self.data_dir / "callbox.sock", "status")

    def terminate(self, timeout_s: float) -> tuple[int, float]:
        """SIGTERM; returns (exit code, seconds it took to exit)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout_s)
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def call_records(self) -> list[dict]:
        """Every call detail record in the daemon's database."""
        with contextlib.closing(sqlite3.connect(self.data_dir / "callbox.db")) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM call_record ORDER BY id")]

    def close(self) -> None:
        """Stop the daemon (cleanly if it still can) and anything it left running."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        # A daemon killed by a test leaves its edge running, as a crash would.
        subprocess.run(
            ["pkill", "-KILL", "-f", str(self.data_dir / "edge" / "kamailio.cfg")], check=False
        )
        self._notify.close()


@contextlib.contextmanager
def short_tempdir():
    """A temp dir with a short path: Unix socket paths are limited to 107 bytes."""
    path = Path(tempfile.mkdtemp(prefix="cbx-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@dataclass
class SippRun:
    """A finished SIPp run."""

    returncode: int
    successful: int
    failed: int
    output: str


def sipp(
    scenario: str,
    target: str,
    *,
    service: str,
    calls: int,
    rate: int,
    limit: int,
    hold_ms: int = 0,
    local_port: int | None = None,
    media_port: int = 24000,
    timeout_s: int = 120,
    workdir: Path,
    role: str = "uac",
    extra: tuple[str, ...] = (),
) -> subprocess.Popen:
    """Start SIPp on 127.0.0.1 with a scenario from tests/sipp; bounded in calls and time.

    A "uac" places calls to `target`; a "uas" waits for them on `local_port`.
    """
    stats = workdir / f"sipp-{scenario}.csv"
    caller = [target, "-s", service] if role == "uac" else []
    args = [
        "sipp",
        "-sf",
        str(SIPP_DIR / f"{scenario}.xml"),
        *caller,
        "-i",
        "127.0.0.1",
        "-mi",
        "127.0.0.1",
        "-mp",
        str(media_port),
        "-p",
        str(local_port or free_port()),
        "-m",
        str(calls),
        "-r",
        str(rate),
        "-l",
        str(limit),
        "-d",
        str(hold_ms),
        "-recv_timeout",
        "30000",
        "-timeout",
        f"{timeout_s}s",
        "-timeout_error",
        "-nostdin",
        "-trace_stat",
        "-stf",
        str(stats),
        "-fd",
        "1",
        "-trace_err",
        "-error_file",
        str(workdir / f"sipp-{scenario}-errors.log"),
        *extra,
    ]
    return subprocess.Popen(
        args,
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def sipp_result(process: subprocess.Popen, workdir: Path, timeout_s: float) -> SippRun:
    """Wait for a SIPp run and read its final counters."""
    output, _ = process.communicate(timeout=timeout_s)
    stats = sorted(workdir.glob("sipp-*.csv"))
    successful = failed = -1
    if stats:
        lines = stats[-1].read_text().splitlines()
        header, last = lines[0].split(";"), lines[-1].split(";")
        row = dict(zip(header, last, strict=False))
        successful = int(row.get("SuccessfulCall(C)", -1))
        failed = int(row.get("FailedCall(C)", -1))
    return SippRun(process.returncode, successful, failed, output[-3000:])
