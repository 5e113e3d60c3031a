"""The host's end of the bench serial protocol: a rig's USB serial port or the emulator's pty.

Also a command: `python -m board.emu.bench_client /dev/pts/N 'fxs 1 offhook' 'wait 100'`
prints every line the bench sends and exits 1 if a command was refused; with no
commands it reads them from standard input, one a line.
"""

import argparse
import asyncio
import logging
import os
import sys
import termios
import tty
from collections.abc import Callable

from board.emu.bench_protocol import (
    PROTOCOL_VERSION,
    BenchError,
    BenchEvent,
    parse_event,
    parse_fields,
)

logger = logging.getLogger(__name__)

BAUD_RATE = 115200
REPLY_TIMEOUT_S = 5.0  # real time a bench may take to answer, beyond any wait it was asked for


class BenchClient:
    """Sends bench commands and reads replies and events, on the running event loop.

    Any serial character device will do: the emulator's pty or a rig's `/dev/ttyUSB0`,
    put in raw mode at 115200 8N1 with termios. One command is outstanding at a time
    (the protocol answers in order); `event` lines are kept in `events` as they come,
    so after `wait` returns, every event of that time is there.
    """

    def __init__(self, fd: int, on_line: Callable[[str], None] | None = None):
        self.events: list[BenchEvent] = []
        self.hello: dict[str, str] = {}
        self._fd = fd
        self._on_line = on_line
        self._loop = asyncio.get_running_loop()
        self._received = bytearray()
        self._reply: asyncio.Future[dict[str, str]] | None = None
        self._lock = asyncio.Lock()
        self._loop.add_reader(fd, self._readable)

    @classmethod
    async def open(cls, path: str, on_line: Callable[[str], None] | None = None) -> "BenchClient":
        """Open the bench at `path`, drop anything stale, and check it speaks protocol 1."""
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            tty.setraw(fd)
            attributes = termios.tcgetattr(fd)
            attributes[4] = attributes[5] = termios.B115200  # ispeed, ospeed
            termios.tcsetattr(fd, termios.TCSANOW, attributes)
            termios.tcflush(fd, termios.TCIOFLUSH)  # replies to a previous session
        except OSError:
            os.close(fd)
            raise
        client = cls(fd, on_line)
        client.hello = await client.request("hello")
        if client.hello.get("protocol") != str(PROTOCOL_VERSION):
            client.close()
            raise BenchError("protocol", f"bench speaks protocol {client.hello.get('protocol')}")
        return client

    def close(self) -> None:
        self._loop.remove_reader(self._fd)
        os.close(self._fd)

    async def request(self, command: str) -> dict[str, str]:
        """Send `command`; its reply's fields (`ok none` gives {"none": ""}).

        Raises BenchError with the bench's code for an `error` reply, or code
        "timeout" if no reply came in time (a `wait` is given its own length more).
        """
        words = command.split()
        waits = len(words) == 2 and words[0] == "wait" and words[1].isdigit()
        extra_s = int(words[1]) / 1000 if waits else 0.0
        async with self._lock:
            self._reply = self._loop.create_future()
            os.write(self._fd, command.encode("ascii") + b"\n")
            try:
                return await asyncio.wait_for(self._reply, REPLY_TIMEOUT_S + extra_s)
            except TimeoutError:
                raise BenchError("timeout", f"no reply to {command!r}") from None
            finally:
                self._reply = None

    def events_of(self, kind: str, side: str | None = None, number: int | None = None):
        """The events of `kind` so far, for one port if given."""
        return [
            e
            for e in self.events
            if e.kind == kind and side in (None, e.side) and number in (None, e.number)
        ]

    def _readable(self) -> None:
        try:
            self._received += os.read(self._fd, 4096)
        except (BlockingIOError, InterruptedError):
            return
        while b"\n" in self._received:
            raw, _, rest = self._received.partition(b"\n")
            self._received = bytearray(rest)
            line = raw.decode("ascii", errors="replace").strip("\r ")
            if line:
                self._take(line)

    def _take(self, line: str) -> None:
        if self._on_line is not None:
            self._on_line(line)
        word, _, rest = line.partition(" ")
        if word == "event":
            self.events.append(parse_event(line))
            return
        reply = self._reply
        if reply is None or reply.done():
            logger.warning("bench line with no command waiting: %r", line)
        elif word == "ok":
            reply.set_result(parse_fields(rest))
        elif word == "error":
            code, _, message = rest.partition(" ")
            reply.set_exception(BenchError(code, message))
        else:
            logger.warning("bench line not in the protocol: %r", line)


async def _run(path: str, commands: list[str]) -> int:
    client = await BenchClient.open(path, on_line=print)
    refused = False
    try:
        for command in commands or (line.strip() for line in sys.stdin):
            if not command:
                continue
            try:
                await client.request(command)
            except BenchError:
                refused = True
    finally:
        client.close()
    return 1 if refused else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Drive a bench (rig or emulator) by its protocol")
    parser.add_argument("path", help="the bench's serial port (rig) or pty (emulator)")
    parser.add_argument("commands", nargs="*", help="commands to send (default: standard input)")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(_run(args.path, args.commands))
    except (OSError, BenchError) as error:
        print(f"bench_client: {args.path}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
