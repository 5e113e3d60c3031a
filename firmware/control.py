"""The local control socket: `callbox status` and friends talk to the running daemon."""

import asyncio
import dataclasses
import json
import logging
import os
from pathlib import Path

from pbx.api import ServiceApi

logger = logging.getLogger(__name__)
_MAX_REQUEST_BYTES = 64 * 1024


class ControlServer:
    """JSON lines over a Unix socket only root can open (mode 0600).

    Request: {"command": "status"}. Reply: {"ok": true, "result": {...}} or
    {"ok": false, "error": "..."}.
    """

    def __init__(self, api: ServiceApi, path: Path) -> None:
        self._api = api
        self.path = path
        self._server: asyncio.AbstractServer | None = None
        self._commands = {"status": lambda: dataclasses.asdict(self._api.status())}

    async def start(self) -> None:
        """Listen on the socket (a stale one from a crash is replaced)."""
        self.path.unlink(missing_ok=True)
        old_umask = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(
                self._serve, self.path, limit=_MAX_REQUEST_BYTES
            )
        finally:
            os.umask(old_umask)

    async def stop(self) -> None:
        """Close the socket and remove its file."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self.path.unlink(missing_ok=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                writer.write(json.dumps(self._answer(line)).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, ValueError) as err:
            logger.debug("control client dropped: %s", err)
        finally:
            writer.close()

    def _answer(self, line: bytes) -> dict:
        try:
            request = json.loads(line)
            command = self._commands[request["command"]]
        except (ValueError, KeyError, TypeError):
            return {"ok": False, "error": f"unknown request; commands: {sorted(self._commands)}"}
        return {"ok": True, "result": command()}


def request(path: Path, command: str, timeout_s: float = 5.0) -> dict:
    """Send one command to a running daemon and return its result (blocking client)."""
    import socket  # noqa: PLC0415 - the CLI client only

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        sock.connect(str(path))
        sock.sendall(json.dumps({"command": command}).encode() + b"\n")
        reply = sock.makefile("rb").readline()
    answer = json.loads(reply)
    if not answer.get("ok"):
        raise RuntimeError(answer.get("error", "the daemon refused the request"))
    return answer["result"]
