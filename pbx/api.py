"""The service API: what panels, the CLI and the web see of the box."""

import time
from dataclasses import dataclass

from pbx.calls import CallService
from pbx.sip import SipEngine

_ENGINE_STALL_S = 5.0


@dataclass(frozen=True)
class BoxStatus:
    """A snapshot of the running box."""

    uptime_s: float
    engine: str  # "running", "stalled" or "stopped"
    calls_active: int
    calls_peak: int
    calls_total: int


class ServiceApi:
    """The one door from the panels into the PBX. Loop thread only."""

    def __init__(self, calls: CallService, engine: SipEngine) -> None:
        self._calls = calls
        self._engine = engine
        self._started = time.monotonic()

    def status(self) -> BoxStatus:
        """Engine health and call counts."""
        if not self._engine.running:
            engine = "stopped"
        elif self._engine.heartbeat_age_s() > _ENGINE_STALL_S:
            engine = "stalled"
        else:
            engine = "running"
        stats = self._calls.stats()
        return BoxStatus(
            round(time.monotonic() - self._started, 1),
            engine,
            stats.active_legs,
            stats.peak_legs,
            stats.total_legs,
        )
