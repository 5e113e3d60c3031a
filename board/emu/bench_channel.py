"""The bench channel: the emulated board's end of the bench serial protocol, on a pty."""

import asyncio
import logging
import os
import tty
from collections.abc import Iterable

from board.emu.bench_commands import BenchCommands
from board.emu.bench_protocol import MAX_LINE_CHARS
from board.emu.far_end import FarEnd, FarEndEvent

logger = logging.getLogger(__name__)

_READ_BYTES = 4096
_PENDING_MAX_BYTES = 64 * 1024  # what waits for a reader; beyond it the oldest lines go


class BenchChannel:
    """Serves the bench protocol (docs/bench-protocol.md) on a pty, on the event loop.

    A rig's bench controller answers on a USB serial port; here the emulated board
    opens a pseudo-terminal in raw mode and anything that opens `path` (a test, the
    `bench_client` command, a terminal program) drives the far ends through it. Commands
    run one at a time in arrival order, each answered by one line; far-end events are
    written as they happen, so those during a `wait` come before its reply. Replies
    nobody reads are kept up to 64 KiB, then dropped oldest first.
    """

    def __init__(
        self,
        commands: BenchCommands,
        far_ends: Iterable[FarEnd],
        loop: asyncio.AbstractEventLoop,
    ):
        self._commands = commands
        self._loop = loop
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no line editing: bytes pass as sent
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        self._received = bytearray()
        self._pending = bytearray()
        self._lines: asyncio.Queue[str] = asyncio.Queue()
        self._worker = loop.create_task(self._serve())
        for far_end in far_ends:
            far_end.watch(self._on_event)
        loop.add_reader(self._master, self._readable)
        self.closed = False
        logger.info("bench channel (docs/bench-protocol.md) on %s", self.path)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._loop.remove_reader(self._master)
        self._loop.remove_writer(self._master)
        self._worker.cancel()
        os.close(self._master)
        os.close(self._slave)

    def _on_event(self, event: FarEndEvent) -> None:
        if not self.closed:
            self._send(self._commands.event_line(event))

    def _readable(self) -> None:
        try:
            data = os.read(self._master, _READ_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        self._received += data
        while b"\n" in self._received:
            raw, _, rest = self._received.partition(b"\n")
            self._received = bytearray(rest)
            line = raw.decode("ascii", errors="replace").strip("\r ")
            if line:
                self._lines.put_nowait(line)
        if len(self._received) > MAX_LINE_CHARS * 4:  # no newline coming: not our protocol
            self._received.clear()
            self._send("error too-long lines end with a newline")

    async def _serve(self) -> None:
        while True:
            line = await self._lines.get()
            try:
                reply = await self._commands.execute(line)
            except Exception:  # a dispatch boundary: the channel must outlive a bad command
                logger.exception("bench command %r failed", line)
                reply = "error internal the bench failed on this command (see the log)"
            self._send(reply)

    def _send(self, line: str) -> None:
        self._pending += line.encode("ascii", errors="replace") + b"\n"
        if len(self._pending) > _PENDING_MAX_BYTES:
            cut = self._pending.index(b"\n", len(self._pending) - _PENDING_MAX_BYTES) + 1
            del self._pending[:cut]
        self._flush()

    def _flush(self) -> None:
        try:
            written = os.write(self._master, self._pending)
        except BlockingIOError:
            written = 0
        del self._pending[:written]
        if self._pending:
            self._loop.add_writer(self._master, self._flush)
        else:
            self._loop.remove_writer(self._master)
