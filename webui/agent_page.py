"""The Agent page: a panel user who is an agent logs in and out of their queues and pauses.

A user is an agent once an admin links them to an extension (the Users page);
they act on that extension only, never on anyone else's.
"""

from pbx.api import PbxError
from webui.dashboard_page import live_words
from webui.handler import ApiHandler, PanelHandler, Refused
from webui.live_data import STATE_LABELS, agent_dict
from webui.queue_form import agent_action, agent_action_json, queue_service


def own_extension(handler: PanelHandler) -> str:
    """The extension the signed-in user is linked to ("" if none)."""
    return handler.web.access.extension_of(handler.principal.username)


class AgentPage(PanelHandler):
    """GET: my state and my queues. POST action=login|logout|pause|unpause (reason)."""

    async def get(self) -> None:
        self.show()

    def show(self, *, error: str = "") -> None:
        """The page, with the error (400) if the last action was refused."""
        extension = own_extension(self)
        queues = self.api.queues
        agent = queues.agent(extension) if extension and queues is not None else None
        self.set_status(400 if error else 200)
        self.render(
            "agent.html",
            extension=extension,
            agent=agent,
            error=error,
            labels=STATE_LABELS,
            words=live_words(self.translate),
        )

    async def post(self) -> None:
        extension = own_extension(self)
        if not extension:
            raise Refused(409, "your user is not linked to an extension: ask an admin")
        action = self.get_body_argument("action", "")
        try:
            await agent_action(self, extension, action, self.get_body_argument("reason", ""))
        except PbxError as err:
            self.show(error=str(err))
            return
        self.redirect("/agent")


class OwnAgentApi(ApiHandler):
    """GET: my agent state. POST {"action": ..., "reason": ...}: log myself in, out, pause."""

    def _extension(self) -> str:
        extension = own_extension(self)
        if not extension:
            raise Refused(409, "your user is not linked to an extension: ask an admin")
        return extension

    async def get(self) -> None:
        extension = self._extension()
        self.finish(agent_dict(queue_service(self).agent(extension)))

    async def post(self) -> None:
        self.finish(await agent_action_json(self, self._extension()))
