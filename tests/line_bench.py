"""The bench of a daemon on the emulated board, as the end-to-end line tests drive it.

It sends bench-protocol command lines (docs/bench-protocol.md on the far-end branch) and
reads their replies. Today they reach the stand-in bench (board/emu/stand_in_bench.py)
through the daemon's control socket; once the bench channel is merged, `_send` writes
the same lines to its pty and nothing else here changes.
"""

import shlex
import time

from firmware import control
from tests.harness import Daemon


class BenchRefused(Exception):
    """The bench answered a command with an error line."""


class LineBench:
    """Commands to the far ends of one daemon's emulated board."""

    def __init__(self, daemon: Daemon) -> None:
        self._socket = daemon.data_dir / "callbox.sock"

    def _send(self, line: str, timeout_s: float) -> str:
        return control.request(self._socket, "bench", timeout_s=timeout_s, line=line)

    def command(self, line: str, timeout_s: float = 5.0) -> dict[str, str]:
        """Send `line`; the reply's key=value fields (BenchRefused on an error reply)."""
        reply = self._send(line, timeout_s)
        status, *fields = shlex.split(reply)
        if status != "ok":
            raise BenchRefused(f"{line}: {reply}")
        return dict(field.partition("=")[::2] for field in fields)

    def wait_until(self, line: str, predicate, timeout_s: float, what: str) -> dict[str, str]:
        """Ask `line` until its reply's fields satisfy `predicate`; fail naming `what`."""
        deadline = time.monotonic() + timeout_s
        while True:
            fields = self.command(line)
            if predicate(fields):
                return fields
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; last {line!r}: {fields}")
            time.sleep(0.05)


def hears(*freqs_hz: int):
    """A predicate on `hear` replies: these frequencies (and maybe others) are sounding."""
    wanted = {str(f) for f in freqs_hz}
    return lambda fields: wanted <= set(fields.get("freqs", "").split("+"))
