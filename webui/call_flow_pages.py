"""The call-routing pages: trunks, outbound and inbound routes, time conditions (with the
night-mode switch), IVR menus and announcements; one set of handlers for every section.

A bad value re-shows the form as the user filled it, with the service's reason
(400); nothing is saved unless all of it is sound.
"""

from datetime import UTC, datetime
from typing import ClassVar

from pbx.api import OVERRIDES, PbxError
from webui.call_flow_sections import Section
from webui.destination_field import destination_choices, with_repeat
from webui.handler import PanelHandler, Refused
from webui.settings_form import default_values, form_values, posted, settings_of, types_of

ITEM = r"(?P<item>[a-z][a-z0-9-]{0,31})"  # the URL part naming a trunk, route, menu ...


class SectionHandler(PanelHandler):
    """What the pages of one section share: showing it, and saving its form."""

    section: ClassVar[Section]

    async def show(
        self, *, editing: str = "", error: str = "", form: dict | None = None, name: str = ""
    ) -> None:
        """The section's list and add form, or (`editing`) one object's form."""
        s = self.section
        choices = await destination_choices(self.api)
        rows = [] if editing else [(i, s.row(self.api, i)) for i in s.items(self.api)]
        self.set_status(400 if error else 200)
        self.render(
            "call_flows.html",
            section=s,
            rows=rows,
            editing=editing,
            error=error,
            form=form if form is not None else default_values(s.cls, s.fields),
            name=name or editing,
            choices=choices,
            map_choices=with_repeat(choices) if s.map_repeat else choices,
            hints=s.hints(self.api),
            states=self._states(editing),
            overrides=OVERRIDES,
            may_edit=self.allowed(s.edit),
        )

    def _states(self, editing: str) -> dict[str, dict]:
        """What each time condition decides now (only on the time-conditions pages)."""
        if not self.section.night_mode or self.api.call_flows is None:
            return {}
        now = datetime.now(UTC)
        names = [editing] if editing else [i.name for i in self.section.items(self.api)]
        flows = self.api.call_flows
        return {
            n: {
                **flows.time_condition_state(n, now),
                "override": self.section.get(self.api, n).override,
            }
            for n in names
        }

    async def save(self, name: str, form: dict, *, new: bool) -> None:
        """Save the posted form as `name`, audited; PbxError if any of it is refused."""
        s = self.section
        settings = settings_of(form, s.fields, types_of(s.cls))
        if s.has_secret:
            settings["secret"] = self.get_body_argument("secret", "")
        action = f"{s.audit}.{'add' if new else 'change'}"
        await self.audited(action, name, s.save(self.api, name, settings, new=new))

    def _existing(self, name: str):
        try:
            return self.section.get(self.api, name)
        except PbxError as err:
            raise Refused(404, str(err)) from None


class SectionPage(SectionHandler):
    """GET: the list, with the add form. POST: add one."""

    async def get(self) -> None:
        await self.show()

    async def post(self) -> None:
        form = posted(self.request.body_arguments, self.section.fields)
        name = self.get_body_argument("name", "").strip()
        try:
            await self.save(name, form, new=True)
        except PbxError as err:
            await self.show(error=str(err), form=form, name=name)
            return
        self.redirect(f"/{self.section.key}")


class SectionItemPage(SectionHandler):
    """GET: one object's form. POST: change it."""

    async def get(self, item: str) -> None:
        found = self._existing(item)
        await self.show(editing=item, form=form_values(found, self.section.fields))

    async def post(self, item: str) -> None:
        self._existing(item)
        form = posted(self.request.body_arguments, self.section.fields)
        try:
            await self.save(item, form, new=False)
        except PbxError as err:
            await self.show(editing=item, error=str(err), form=form)
            return
        self.redirect(f"/{self.section.key}/{item}")


class SectionDelete(SectionHandler):
    """POST: remove one, unless something still uses it (then its form, with why)."""

    async def post(self, item: str) -> None:
        found = self._existing(item)
        s = self.section
        try:
            await self.audited(f"{s.audit}.delete", item, s.delete(self.api, item))
        except PbxError as err:
            await self.show(editing=item, error=str(err), form=form_values(found, s.fields))
            return
        self.redirect(f"/{s.key}")


class NightModeSwitch(SectionHandler):
    """POST mode=closed|open|auto: force a time condition closed (night mode) or open,
    or back to its schedule. Supervisors may, without editing call flows."""

    async def post(self, item: str) -> None:
        self._existing(item)
        mode = self.get_body_argument("mode", "")
        try:
            change = self.api.call_flows.set_override(item, mode)
            await self.audited("night-mode.set", f"{item} {mode}", change)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        back = self.get_body_argument("back", "") == "item"
        self.redirect(f"/{self.section.key}/{item}" if back else f"/{self.section.key}")
