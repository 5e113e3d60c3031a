"""The dashboard: ports and lines, registrations, trunks, alarms, host health, security events."""

import json

from webui.handler import ApiHandler, PanelHandler
from webui.live_data import STATE_LABELS, dashboard

# Values the dashboard's script may put on the page, translated once per page.
LIVE_WORDS = (
    "idle", "off-hook", "ringing", "in-call", "alarm", "registered", "registering", "failed",
    "not used", "disabled", "running", "stalled", "stopped", "down", "not available",
    "No alarms", "fxs", "fxo",
)  # fmt: skip


def live_words(translate) -> str:
    """The words above as JSON, English -> this page's language, for data-strings."""
    words = {word: translate(word) for word in LIVE_WORDS}
    return json.dumps(words | {state: translate(label) for state, label in STATE_LABELS.items()})


class DashboardPage(PanelHandler):
    """GET: the box at a glance; the page refreshes itself from /api/dashboard."""

    async def get(self) -> None:
        self.render(
            "dashboard.html",
            board=await dashboard(self.api),
            words=live_words(self.translate),
            figure=self.figure,
        )

    def figure(self, value: float | None, unit: str = "") -> str:
        """A reading with its unit, or "not available" where the host has none."""
        return self.translate("not available") if value is None else f"{value}{unit}"


class DashboardApi(ApiHandler):
    """GET: the dashboard's figures as JSON."""

    async def get(self) -> None:
        self.finish(await dashboard(self.api))
