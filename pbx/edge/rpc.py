"""Kamailio's JSON-RPC over a Unix datagram socket: how the daemon changes a running edge."""

import asyncio
import itertools
import json
import os
import socket
from pathlib import Path

from pbx import PbxError

_MAX_REPLY_BYTES = 256 * 1024
_ids = itertools.count(1)


class EdgeRpcError(PbxError):
    """The edge did not answer a command, or refused it."""


class EdgeRpc:
    """Sends commands to the edge's control socket (only the daemon can open it)."""

    def __init__(self, socket_path: Path, timeout_s: float = 2.0) -> None:
        self.socket_path = socket_path
        self._timeout_s = timeout_s

    async def call(self, method: str, *params: object) -> object:
        """Run one RPC command and return its result; EdgeRpcError if it fails."""
        return await asyncio.to_thread(self._call, method, list(params))

    def _call(self, method: str, params: list) -> object:
        request_id = next(_ids)
        request = {"jsonrpc": "2.0", "method": method, "params": params, "id": request_id}
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            # An abstract address: the edge answers to it, and no file is left behind.
            sock.bind(f"\0callbox-rpc-{os.getpid()}-{request_id}")
            sock.settimeout(self._timeout_s)
            try:
                sock.sendto(json.dumps(request).encode(), str(self.socket_path))
                reply = json.loads(sock.recv(_MAX_REPLY_BYTES))
            except (OSError, ValueError) as err:
                raise EdgeRpcError(f"edge command {method} got no answer: {err}") from None
        if "error" in reply:
            raise EdgeRpcError(f"edge command {method} failed: {reply['error'].get('message')}")
        return reply.get("result")
