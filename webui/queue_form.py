"""Queues and agents as the panel's forms and API take them, and the agent actions."""

import dataclasses
from collections.abc import Callable

from pbx.api import (
    JOIN_RULES,
    LEAVE_RULES,
    QUEUE_RECORDING_MODES,
    STRATEGIES,
    AgentStatus,
    PbxError,
    QueueError,
    QueueSettings,
)
from webui.handler import ApiHandler, PanelHandler, Refused
from webui.live_data import agent_dict

AGENT_ACTIONS = ("login", "logout", "pause", "unpause")
CHOICES = {
    "strategy": STRATEGIES,
    "join_when": JOIN_RULES,
    "leave_when": LEAVE_RULES,
    "recording": QUEUE_RECORDING_MODES,
}
# What each setting is called on the forms (the API uses the names on the left).
LABELS = {
    "name": "Name (a-z, 0-9, -)",
    "number": "Number phones dial",
    "strategy": "Which agent rings",
    "members": "Members (extension[:penalty], ...)",
    "ring_timeout_s": "Ring an agent for (s)",
    "retry_s": "Pause before the next agent (s)",
    "wrapup_s": "Wrap-up after a call (s)",
    "max_callers": "Most callers waiting (0: no limit)",
    "max_wait_s": "Longest wait (s, 0: no limit)",
    "exit_destination": "Then, or when full or closed, go to",
    "join_when": "Callers may join",
    "leave_when": "Waiting callers leave",
    "announce_frequency_s": "Announce position every (s, 0: never)",
    "announce_position": "Announce the position",
    "announce_hold_time": "Announce the hold time",
    "periodic_announce": "Periodic announcement (prompt)",
    "periodic_frequency_s": "Play it every (s, 0: never)",
    "exit_key": "Key to leave the queue",
    "exit_key_destination": "That key goes to",
    "callback_key": "Key to be called back",
    "callback_attempts": "Call-back attempts",
    "callback_retry_s": "Between call-back attempts (s)",
    "missed_rings_before_pause": "Pause an agent after missed rings (0: never)",
    "music_class": "Music on hold",
    "language": "Announcements' language (blank: the box's)",
    "service_level_s": "Service level: answered within (s)",
    "recording": "Recording",
    "recording_retention_days": "Keep recordings for (days, 0: the box's)",
    "recording_quota_mb": "Recordings quota (MB, 0: the box's)",
}
# The add form asks only for these; the queue's page offers every setting.
ADD_FIELDS = ("name", "number", "strategy", "members")


@dataclasses.dataclass(frozen=True)
class Field:
    """One queue setting on a form: its name, input kind, choices and current value."""

    name: str
    kind: str  # "text", "number", "yes-no", "choice", "members"
    choices: tuple[str, ...] = ()


def queue_fields() -> list[Field]:
    """Every queue setting, in QueueSettings' order, as the form shows it."""
    fields = []
    for spec in dataclasses.fields(QueueSettings):
        if spec.name == "members":
            fields.append(Field(spec.name, "members"))
        elif spec.name in CHOICES:
            fields.append(Field(spec.name, "choice", CHOICES[spec.name]))
        elif spec.type is bool or spec.type == "bool":
            fields.append(Field(spec.name, "yes-no"))
        elif spec.type is int or spec.type == "int":
            fields.append(Field(spec.name, "number"))
        else:
            fields.append(Field(spec.name, "text"))
    return fields


def members_text(settings: QueueSettings) -> str:
    """Members as the form shows them: "1001, 1002:5" (extension[:penalty])."""
    return ", ".join(
        m.extension if not m.penalty else f"{m.extension}:{m.penalty}" for m in settings.members
    )


def form_value(settings: QueueSettings, field: Field) -> str:
    """A setting's current value as the form's input holds it."""
    if field.kind == "members":
        return members_text(settings)
    value = getattr(settings, field.name)
    if field.kind == "yes-no":
        return "yes" if value else "no"
    return str(value)


def form_settings(read: Callable[[str], str | None], names: tuple[str, ...]) -> dict:
    """Queue settings from a form (`read(name)`: the field, None if absent), typed."""
    kinds = {field.name: field.kind for field in queue_fields()}
    values: dict = {}
    for name in names:
        text = read(name)
        if text is None:
            continue
        text = text.strip()
        kind = kinds[name]
        if kind == "members":
            values[name] = _members(text)
        elif kind == "number":
            try:
                values[name] = int(text)
            except ValueError:
                raise QueueError(f"{name} must be a whole number") from None
        elif kind == "yes-no":
            values[name] = text == "yes"
        else:
            values[name] = text
    return values


def _members(text: str) -> list[list]:
    members = []
    for item in filter(None, (part.strip() for part in text.replace(";", ",").split(","))):
        extension, _, penalty = item.partition(":")
        try:
            members.append([extension.strip(), int(penalty) if penalty else 0])
        except ValueError:
            raise QueueError(f"a member's penalty must be a whole number: {item!r}") from None
    return members


def queue_service(handler: PanelHandler):
    """The box's queue service; 404 on a box built without one."""
    if handler.api.queues is None:
        raise Refused(404, "this box has no queues")
    return handler.api.queues


async def agent_action(
    handler: PanelHandler, extension: str, action: str, reason: str = ""
) -> AgentStatus:
    """Log the agent at `extension` in or out, pause or unpause them, audited."""
    queues = queue_service(handler)
    if action not in AGENT_ACTIONS:
        raise QueueError(f"action must be one of {', '.join(AGENT_ACTIONS)}")
    if not isinstance(reason, str):
        raise QueueError("a pause reason is text")
    work = {
        "login": lambda: queues.log_in(extension),
        "logout": lambda: queues.log_out(extension),
        "pause": lambda: queues.pause(extension, reason.strip()),
        "unpause": lambda: queues.unpause(extension),
    }[action]()
    return await handler.audited(f"agent.{action}", extension, work)


async def agent_action_json(handler: ApiHandler, extension: str) -> dict:
    """The agent API's POST: the action of the JSON body carried out; the agent after it."""
    body = handler.json_body()
    try:
        agent = await agent_action(
            handler, extension, str(body.get("action", "")), body.get("reason", "")
        )
    except PbxError as err:
        raise Refused(400, str(err)) from None
    return agent_dict(agent)
