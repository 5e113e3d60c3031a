"""The home page's "getting started" list: what a new box still needs, read from the box itself.

Each step links to the page that does it and is ticked when the box shows it done, so a
newcomer who has just set the admin password sees where to go next.
"""

from dataclasses import dataclass

from pbx.api import Permission, ServiceApi

P = Permission


@dataclass(frozen=True)
class Step:
    """One thing to set up: what, where, and whether the box has it already."""

    label: str
    url: str
    done: bool


async def setup_steps(api: ServiceApi) -> list[Step]:
    """The steps in the order an office would take them."""
    extensions = await api.extensions.list()
    registrations = await api.registrations()
    flows = api.call_flows
    inbound = flows.catalog("route-in").items() if flows is not None else []
    queues = api.queues.queues() if api.queues is not None else []
    zone = api.system.settings.time.zone if api.system is not None else "UTC"
    users = api.web.access.users() if api.web is not None else []
    return [
        Step("Add an extension for each phone", "/extensions", bool(extensions)),
        Step("Register a phone with its extension's secret", "/extensions", bool(registrations)),
        Step(
            "Add your provider's SIP trunk (analog lines work at once)",
            "/trunks",
            bool(api.trunks.trunks()),
        ),
        Step("Send incoming calls somewhere: an inbound route", "/inbound-routes", bool(inbound)),
        Step("Make a queue and add its agents", "/queues", bool(queues)),
        Step("Set the time zone and network", "/system", zone != "UTC"),
        Step("Add users for supervisors, agents and technicians", "/users", len(users) > 1),
    ]


# Who sees the list: it is about configuring the box.
CHECKLIST_PERMISSION = P.USERS_MANAGE
