"""The security log: attacks and failed logins the edge reports, counted for the panels."""

import logging
from collections import Counter

from pbx.bus import EventBus
from pbx.events import SecurityEvent

logger = logging.getLogger(__name__)


class SecurityLog:
    """Logs every security event once and counts them by kind."""

    def __init__(self, bus: EventBus) -> None:
        self.counts: Counter[str] = Counter()
        bus.subscribe(SecurityEvent, self._handle_event)

    def _handle_event(self, event: SecurityEvent) -> None:
        self.counts[event.kind] += 1
        logger.warning(
            "security event %s from %s%s",
            event.kind,
            event.source,
            f" (user {event.user})" if event.user else "",
        )
