"""The security log: attacks and failed logins the edge reports, counted for the panels."""

import logging
import time
from collections import Counter, deque
from dataclasses import dataclass

from pbx.bus import EventBus
from pbx.events import SecurityEvent

logger = logging.getLogger(__name__)
RECENT_KEPT = 50  # the newest events the dashboard lists


@dataclass(frozen=True)
class SecurityNote:
    """One security event as the panels list it: when (epoch seconds), what, from where."""

    at_s: float
    kind: str
    source: str
    user: str = ""


class SecurityLog:
    """Logs every security event once and counts them by kind."""

    def __init__(self, bus: EventBus) -> None:
        self.counts: Counter[str] = Counter()
        self.recent: deque[SecurityNote] = deque(maxlen=RECENT_KEPT)  # newest last
        bus.subscribe(SecurityEvent, self._handle_event)

    def _handle_event(self, event: SecurityEvent) -> None:
        self.counts[event.kind] += 1
        self.recent.append(SecurityNote(time.time(), event.kind, event.source, event.user))
        logger.warning(
            "security event %s from %s%s",
            event.kind,
            event.source,
            f" (user {event.user})" if event.user else "",
        )
