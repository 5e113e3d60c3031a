"""/api/queues, /api/agents, /api/groups: the Queues page's operations as JSON."""

import dataclasses
from typing import ClassVar

from pbx.api import GROUP_STRATEGIES, PbxError, QueueError
from webui.api_schema import REF, listing
from webui.group_form import change_group, find_group
from webui.handler import ApiHandler, Refused
from webui.live_data import agent_dict, queue_dict
from webui.queue_form import agent_action_json, queue_service

API_AGENT_PATH = r"/api/agents/(?P<extension>[0-9]{1,8})"
GROUP_PATH = r"/api/groups/(?P<group>[a-z][a-z0-9-]{0,31})"


class QueuesApi(ApiHandler):
    """GET: every queue's settings and live figures. POST: add a queue (201)."""

    async def get(self) -> None:
        queues = self.api.queues
        live = {s.queue: s for s in await self.api.queues_live()}
        listed = queues.queues() if queues is not None else []
        self.finish({"queues": [queue_dict(q, live.get(q.name)) for q in listed]})

    async def post(self) -> None:
        queues = queue_service(self)
        body = self.json_body()
        try:
            added = await self.audited(
                "queue.add", str(body.get("name", "")), queues.put_queue(body, new=True)
            )
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.set_status(201)
        self.finish(queue_dict(added, None))


class QueueApi(ApiHandler):
    """GET one queue; PUT changes the settings given; DELETE removes it."""

    async def get(self, queue: str) -> None:
        settings = self._settings(queue)
        live = {s.queue: s for s in await self.api.queues_live()}
        self.finish(queue_dict(settings, live.get(queue)))

    async def put(self, queue: str) -> None:
        self._settings(queue)
        body = {**self.json_body(), "name": queue}
        try:
            change = queue_service(self).put_queue(body, new=False)
            changed = await self.audited("queue.change", queue, change)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.finish(queue_dict(changed, None))

    async def delete(self, queue: str) -> None:
        self._settings(queue)
        try:
            await self.audited("queue.delete", queue, queue_service(self).delete_queue(queue))
        except QueueError as err:
            raise Refused(409, str(err)) from None
        self.set_status(204)
        self.finish()

    def _settings(self, queue: str):
        for settings in queue_service(self).queues():
            if settings.name == queue:
                return settings
        raise Refused(404, f"no queue {queue}")


class AgentsApi(ApiHandler):
    """GET: every agent (member of any queue) and its state."""

    async def get(self) -> None:
        queues = self.api.queues
        self.finish({"agents": [agent_dict(a) for a in (queues.agents() if queues else [])]})


class AgentApi(ApiHandler):
    """GET: one agent. POST {"action": login|logout|pause|unpause, "reason": ...}: act on it."""

    async def get(self, extension: str) -> None:
        self.finish(agent_dict(queue_service(self).agent(extension)))

    async def post(self, extension: str) -> None:
        self.finish(await agent_action_json(self, extension))


_GROUP_SETTINGS = {
    "number": {"type": "string", "pattern": "^[0-9*#]{0,16}$", "description": "phones dial it"},
    "strategy": {"enum": list(GROUP_STRATEGIES), "description": "all at once or in order"},
    "members": {"type": "array", "items": {"type": "string"}, "description": "extensions"},
    "ring_timeout_s": {"type": "integer", "minimum": 1, "maximum": 600},
    "no_answer_destination": {"type": "string", "description": '"": no-answer (480)'},
}
_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,31}$"}
# The OpenAPI document's schemas for the ring groups API (see ApiHandler).
GROUP_SCHEMAS: dict[str, dict] = {
    "RingGroup": {
        "type": "object",
        "properties": {"name": _NAME, **_GROUP_SETTINGS},
        "required": ["name", *_GROUP_SETTINGS],
    },
    "NewRingGroup": {
        "type": "object",
        "properties": {"name": _NAME, **_GROUP_SETTINGS},
        "required": ["name", "members"],
        "additionalProperties": False,
    },
    "RingGroupChange": {
        "type": "object",
        "properties": _GROUP_SETTINGS,
        "additionalProperties": False,
    },
}


class GroupsApi(ApiHandler):
    """GET: every ring group. POST: add or replace one (by its name)."""

    api_schemas: ClassVar[dict[str, dict]] = GROUP_SCHEMAS
    request_schema: ClassVar[dict[str, dict]] = {"POST": {"$ref": REF + "NewRingGroup"}}
    response_schema: ClassVar[dict[str, dict]] = {
        "GET": listing("groups", "RingGroup"),
        "POST": {"$ref": REF + "RingGroup"},
    }

    async def get(self) -> None:
        queues = self.api.queues
        groups = queues.groups() if queues is not None else []
        self.finish({"groups": [dataclasses.asdict(g) for g in groups]})

    async def post(self) -> None:
        queues = queue_service(self)
        body = self.json_body()
        try:
            group = await self.audited(
                "group.set", str(body.get("name", "")), queues.put_group(body)
            )
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.finish(dataclasses.asdict(group))


class GroupApi(ApiHandler):
    """GET one ring group; PUT changes the settings given (not its name); DELETE removes it."""

    request_schema: ClassVar[dict[str, dict]] = {"PUT": {"$ref": REF + "RingGroupChange"}}
    response_schema: ClassVar[dict[str, dict]] = {
        "GET": {"$ref": REF + "RingGroup"},
        "PUT": {"$ref": REF + "RingGroup"},
        "DELETE": {"description": "nothing: 204"},
    }

    async def get(self, group: str) -> None:
        """One ring group's settings."""
        self.finish(dataclasses.asdict(find_group(self, group)))

    async def put(self, group: str) -> None:
        """Change the settings given (the others stay); its name cannot change."""
        find_group(self, group)
        try:
            changed = await change_group(self, group, self.json_body())
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.finish(dataclasses.asdict(changed))

    async def delete(self, group: str) -> None:
        """Remove the ring group (204)."""
        find_group(self, group)
        await self.audited("group.delete", group, queue_service(self).delete_group(group))
        self.set_status(204)
        self.finish()
