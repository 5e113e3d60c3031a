"""The audit log, for admins: the page and /api/audit."""

import dataclasses
import re

from webui.handler import ApiHandler, PanelHandler

_ACTION = re.compile(r"^[a-z.]{0,32}$")


def _filter(handler: PanelHandler) -> str:
    action = handler.get_query_argument("action", "")
    return action if _ACTION.match(action) else ""


class AuditPage(PanelHandler):
    """GET: the newest events, optionally of one action (?action=login)."""

    async def get(self) -> None:
        action = _filter(self)
        self.render("audit.html", events=await self.web.audit.recent(200, action), action=action)


class AuditApi(ApiHandler):
    """GET: the newest events as JSON (?action=..., ?limit=1..1000)."""

    async def get(self) -> None:
        limit = self.get_query_argument("limit", "200")
        events = await self.web.audit.recent(int(limit) if limit.isdigit() else 200, _filter(self))
        self.finish(
            {
                "events": [
                    {**dataclasses.asdict(e), "at": e.at.isoformat() if e.at else ""}
                    for e in events
                ]
            }
        )
