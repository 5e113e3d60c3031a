"""The destination picker every call-routing form shares: where a call may be sent.

A destination is "kind:target" ("ext:1001", "ivr:main") or a bare kind
("hangup"); the kinds are the box's own (pbx.api.DESTINATION_KINDS), and the
targets those that exist now. The page renders templates/destination_field.html
with these choices; /api/destinations lists them for scripts.
"""

from pbx.api import BARE_DESTINATION_KINDS, DESTINATION_KINDS, REPEAT, ServiceApi
from webui.handler import ApiHandler

# Each kind's heading in the picker, in the order shown; kinds registered later
# by other parts of the box come after these, under their own name.
KIND_LABELS = {
    "ext": "Extensions",
    "queue": "Queues",
    "group": "Ring groups",
    "ivr": "IVR menus",
    "tc": "Time conditions",
    "announce": "Announcements",
    "hangup": "Hang up",
}

Choices = list[tuple[str, str, list[tuple[str, str]]]]  # (kind, heading, [(value, label)])


async def _targets(api: ServiceApi, kind: str) -> list[tuple[str, str]]:
    """(target, label) of every `kind` there is now."""
    if kind == "ext":
        return [(e.number, f"{e.number} {e.name}") for e in await api.extensions.list()]
    if kind in ("queue", "group") and api.queues is not None:
        found = api.queues.queues() if kind == "queue" else api.queues.groups()
        return [(item.name, item.name) for item in found]
    flows = api.call_flows
    if flows is not None and kind in flows.catalogs:
        return [(item.name, item.name) for item in flows.catalog(kind).items()]
    return []


async def destination_choices(api: ServiceApi) -> Choices:
    """Every destination a form may offer, grouped by kind."""
    kinds = [k for k in KIND_LABELS if k in DESTINATION_KINDS]
    kinds += sorted(DESTINATION_KINDS - KIND_LABELS.keys())
    choices: Choices = []
    for kind in kinds:
        heading = KIND_LABELS.get(kind, kind)
        if kind in BARE_DESTINATION_KINDS:
            choices.append((kind, heading, [(kind, heading)]))
        elif targets := await _targets(api, kind):
            options = [(f"{kind}:{target}", label) for target, label in targets]
            choices.append((kind, heading, options))
    return choices


def with_repeat(choices: Choices) -> Choices:
    """The choices with "play the menu again", for a menu's keys."""
    return [*choices, (REPEAT, "This menu", [(REPEAT, "Play the menu again")])]


class DestinationsApi(ApiHandler):
    """GET /api/destinations: every destination forms may name now, by kind."""

    async def get(self) -> None:
        choices = await destination_choices(self.api)
        self.finish(
            {
                "destinations": [
                    {"kind": kind, "choices": [{"value": v, "label": label} for v, label in opts]}
                    for kind, _, opts in choices
                ]
            }
        )
