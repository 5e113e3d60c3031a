"""Talks to systemd: readiness, status line, watchdog pings and stopping."""

import logging
import os

from systemd import daemon

logger = logging.getLogger(__name__)


class SystemdNotifier:
    """sd_notify through systemd-python; does nothing when NOTIFY_SOCKET is unset."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.enabled = bool(env.get("NOTIFY_SOCKET"))
        self.watchdog_interval_s = self._watchdog_interval(env)

    @staticmethod
    def _watchdog_interval(env: dict[str, str]) -> float | None:
        """Half of WatchdogSec, as systemd advises; None when no watchdog is armed."""
        usec, pid = env.get("WATCHDOG_USEC"), env.get("WATCHDOG_PID")
        if not usec or (pid and pid != str(os.getpid())):
            return None
        try:
            return int(usec) / 2e6
        except ValueError:
            logger.warning("ignoring WATCHDOG_USEC=%r", usec)
            return None

    def _send(self, message: str) -> None:
        if self.enabled:
            daemon.notify(message)

    def ready(self, status: str) -> None:
        """The box is up: listeners bound, engine running."""
        self._send(f"READY=1\nSTATUS={status}")

    def status(self, status: str) -> None:
        """Replace the one-line status `systemctl status` shows."""
        self._send(f"STATUS={status}")

    def watchdog(self) -> None:
        """Tell systemd the daemon is alive."""
        self._send("WATCHDOG=1")

    def stopping(self) -> None:
        """A clean stop has begun."""
        self._send("STOPPING=1\nSTATUS=stopping")
