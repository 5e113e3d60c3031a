"""The Queues page: queues with their live state and settings, agents, ring groups;
adding, changing and removing queues, and logging agents in and out or pausing them
(ring groups' own pages are in webui/group_pages.py)."""

from pbx.api import GROUP_STRATEGIES, PbxError, QueueError
from webui.dashboard_page import live_words
from webui.destination_field import destination_choices
from webui.group_form import GROUP_LABELS
from webui.handler import PanelHandler, Refused
from webui.live_data import AGENT_STATES, STATE_LABELS
from webui.queue_form import (
    ADD_FIELDS,
    LABELS,
    agent_action,
    form_settings,
    form_value,
    members_text,
    queue_fields,
    queue_service,
)
from webui.wallboard import wait_clock

QUEUE_PATH = r"/queues/(?P<queue>[a-z][a-z0-9-]{0,31})"
AGENT_PATH = r"/queues/agents/(?P<extension>[0-9]{1,8})"


class QueuesView(PanelHandler):
    """Renders the Queues page; the actions below answer with it when refused."""

    async def show(
        self, *, error: str = "", form: dict | None = None, group_form: dict | None = None
    ) -> None:
        """The page, with an error (400) and the queue or group form as it was sent."""
        queues = self.api.queues
        live = {s.queue: s for s in await self.api.queues_live()}
        self.set_status(400 if error else 200)
        self.render(
            "queues.html",
            has_queues=queues is not None,
            queues=[(q, live.get(q.name)) for q in (queues.queues() if queues else [])],
            agents=queues.agents() if queues else [],
            groups=queues.groups() if queues else [],
            states=AGENT_STATES,
            labels=STATE_LABELS | LABELS,
            words=live_words(self.translate),
            fields=[f for f in queue_fields() if f.name in ADD_FIELDS],
            members_text=members_text,
            clock=wait_clock,
            error=error,
            form=form or {},
            group_form=group_form or {"strategy": "ring-all", "ring_timeout_s": "20"},
            group_labels=GROUP_LABELS,
            group_strategies=GROUP_STRATEGIES,
            choices=await destination_choices(self.api),
        )


class QueuesPage(QueuesView):
    """GET: every queue now, the agents, the ring groups. POST: add a queue."""

    async def get(self) -> None:
        await self.show()

    async def post(self) -> None:
        queues = queue_service(self)
        form = {name: self.get_body_argument(name, "") for name in ADD_FIELDS}
        try:
            values = form_settings(form.get, ADD_FIELDS)
            added = await self.audited(
                "queue.add", str(values.get("name", "")), queues.put_queue(values, new=True)
            )
        except PbxError as err:
            await self.show(error=str(err), form=form)
            return
        self.redirect(f"/queues/{added.name}")


class QueuePage(PanelHandler):
    """GET: one queue's settings and agents. POST: change the settings."""

    async def get(self, queue: str) -> None:
        self.show(queue)

    def show(self, queue: str, *, error: str = "", saved: bool = False) -> None:
        """The queue's form, with an error (400) or word that it was saved."""
        settings = self._settings(queue)
        self.set_status(400 if error else 200)
        self.render(
            "queue.html",
            queue=settings,
            fields=queue_fields(),
            value=form_value,
            agents=[a for a in queue_service(self).agents() if queue in a.queues],
            labels=STATE_LABELS | LABELS,
            error=error,
            saved=saved,
        )

    def _settings(self, queue: str):
        found = [q for q in queue_service(self).queues() if q.name == queue]
        if not found:
            raise Refused(404, f"no queue {queue}")
        return found[0]

    async def post(self, queue: str) -> None:
        self._settings(queue)
        names = tuple(f.name for f in queue_fields() if f.name != "name")
        try:
            values = form_settings(lambda n: self.get_body_argument(n, None), names)
            change = queue_service(self).put_queue({**values, "name": queue}, new=False)
            await self.audited("queue.change", queue, change)
        except PbxError as err:
            self.show(queue, error=str(err))
            return
        self.show(queue, saved=True)


class QueueDelete(QueuesView):
    """POST: remove a queue (refused while callers wait in it)."""

    async def post(self, queue: str) -> None:
        queues = queue_service(self)
        if queue not in {q.name for q in queues.queues()}:
            raise Refused(404, f"no queue {queue}")
        try:
            await self.audited("queue.delete", queue, queues.delete_queue(queue))
        except QueueError as err:
            await self.show(error=str(err))
            return
        self.redirect("/queues")


class AgentAction(QueuesView):
    """POST: log an agent in or out, pause (with a reason) or unpause them."""

    async def post(self, extension: str) -> None:
        action = self.get_body_argument("action", "")
        reason = self.get_body_argument("reason", "")
        try:
            await agent_action(self, extension, action, reason)
        except PbxError as err:
            await self.show(error=str(err))
            return
        self.redirect("/queues")
