"""baresip as a second, independent SIP phone for tests, driven over its ctrl_tcp socket.

It sends a sine tone as its microphone (ausine, which runs only at 48 kHz in stereo)
and records what it hears (sndfile writes each call's decoded audio to a WAV file).
"""

import contextlib
import json
import queue
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from tests.harness import free_port, wait_until

_CONFIG = """\
sip_listen {bind}:{port}
module_path /usr/lib/baresip/modules
module g711.so
module ausine.so
module aubridge.so
module sndfile.so
module ctrl_tcp.so
module_app account.so
module_app menu.so
audio_player aubridge,nowhere
audio_alert aubridge,nowhere
audio_source ausine,{tone_hz}
ausrc_srate 48000
auplay_srate 48000
ausrc_channels 2
auplay_channels 1
snd_path {sound_dir}
ctrl_tcp_listen 127.0.0.1:{control_port}
rtp_ports {rtp_min}-{rtp_max}
"""


class Baresip:
    """One baresip process with one account at the box's edge."""

    def __init__(
        self,
        workdir: Path,
        *,
        number: str,
        secret: str,
        edge: tuple[str, int],
        bind: str,
        port: int,
        tone_hz: int,
    ) -> None:
        self.dir = workdir / f"baresip-{number}"
        self.sound_dir = self.dir / "sound"
        self.sound_dir.mkdir(parents=True)
        self.control_port = free_port()
        (self.dir / "config").write_text(
            _CONFIG.format(
                bind=bind,
                port=port,
                tone_hz=tone_hz,
                sound_dir=self.sound_dir,
                control_port=self.control_port,
                rtp_min=31000 + port % 100 * 20,
                rtp_max=31019 + port % 100 * 20,
            )
        )
        (self.dir / "accounts").write_text(
            f"<sip:{number}@{edge[0]}>;auth_pass={secret};"
            f'outbound="sip:{edge[0]}:{edge[1]}";regint=300\n'
        )
        self.log = (self.dir / "baresip.log").open("wb")
        self.process = subprocess.Popen(
            ["baresip", "-f", str(self.dir)],
            stdin=subprocess.PIPE,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.events: queue.Queue = queue.Queue()
        self.sock = wait_until(self._connect, 10, "baresip's control socket")
        threading.Thread(target=self._read, daemon=True).start()

    def _connect(self) -> socket.socket | None:
        try:
            return socket.create_connection(("127.0.0.1", self.control_port), timeout=1)
        except OSError:
            return None

    def _read(self) -> None:
        buffer = b""
        with contextlib.suppress(OSError):
            self.sock.settimeout(None)
            while chunk := self.sock.recv(4096):
                buffer += chunk
                while b":" in buffer:  # netstrings: <length>:<payload>,
                    length, _, rest = buffer.partition(b":")
                    if len(rest) < int(length) + 1:
                        break
                    self.events.put(json.loads(rest[: int(length)]))
                    buffer = rest[int(length) + 1 :]

    def command(self, name: str, params: str = "") -> None:
        payload = json.dumps({"command": name, "params": params, "token": name}).encode()
        self.sock.sendall(str(len(payload)).encode() + b":" + payload + b",")

    def wait_for(self, event_type: str, timeout_s: float = 10) -> dict:
        """The next event of `event_type` (REGISTER_OK, CALL_INCOMING, CALL_ESTABLISHED...)."""
        deadline = time.monotonic() + timeout_s
        seen = []
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                break
            if event.get("type") == event_type:
                return event
            seen.append(event.get("type") or event.get("data") or event)
        raise AssertionError(f"baresip: no {event_type} within {timeout_s} s; saw {seen}")

    def heard(self) -> Path:
        """The WAV of what baresip received on its last call (written as the call ends)."""
        files = sorted(self.sound_dir.glob("*dec*.wav"))
        if not files:
            raise AssertionError(f"baresip recorded nothing in {self.sound_dir}")
        return files[-1]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.command("quit")
            self.sock.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.log.close()

    def __enter__(self) -> "Baresip":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def available() -> bool:
    return shutil.which("baresip") is not None
