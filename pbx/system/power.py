"""Rebooting, restarting the daemon, and factory reset: each through the host, each honest.

A reboot runs the host's reboot command (`systemctl reboot` on the appliance).
Where none is configured (`make run`, tests) the daemon stops itself with
EXIT_RESTART instead, and whatever runs it (systemd's Restart=always, `make run`'s
loop, a test) starts it again: the software's side of a reboot.

A factory reset leaves a marker and reboots; at the next start, before anything
is opened, the data directory (and the recordings, wherever they are) is wiped:
the database with its users, CDRs and audit log, every key and certificate,
the system settings. The marker goes last, so a power cut part-way wipes again.
"""

import asyncio
import contextlib
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from pbx.system.backup import BackupPlaces, swap_in
from pbx.system.host import Host, HostError

logger = logging.getLogger(__name__)
EXIT_RESTART = 75  # the daemon stopped to be started again (sysexits EX_TEMPFAIL)
FACTORY_RESET = "factory-reset.pending"
REPLY_GRACE_S = 0.5  # the panel's answer leaves before the box goes down


class Power:
    """Reboot and factory reset for the System page; `stop(status)` ends the daemon."""

    def __init__(self, host: Host, places: BackupPlaces, stop: Callable[[int], None]) -> None:
        self._host = host
        self._places = places
        self._stop = stop
        self._tasks: set[asyncio.Task] = set()

    def reboot_soon(self, reason: str) -> None:
        """Reboot the box (or restart the daemon) once the current answer has gone out."""
        self._later(self._reboot(reason))

    def restart_soon(self, reason: str) -> None:
        """Restart the daemon (a restore's files are swapped in as it starts)."""
        self._later(self._restart(reason))

    def factory_reset_soon(self) -> None:
        """Mark the data for wiping, then reboot: the next start wipes it and begins afresh."""
        (self._places.data_dir / FACTORY_RESET).write_text("requested from the panel\n")
        self.reboot_soon("factory reset")

    def _later(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reboot(self, reason: str) -> None:
        await asyncio.sleep(REPLY_GRACE_S)
        logger.warning("rebooting: %s", reason)
        try:
            rebooting = await self._host.act("reboot")
        except HostError as err:
            logger.error("the box did not reboot: %s", err)
            return
        if not rebooting:
            self._stop(EXIT_RESTART)

    async def _restart(self, reason: str) -> None:
        await asyncio.sleep(REPLY_GRACE_S)
        logger.warning("restarting the daemon: %s", reason)
        self._stop(EXIT_RESTART)


def apply_pending(places: BackupPlaces) -> str:
    """At start, before anything is opened: a pending factory reset or restore.

    Returns "factory-reset", "restore" or "" (nothing was pending).
    """
    marker = places.data_dir / FACTORY_RESET
    if marker.exists():
        logger.warning("factory reset: wiping %s", places.data_dir)
        for root in (places.recordings_dir, places.data_dir):
            if root.is_dir():
                for entry in root.iterdir():
                    if entry != marker:
                        _wipe(entry)
        marker.unlink()
        return "factory-reset"
    if done := swap_in(places):
        logger.warning("restored from a backup: %s", ", ".join(done))
        return "restore"
    return ""


def _wipe(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
