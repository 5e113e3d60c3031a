"""The one narrow door from the box's software to its operating system.

Everything the System page changes outside the daemon's own data goes through
here: files written under one root (on the appliance, its image links /etc's
files there), and a few configured commands (`systemctl reboot`, `networkctl
reload`, ...) run without a shell. Each action is also logged, one line each, to
`actions.log`, so a person (or a test) can see what the box asked of the system.
A blank command asks nothing of the system; the line is still logged.
"""

import asyncio
import json
import logging
import os
import shlex
import time
from pathlib import Path

from pbx import PbxError
from pbx.system.settings import write_atomically

logger = logging.getLogger(__name__)
ACTIONS = ("network", "time", "vpn", "update", "reboot")
_COMMAND_TIMEOUT_S = 60.0


class HostError(PbxError):
    """The system refused an action: its command failed (the settings are saved regardless)."""


class Host:
    """Writes the system's files under `root` and runs the configured command per action."""

    def __init__(self, root: Path, commands: dict[str, str], log_path: Path) -> None:
        unknown = set(commands) - set(ACTIONS)
        if unknown:
            raise ValueError(f"unknown host action(s): {', '.join(sorted(unknown))}")
        self.root = root
        self._commands = {action: shlex.split(text) for action, text in commands.items()}
        self.log_path = log_path

    def path(self, system_path: str) -> Path:
        """Where the system file `system_path` ("/etc/...") lives under the root."""
        return self.root / system_path.lstrip("/")

    def write(self, system_path: str, content: str, mode: int = 0o644) -> Path:
        """Write one system file (atomically), e.g. "/etc/systemd/network/10-callbox.network"."""
        target = self.path(system_path)
        write_atomically(target, content.encode(), mode)
        return target

    def remove(self, system_path: str) -> None:
        """Remove one system file, if it is there."""
        self.path(system_path).unlink(missing_ok=True)

    def link(self, system_path: str, target: str) -> None:
        """Make `system_path` a symbolic link to `target` (replacing what was there)."""
        link = self.path(system_path)
        link.parent.mkdir(parents=True, exist_ok=True)
        temporary = link.with_name(f".{link.name}.new")
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(target)
        os.replace(temporary, link)

    def configured(self, action: str) -> bool:
        """True if `action` runs a command on this box (else it is only logged)."""
        return bool(self._commands.get(action))

    async def act(self, action: str, *arguments: str) -> bool:
        """Log `action`, then run its command (with `arguments` after it); True if it ran.

        HostError if the command fails or hangs: whoever asked should know it did not apply.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown host action {action!r}")
        command = [*self._commands.get(action, ()), *arguments] if self.configured(action) else []
        self._log(action, command)
        if not command:
            logger.info("system action %s: no command configured", action)
            return False
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            output, _ = await asyncio.wait_for(process.communicate(), _COMMAND_TIMEOUT_S)
        except TimeoutError:
            process.kill()
            raise HostError(f"{action}: {command[0]} did not finish") from None
        if process.returncode:
            detail = output.decode(errors="replace").strip()[-300:]
            logger.error("system action %s: %s exited %d: %s", action, command[0],
                         process.returncode, detail)  # fmt: skip
            raise HostError(
                f"saved, but applying it failed ({command[0]} exited {process.returncode}: "
                f"{detail or 'no message'})"
            )
        return True

    def _log(self, action: str, command: list[str]) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        entry = {"at": round(time.time(), 3), "action": action, "command": command}
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    async def addresses(self) -> list[dict]:
        """The addresses the system's interfaces hold now (`ip -j address`), read only."""
        try:
            process = await asyncio.create_subprocess_exec(
                "ip", "-j", "address", "show",
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            output, _ = await asyncio.wait_for(process.communicate(), 5.0)
            interfaces = json.loads(output or b"[]")
        except (OSError, ValueError, TimeoutError):
            return []
        return [
            {"interface": i.get("ifname", ""), "address": f"{a['local']}/{a['prefixlen']}"}
            for i in interfaces
            for a in i.get("addr_info", [])
            if "local" in a and "prefixlen" in a
        ]
