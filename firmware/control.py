"""The local control socket: `callbox status` and friends talk to the running daemon."""

import asyncio
import dataclasses
import json
import logging
import os
import pwd
import socket
import struct
import sys
from collections.abc import Callable
from pathlib import Path

from firmware.call_center_control import call_center_commands
from firmware.control_values import moment_of, plain
from firmware.queue_control import queue_commands
from pbx import PbxError
from pbx.api import ServiceApi
from pbx.extensions import Extension, Permission
from pbx.trunks import OutboundRoute, Trunk

logger = logging.getLogger(__name__)
# Prompt and music uploads come base64-encoded in one request (pbx.transcoder's limit).
_MAX_REQUEST_BYTES = 24 * 1024 * 1024
# Commands that only read. Every other one changes the box and writes one audit row, as
# the same change through the web panel does, so the audit log is complete whatever the door.
_READS = frozenset(
    {"status", "kpi", "kpi.live", "rec.policy", "tc.check", "prompt.say", "queue.supervisions"}
)
# The web panel's names for the same changes, so one filter finds both.
_AUDIT_ACTIONS = {"ext.add": "extension.add", "ext.set": "extension.change",
                  "ext.del": "extension.delete"}  # fmt: skip
_TARGETS = ("number", "extension", "name", "queue", "agent")  # what a change is done to


