"""Ring groups' pages: adding one from the Queues page, a page per group to change it, removal."""

from pbx.api import GROUP_STRATEGIES, PbxError
from webui.destination_field import destination_choices
from webui.group_form import (
    CHANGE_FIELDS,
    GROUP_FIELDS,
    GROUP_LABELS,
    add_group,
    change_group,
    find_group,
    group_form,
    group_settings,
)
from webui.handler import PanelHandler
from webui.queue_form import queue_service
from webui.queue_pages import QueuesView

GROUP_PAGE_PATH = r"/groups/(?P<group>[a-z][a-z0-9-]{0,31})"


class GroupAdd(QueuesView):
    """POST: add a ring group (the form is on the Queues page, which answers when refused)."""

    async def post(self) -> None:
        queue_service(self)
        form = {name: self.get_body_argument(name, "") for name in GROUP_FIELDS}
        try:
            added = await add_group(self, group_settings(form))
        except PbxError as err:
            await self.show(error=str(err), group_form=form)
            return
        self.redirect(f"/groups/{added.name}")


class GroupPage(PanelHandler):
    """GET: one ring group's settings. POST: change those the form sends (not its name)."""

    async def get(self, group: str) -> None:
        await self.show(group_form(find_group(self, group)))

    async def show(self, form: dict, *, error: str = "", saved: bool = False) -> None:
        """The group's form holding `form`, with an error (400) or word that it was saved."""
        self.set_status(400 if error else 200)
        self.render(
            "group.html",
            form=form,
            labels=GROUP_LABELS,
            fields=CHANGE_FIELDS,
            strategies=GROUP_STRATEGIES,
            choices=await destination_choices(self.api),
            error=error,
            saved=saved,
        )

    async def post(self, group: str) -> None:
        current = group_form(find_group(self, group))
        sent = {name: self.get_body_argument(name, None) for name in CHANGE_FIELDS}
        typed = {name: text for name, text in sent.items() if text is not None}
        try:
            changed = await change_group(self, group, group_settings(typed))
        except PbxError as err:
            await self.show({**current, **typed}, error=str(err))
            return
        await self.show(group_form(changed), saved=True)


class GroupDelete(PanelHandler):
    """POST: remove a ring group."""

    async def post(self, group: str) -> None:
        find_group(self, group)
        await self.audited("group.delete", group, queue_service(self).delete_group(group))
        self.redirect("/queues")
