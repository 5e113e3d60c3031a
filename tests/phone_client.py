"""The test side of `sip_phone.py`: start a phone process, command it, wait for its events.

    with Phone.start(port=7001, name="alice") as alice:
        alice.call("sip:*43@127.0.0.1:5080")
        alice.wait_for("state", state="CONFIRMED", timeout=5)

A phone registered to a registrar (which is also its outbound proxy) dials
bare numbers:

    with Phone.start(port=7002, registrar="sip:127.0.0.1:5060", user="1001",
                     secret="...", display_name="Alice") as alice:
        alice.wait_for("registration", active=True, timeout=10)
        alice.call("1002")

Every wait is on an event from the phone, never on the clock: a timeout only
bounds how long a missing event is waited for.
"""

import contextlib
import json
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Self

PHONE_SCRIPT = Path(__file__).with_name("sip_phone.py")
_EOF = None  # what the reader thread queues when the phone's stdout closes
_LOG_TAIL_LINES = 30


class PhoneError(Exception):
    """The phone answered a command with an error event."""


class Phone:
    """One `sip_phone.py` process and its event stream."""

    def __init__(self, process: subprocess.Popen, log_path: Path, name: str) -> None:
        self.process = process
        self.log_path = log_path
        self.name = name
        self._events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        # Events read while waiting for something else; later waits see them first.
        self._backlog: list[dict[str, Any]] = []
        self._dead = False
        self._reader = threading.Thread(target=self._read_events, daemon=True)
        self._reader.start()

    @classmethod
    def start(
        cls,
        port: int,
        name: str = "phone",
        rtp_port: int | None = None,
        log_level: int = 1,
        timeout: float = 10.0,
        *,
        registrar: str | None = None,
        user: str | None = None,
        secret: str | None = None,
        transport: str = "udp",
        bind: str = "127.0.0.1",
        display_name: str | None = None,
        register: bool = True,
        codecs: str = "",
        keep_transferred: bool = False,
    ) -> Self:
        """Spawn a phone listening on `bind`:`port` and wait until it is ready.

        With `registrar` (e.g. "sip:127.0.0.1:5060") the phone registers there as
        `user` with `secret` (unless `register` is False) and sends its calls
        through it. This does not wait for the registration: wait for the
        "registration" event (active=True). `log_level` is pjsip's (1 errors ..
        5 every SIP message); the log is `log_path`. A phone hangs up a call it
        transferred once the transfer succeeds, unless `keep_transferred`.
        """
        if registrar is not None and (user is None or secret is None):
            raise ValueError("a phone with a registrar needs user and secret")
        log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the phone owns it until close
            prefix=f"sip_phone_{name}_{port}_", suffix=".log", delete=False
        )
        command = [sys.executable, str(PHONE_SCRIPT), "--port", str(port), "--name", name]
        command += ["--log-level", str(log_level), "--bind", bind, "--transport", transport]
        if codecs:
            command += ["--codecs", codecs]
        if keep_transferred:
            command.append("--keep-transferred")
        if rtp_port is not None:
            command += ["--rtp-port", str(rtp_port)]
        if registrar is not None:
            command += ["--registrar", registrar, "--user", str(user), "--secret", str(secret)]
            if display_name is not None:
                command += ["--display-name", display_name]
            if not register:
                command.append("--no-register")
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        log.close()
        phone = cls(process, Path(log.name), name)
        try:
            phone.wait_for("ready", timeout=timeout)
        except BaseException:
            phone.close()
            raise
        return phone

    # --- context manager -----------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- events ----------------------------------------------------------------

    def _read_events(self) -> None:
        for line in self.process.stdout:
            text = line.strip()
            if not text:
                continue
            try:
                self._events.put(json.loads(text))
            except ValueError:
                self._events.put({"event": "garbage", "line": text})
        self._events.put(_EOF)

    def _next_event(self, deadline: float) -> dict[str, Any] | None:
        """The next unseen event, or None when the deadline passes or the phone is gone."""
        if self._dead:
            return None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        try:
            event = self._events.get(timeout=remaining)
        except queue.Empty:
            return None
        if event is _EOF:
            self._dead = True
        return event

    def _take(self, predicate, timeout: float, what: str) -> dict[str, Any]:
        """Remove and return the first event satisfying `predicate`; others stay queued."""
        for index, event in enumerate(self._backlog):
            if predicate(event):
                return self._backlog.pop(index)
        deadline = time.monotonic() + timeout
        while (event := self._next_event(deadline)) is not None:
            if predicate(event):
                return event
            self._backlog.append(event)
        raise AssertionError(self._failure(what, timeout, self._backlog))

    def wait_for(self, kind: str, timeout: float = 5.0, **match: Any) -> dict[str, Any]:
        """Consume events in order until one of `kind` with fields equal to `match`.

        Events passed over are dropped (and listed in the failure message).
        Raises AssertionError on timeout or if the phone process ends.
        """

        def matches(event: dict[str, Any]) -> bool:
            return event.get("event") == kind and all(
                event.get(key) == value for key, value in match.items()
            )

        skipped: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while self._backlog:
            event = self._backlog.pop(0)
            if matches(event):
                return event
            skipped.append(event)
        while (event := self._next_event(deadline)) is not None:
            if matches(event):
                return event
            skipped.append(event)
        wanted = " ".join([kind, *(f"{k}={v!r}" for k, v in match.items())])
        raise AssertionError(self._failure(wanted, timeout, skipped))

    def take(self, kind: str, timeout: float = 5.0, **match: Any) -> dict[str, Any]:
        """Like `wait_for`, but events passed over stay queued for later waits.

        For events whose order is not fixed (two calls ending at once).
        """

        def matches(event: dict[str, Any]) -> bool:
            return event.get("event") == kind and all(
                event.get(key) == value for key, value in match.items()
            )

        wanted = " ".join([kind, *(f"{k}={v!r}" for k, v in match.items())])
        return self._take(matches, timeout, wanted)

    def _failure(self, wanted: str, timeout: float, seen: list[dict[str, Any]]) -> str:
        lines = [f"phone {self.name}: no {wanted} event"]
        if self._dead:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=2)  # let it finish dying to get the exit code
        if self._dead or self.process.poll() is not None:
            lines[0] += f" - the phone process ended (exit code {self.process.poll()})"
            lines.append(f"last lines of {self.log_path}:")
            lines.extend(self.log_tail())
        else:
            lines[0] += f" within {timeout} s"
        lines.append("events seen meanwhile:")
        lines.extend(f"  {json.dumps(event)}" for event in seen)
        return "\n".join(lines)

    def log_tail(self, count: int = _LOG_TAIL_LINES) -> list[str]:
        """The last `count` lines the phone wrote to stderr."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as err:
            return [f"(cannot read the log: {err})"]
        return text.splitlines()[-count:]

    # --- commands ----------------------------------------------------------------

    def command(self, cmd: str, timeout: float = 5.0, **fields: Any) -> dict[str, Any]:
        """Send a command and wait for its own reply; other events stay queued."""
        if self.process.poll() is not None or self.process.stdin.closed:
            raise AssertionError(self._failure(f"reply to {cmd}", 0, self._backlog))
        try:
            self.process.stdin.write(json.dumps({"cmd": cmd, **fields}) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise AssertionError(self._failure(f"reply to {cmd}", 0, self._backlog)) from None

        def is_reply(event: dict[str, Any]) -> bool:
            return event.get("event") in ("ok", "error") and event.get("cmd") == cmd

        reply = self._take(is_reply, timeout, f"reply to {cmd}")
        if reply["event"] == "error":
            raise PhoneError(f"phone {self.name}: {cmd} failed: {reply.get('message')}")
        return reply

    def call(self, uri: str) -> int:
        """Call a full URI or, on a phone with a registrar, a bare number ("1002").

        Returns the new call's key (the `call` field of its events).
        """
        return self.command("call", uri=uri)["call"]

    def register(self) -> None:
        """(Re-)register; the outcome arrives as a "registration" event."""
        self.command("register")

    def unregister(self) -> None:
        """Unregister; the outcome arrives as a "registration" event (active=False)."""
        self.command("unregister")

    def answer(self, code: int = 200) -> None:
        self.command("answer", code=code)

    def hangup(self, code: int | None = None, call: int | None = None) -> None:
        """Hang up (or refuse with `code`) the current call, or the call with key `call`."""
        fields = {k: v for k, v in (("code", code), ("call", call)) if v is not None}
        self.command("hangup", **fields)

    def play_tone(self, hz: float, seconds: float = 1.0) -> None:
        self.command("play_tone", hz=hz, seconds=seconds)

    def stop_tone(self) -> None:
        self.command("stop_tone")

    def record(self, path: str | Path, seconds: float | None = None) -> None:
        """Record what the phone receives; with `seconds` it stops itself and emits recorded."""
        if seconds is None:
            self.command("record", path=str(path))
        else:
            self.command("record", path=str(path), seconds=seconds)

    def stop_record(self, timeout: float = 5.0) -> dict[str, Any]:
        """Stop recording; returns the `recorded` event once the WAV is complete."""
        self.command("stop_record")
        return self.wait_for("recorded", timeout=timeout)

    def hold(self) -> None:
        """Put the call on hold (re-INVITE, sendonly)."""
        self.command("hold")

    def unhold(self, call: int | None = None) -> None:
        """Take the current call, or the call with key `call`, off hold."""
        self.command("unhold", **({} if call is None else {"call": call}))

    def transfer(self, uri: str) -> None:
        """Blind transfer: REFER the current call to a number or URI.

        Progress arrives as "transfer_status" events (code, final).
        """
        self.command("transfer", uri=uri)

    def transfer_replaces(self, call: int) -> None:
        """Attended transfer: REFER the held call `call` to the current call (Replaces)."""
        self.command("transfer_replaces", call=call)

    def dtmf(self, digits: str, method: str = "rfc4733") -> None:
        """Send digits in-band as RFC 4733 events, or as SIP INFO (method="info")."""
        self.command("dtmf", digits=digits, method=method)

    def close(self, timeout: float = 5.0) -> None:
        """Ask the phone to quit; kill it if it has not ended within `timeout`."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.process.stdin.flush()
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=timeout)
        if self.process.stdout is not None:
            self.process.stdout.close()
        if self.process.returncode == 0:  # a phone that crashed keeps its log
            self.log_path.unlink(missing_ok=True)