class ControlServer:
    """JSON lines over a Unix socket only root can open (mode 0600).

    Request: {"command": "status"} or {"command": "ext.add", "args": {...}}.
    Reply: {"ok": true, "result": ...} or {"ok": false, "error": "..."}.

    On the emulated board, `status` also names `bench`: the pty its bench channel serves.
    """

    def __init__(self, api: ServiceApi, path: Path, bench: str | None = None) -> None:
        self._api = api
        self._bench = bench
        self.path = path
        self._server: asyncio.AbstractServer | None = None
        self._commands = {
            "status": self._status,
            "ext.list": self._ext_list,
            "ext.add": self._ext_add,
            "ext.set": self._ext_set,
            "ext.del": self._ext_del,
            "trunk.list": self._trunk_list,
            "trunk.add": self._trunk_add,
            "trunk.set": self._trunk_set,
            "trunk.del": self._trunk_del,
            "route.list": self._route_list,
            "route.set": self._route_set,
            "route.del": self._route_del,
            "rec.list": self._rec_list,
            "rec.policy": self._rec_policy,
        }
        self._commands |= call_center_commands(api)  # route-in, tc, ivr, announce, prompt, moh
        if api.queues is not None:
            self._commands.update(queue_commands(api))

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
        actor = _console_actor(writer.get_extra_info("socket"))
        try:
            while line := await reader.readline():
                writer.write(json.dumps(await self._answer(line, actor)).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, ValueError) as err:
            logger.debug("control client dropped: %s", err)
        finally:
            writer.close()

    async def _answer(self, line: bytes, actor: str = "console") -> dict:
        try:
            request = json.loads(line)
            name = request["command"]
            command = self._commands[name]
            args = request.get("args", {})
            if not isinstance(args, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            return {"ok": False, "error": f"unknown request; commands: {sorted(self._commands)}"}
        try:
            return {"ok": True, "result": await self._audited(name, command(**args), actor, args)}
        except TypeError as err:
            return {"ok": False, "error": f"bad arguments: {err}"}
        except PbxError as err:
            return {"ok": False, "error": str(err)}
        except Exception:  # dispatch boundary: a bug in one command must not drop the socket
            logger.exception("control command %r failed", request.get("command"))
            return {"ok": False, "error": "internal error; the daemon's log has the details"}

    async def _audited(self, name: str, work, actor: str, args: dict) -> object:
        """Carry out a command; a change (done or refused) writes its one audit row."""
        if name in _READS or name.endswith(".list") or self._api.web is None:
            return await work
        target = next((str(args[k]) for k in _TARGETS if k in args), "")
        action = _AUDIT_ACTIONS.get(name, name)
        return await self._api.web.audit.audited(actor, "local", action, target, work)

    async def _status(self) -> dict:
        registrations = [dataclasses.asdict(r) for r in await self._api.registrations()]
        bench = {"bench": self._bench} if self._bench else {}
        return {**dataclasses.asdict(self._api.status()), "registrations": registrations, **bench}

    async def _ext_list(self) -> list[dict]:
        return [_extension_dict(e) for e in await self._api.extensions.list()]

    async def _ext_add(self, number: str, name: str, **options: object) -> dict:
        extension, secret = await self._api.extensions.add(number, name, **options)
        return {**_extension_dict(extension), "secret": secret}

    async def _ext_set(self, number: str, **changes: object) -> dict:
        extension, secret = await self._api.extensions.update(number, **changes)
        return {**_extension_dict(extension), "secret": secret}

    async def _ext_del(self, number: str) -> dict:
        await self._api.extensions.delete(number)
        return {"number": number}

    async def _trunk_list(self) -> list[dict]:
        return [dataclasses.asdict(t) for t in self._api.trunks.trunks()]

    async def _trunk_add(self, name: str, host: str, secret: str = "", **settings: object) -> dict:
        trunk = Trunk(name, host, **_trunk_settings(settings))
        return dataclasses.asdict(await self._api.trunks.add(trunk, secret))

    async def _trunk_set(self, name: str, secret: str | None = None, **changes: object) -> dict:
        trunk = await self._api.trunks.update(name, secret, **_trunk_settings(changes))
        return dataclasses.asdict(trunk)

    async def _trunk_del(self, name: str) -> dict:
        await self._api.trunks.delete(name)
        return {"name": name}

    async def _route_list(self) -> list[dict]:
        return [_route_dict(r) for r in self._api.trunks.routes()]

    async def _route_set(
        self, name: str, patterns: list, trunks: list, permission: str = "local", **options: object
    ) -> dict:
        route = OutboundRoute(
            name, tuple(patterns), tuple(trunks), permission=Permission.parse(permission), **options
        )
        return _route_dict(await self._api.trunks.put_route(route))

    async def _route_del(self, name: str) -> dict:
        await self._api.trunks.delete_route(name)
        return {"name": name}

    async def _rec_list(self, call_uid: str = "", since: str = "", until: str = "") -> list[dict]:
        recordings = self._api.recordings
        found = await recordings.list(
            call_uid, moment_of(since) if since else None, moment_of(until) if until else None
        )
        return [{**plain(r), "file": recordings.file(r)} for r in found]

    async def _rec_policy(self, extension: str = "") -> dict:
        if extension:
            await self._api.extensions.get(extension)  # an unknown number is an error
        return await self._api.recordings.policy(extension)


def _console_actor(sock: socket.socket | None) -> str:
    """Who is at the other end of the control socket, for the audit log: `console:<user>`,
    from the kernel's credentials of the connecting process (SO_PEERCRED), not its word."""
    try:
        credentials = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except (AttributeError, OSError):
        return "console"
    _, uid, _ = struct.unpack("3i", credentials)
    try:
        return f"console:{pwd.getpwuid(uid).pw_name}"
    except KeyError:
        return f"console:{uid}"


def _trunk_settings(settings: dict) -> dict:
    """JSON lists as the tuples trunks hold."""
    if "inbound_networks" in settings:
        settings["inbound_networks"] = tuple(settings["inbound_networks"])
    return settings


def _route_dict(route: OutboundRoute) -> dict:
    return {**dataclasses.asdict(route), "permission": route.permission.name.lower()}


def _extension_dict(extension: Extension) -> dict:
    return {**dataclasses.asdict(extension), "permission": extension.permission.name.lower()}


class RequestRefused(Exception):
    """The daemon answered, and said no; the text says why."""


def request(path: Path, command: str, timeout_s: float = 5.0, **args: object) -> object:
    """Send one command to a running daemon and return its result (blocking client)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        sock.connect(str(path))
        sock.sendall(json.dumps({"command": command, "args": args}).encode() + b"\n")
        reply = sock.makefile("rb").readline()
    if not reply:
        raise RequestRefused("the daemon closed the connection without an answer")
    answer = json.loads(reply)
    if not answer.get("ok"):
        raise RequestRefused(answer.get("error", "the daemon refused the request"))
    return answer["result"]


def exit_status(action: Callable[[], None]) -> int:
    """Run a CLI `action` against the daemon: 0 done, 2 refused (why on stderr), 1 no daemon."""
    try:
        action()
    except RequestRefused as err:
        print(f"callbox: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"callbox: the daemon is not answering: {err}", file=sys.stderr)
        return 1
    return 0
