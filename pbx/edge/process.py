"""Kamailio as a supervised child process: started, health-checked and brought back."""

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from pathlib import Path

from pbx import PbxError
from pbx.bus import EventBus
from pbx.edge.config import EdgeSettings, security_event, write_files
from pbx.edge.probe import answers_options
from pbx.events import EdgeRestarted

logger = logging.getLogger(__name__)
kamailio_log = logging.getLogger("pbx.edge.kamailio")

_READY_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 5.0
_RESTART_DELAY_S = 0.5
_EXIT_POLL_S = 0.2
_PROBE_GAP_S = 0.05


class EdgeError(PbxError):
    """The edge cannot start; `setting` names the configuration key at fault, if any."""

    def __init__(self, message: str, setting: str = "") -> None:
        super().__init__(message)
        self.setting = setting


def _alive(proc_entry: Path) -> bool:
    """True while the process exists and is not a zombie (zombies hold no sockets)."""
    try:
        return (proc_entry / "stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _port_taken(address: str, port: int, kind: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError:
            return True
    return False


class EdgeProcess:
    """Runs Kamailio under the daemon, as `make run` and the tests do.

    Kamailio runs in a session of its own so that, should its main process die,
    its workers can be killed with it before a new one takes the ports.
    """

    def __init__(self, settings: EdgeSettings, bus: EventBus) -> None:
        self.settings = settings
        self._bus = bus
        self._process: asyncio.subprocess.Process | None = None
        self._supervisor: asyncio.Task | None = None
        self._log_reader: asyncio.Task | None = None
        self._stopping = False
        self.restarts = 0

    @property
    def running(self) -> bool:
        """True while a Kamailio process is alive."""
        return self._process is not None and self._process.returncode is None

    @property
    def pid(self) -> int | None:
        """The main Kamailio process, while it runs."""
        return self._process.pid if self.running else None

    async def start(self) -> None:
        """Write the configuration, start Kamailio and wait until it answers."""
        self._kill_leftovers()
        self._check_ports()
        write_files(self.settings)
        await self._spawn()
        self._supervisor = asyncio.create_task(self._supervise())

    async def stop(self) -> None:
        """Stop Kamailio and its workers."""
        self._stopping = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        await self._terminate()

    def _kill_leftovers(self) -> None:
        """Kill a Kamailio left running by a daemon that died without stopping it.

        It is recognised by this box's own configuration file on its command line,
        so no other program, nor another box's edge, is touched.
        """
        marker = str(self.settings.state_dir / "kamailio.cfg").encode()
        killed = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argv and argv[0].endswith(b"kamailio") and marker in argv:
                logger.warning("killing a leftover SIP edge process %s", entry.name)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(entry.name), signal.SIGKILL)
                    killed.append(entry)
        deadline = time.monotonic() + _STOP_TIMEOUT_S
        while killed and time.monotonic() < deadline:
            killed = [p for p in killed if _alive(p)]
            time.sleep(0.02)  # a killed process lets go of its sockets within milliseconds

    def _check_ports(self) -> None:
        s = self.settings
        for key, port, kind in (
            ("edge.udp_port", s.udp_port, socket.SOCK_DGRAM),
            ("edge.tcp_port", s.tcp_port, socket.SOCK_STREAM),
            ("edge.tls_port", s.tls_port, socket.SOCK_STREAM),
        ):
            if _port_taken(s.address, port, kind):
                raise EdgeError(f"{s.address}:{port} is already in use", key)

    async def _spawn(self) -> None:
        s = self.settings
        self._process = await asyncio.create_subprocess_exec(
            "kamailio",
            "-f",
            str(s.state_dir / "kamailio.cfg"),
            "-DD",
            "-E",
            "-Y",
            str(s.state_dir / "run"),
            "-m",
            "64",
            "-M",
            "8",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        self._log_reader = asyncio.create_task(self._read_log(self._process.stderr))
        try:
            await asyncio.wait_for(self._until_answering(), _READY_TIMEOUT_S)
        except TimeoutError:
            await self._terminate()
            raise EdgeError(
                f"Kamailio did not answer within {_READY_TIMEOUT_S:.0f} s; its log says why"
            ) from None
        logger.info(
            "SIP edge up (Kamailio pid %d) on %s udp/tcp %d, tls %d",
            self._process.pid,
            s.address,
            s.udp_port,
            s.tls_port,
        )

    async def _until_answering(self) -> None:
        """Return once Kamailio answers OPTIONS on its UDP port."""
        while not await answers_options(self.settings):
            if self._process.returncode is not None:
                raise EdgeError(f"Kamailio exited at start (status {self._process.returncode})")
            await asyncio.sleep(_PROBE_GAP_S)  # not listening yet: refused at once

    async def _exited(self) -> int:
        """The main process's exit status, once it has exited.

        Process.wait() would also wait for stderr to close, which orphaned
        workers keep open: poll the status instead.
        """
        while self._process.returncode is None:
            await asyncio.sleep(_EXIT_POLL_S)
        return self._process.returncode

    async def _reap(self) -> None:
        """Kill what is left of the process group and collect the process and its log."""
        self._kill_group()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._log_reader), _STOP_TIMEOUT_S)
        await self._process.wait()

    async def _supervise(self) -> None:
        while not self._stopping:
            code = await self._exited()
            if self._stopping:
                return
            self.restarts += 1
            logger.error("SIP edge died (status %s); restarting it", code)
            await self._reap()
            await asyncio.sleep(_RESTART_DELAY_S)
            try:
                await self._spawn()
            except EdgeError as err:
                logger.error("SIP edge restart failed: %s", err)
                continue
            self._bus.publish(EdgeRestarted(code, self.restarts))

    def _kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signal.SIGKILL)

    async def _terminate(self) -> None:
        if not self.running:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._exited(), _STOP_TIMEOUT_S)
        await self._reap()

    async def _read_log(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            text = line.decode(errors="replace").rstrip()
            if event := security_event(text):
                self._bus.publish(event)
                kamailio_log.warning("security: %s", text)
            elif text:
                kamailio_log.info("%s", text)
