"""Ring groups as the panel's forms take them: the fields, typed values, the audited changes."""

import dataclasses

from pbx.api import QueueError, RingGroup
from webui.handler import PanelHandler, Refused
from webui.queue_form import queue_service

# Each setting of a ring group and what the forms call it (the API uses the names on the left).
GROUP_LABELS = {
    "name": "Name (a-z, 0-9, -)",
    "number": "Number phones dial",
    "strategy": "Which phones ring",
    "members": "Members (extensions, in ringing order)",
    "ring_timeout_s": "Ring time (s)",
    "no_answer_destination": "No answer goes to",
}
GROUP_FIELDS = tuple(GROUP_LABELS)
CHANGE_FIELDS = GROUP_FIELDS[1:]  # a group keeps its name: destinations point at it


def group_form(group: RingGroup) -> dict[str, str]:
    """A group's settings as the form's inputs hold them."""
    values = dataclasses.asdict(group)
    return {
        **{name: str(values[name]) for name in GROUP_FIELDS},
        "members": ", ".join(group.members),
    }


def group_settings(form: dict[str, str]) -> dict:
    """Settings from a form's text (only the fields it holds), typed; QueueError if not."""
    values: dict = {}
    for name, raw in form.items():
        text = raw.strip()
        if name == "members":
            values[name] = [m for m in text.replace(";", ",").replace(",", " ").split() if m]
        elif name == "ring_timeout_s":
            try:
                values[name] = int(text)
            except ValueError:
                raise QueueError("ring_timeout_s must be a whole number") from None
        else:
            values[name] = text
    return values


def find_group(handler: PanelHandler, name: str) -> RingGroup:
    """The ring group called `name`; 404 if there is none."""
    for group in queue_service(handler).groups():
        if group.name == name:
            return group
    raise Refused(404, f"no ring group {name}")


async def add_group(handler: PanelHandler, values: dict) -> RingGroup:
    """Add a new ring group (refused if the name is taken), audited as group.set."""
    queues = queue_service(handler)
    name = str(values.get("name", ""))
    if name in {g.name for g in queues.groups()}:
        raise QueueError(f"ring group {name} exists")
    return await handler.audited("group.set", name, queues.put_group(values))


async def change_group(handler: PanelHandler, name: str, values: dict) -> RingGroup:
    """Change the settings given of group `name` (the others stay), audited as group.set."""
    group = find_group(handler, name)
    if "name" in values and values["name"] != name:
        raise QueueError("a ring group's name cannot change")
    if not isinstance(values.get("members", []), list):
        raise QueueError("members must be a list of extensions")
    changed = {**dataclasses.asdict(group), **values, "name": name}
    return await handler.audited("group.set", name, queue_service(handler).put_group(changed))
