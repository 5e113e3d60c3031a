"""Kamailio as a systemd unit, on the appliance: the daemon writes its files and watches it."""

import asyncio
import contextlib
import logging

from pbx.bus import EventBus
from pbx.edge.config import EdgeSettings, security_event, write_files
from pbx.edge.probe import answers_options
from pbx.events import EdgeRestarted

logger = logging.getLogger(__name__)
kamailio_log = logging.getLogger("pbx.edge.kamailio")

UNIT = "callbox-edge.service"
_CHECK_INTERVAL_S = 1.0


class EdgeUnit:
    """The edge when systemd runs it (image_build/systemd/callbox-edge.service).

    The unit starts once the daemon is ready, stops with it and restarts
    Kamailio when it dies; the daemon writes the configuration before that,
    checks every second that the edge answers, counts the times it came back,
    and reads its security events from the journal.
    """

    def __init__(self, settings: EdgeSettings, bus: EventBus) -> None:
        self.settings = settings
        self._bus = bus
        self.running = False
        self.restarts = 0
        self._tasks: list[asyncio.Task] = []
        self._journal = None

    async def start(self) -> None:
        """Write Kamailio's files and start watching for it."""
        write_files(self.settings)
        self._tasks.append(asyncio.create_task(self._watch()))
        self._follow_journal()

    async def stop(self) -> None:
        """Stop watching (systemd stops the edge with the daemon)."""
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._journal is not None:
            asyncio.get_running_loop().remove_reader(self._journal.fileno())
            self._journal.close()

    async def _watch(self) -> None:
        seen_up = False
        while True:
            up = await answers_options(self.settings)
            if up and not self.running:
                if seen_up:
                    self.restarts += 1
                    self._bus.publish(EdgeRestarted(0, self.restarts))
                logger.info("SIP edge (%s) answering", UNIT)
                seen_up = True
            elif self.running and not up:
                logger.error("SIP edge (%s) stopped answering", UNIT)
            self.running = up
            await asyncio.sleep(_CHECK_INTERVAL_S)

    def _follow_journal(self) -> None:
        try:
            from systemd import journal  # noqa: PLC0415 - only where systemd runs the edge
        except ImportError:
            logger.warning("systemd-python missing: the edge's security events go uncounted")
            return
        reader = journal.Reader()
        reader.add_match(_SYSTEMD_UNIT=UNIT)
        reader.seek_tail()
        reader.get_previous()
        asyncio.get_running_loop().add_reader(reader.fileno(), self._read_journal)
        self._journal = reader

    def _read_journal(self) -> None:
        self._journal.process()
        for entry in self._journal:
            text = str(entry.get("MESSAGE", ""))
            if event := security_event(text):
                self._bus.publish(event)
                kamailio_log.warning("security: %s", text)
