"""The call-routing pages' operations as JSON: /api/trunks, /api/outbound-routes,
/api/inbound-routes, /api/time-conditions (and their night mode), /api/ivr, /api/announcements.

Each section answers the same way: GET lists (or one), POST creates (201),
PUT changes only the settings given, DELETE removes (204). A refused value is
a 400 with the reason; nothing is saved.
"""

from typing import ClassVar

from pbx.api import PbxError
from webui.call_flow_sections import Section
from webui.handler import ApiHandler, Refused


class SectionApiHandler(ApiHandler):
    """What one section's API handlers share."""

    section: ClassVar[Section]

    def _existing(self, name: str):
        try:
            return self.section.get(self.api, name)
        except PbxError as err:
            raise Refused(404, str(err)) from None

    async def _save(self, name: str, body: dict, *, new: bool):
        s = self.section
        action = f"{s.audit}.{'add' if new else 'change'}"
        try:
            settings = s.settings(body)
            return await self.audited(action, name, s.save(self.api, name, settings, new=new))
        except PbxError as err:
            raise Refused(400, str(err)) from None


class SectionApi(SectionApiHandler):
    """GET: every object of the section. POST {"name": ..., settings}: create one (201)."""

    async def get(self) -> None:
        s = self.section
        self.finish({s.key: [s.as_json(self.api, item) for item in s.items(self.api)]})

    async def post(self) -> None:
        body = self.json_body()
        name = body.pop("name", "")
        if not isinstance(name, str):
            raise Refused(400, "name must be text")
        saved = await self._save(name, body, new=True)
        self.set_status(201)
        self.finish(self.section.as_json(self.api, saved))


class SectionItemApi(SectionApiHandler):
    """GET one; PUT changes the settings given; DELETE removes it (400 while in use)."""

    async def get(self, item: str) -> None:
        self.finish(self.section.as_json(self.api, self._existing(item)))

    async def put(self, item: str) -> None:
        self._existing(item)
        saved = await self._save(item, self.json_body(), new=False)
        self.finish(self.section.as_json(self.api, saved))

    async def delete(self, item: str) -> None:
        self._existing(item)
        s = self.section
        try:
            await self.audited(f"{s.audit}.delete", item, s.delete(self.api, item))
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.set_status(204)
        self.finish()


class NightModeApi(SectionApiHandler):
    """PUT {"mode": "closed" | "open" | "auto"}: night mode (closed), forced open, or the
    schedule; answers with the condition, and what it decides now."""

    async def put(self, item: str) -> None:
        self._existing(item)
        mode = self.json_body().get("mode")
        if not isinstance(mode, str):
            raise Refused(400, "mode must be closed, open or auto")
        try:
            change = self.api.call_flows.set_override(item, mode)
            saved = await self.audited("night-mode.set", f"{item} {mode}", change)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.finish(self.section.as_json(self.api, saved))
