"""The live views' figures as JSON: the dashboard, the wallboard, queues and agents.

Pages render from these same dictionaries, so a page and its /api/ twin never
disagree, and the browser's refresh only has to put new values in place.
"""

import dataclasses
import time
from datetime import UTC, datetime

from pbx.api import AgentStatus, QueueSettings, QueueSnapshot, ServiceApi

RECENT_SECURITY_SHOWN = 20
# The wallboard's agent states, in the order a wall shows them.
AGENT_STATES = ("available", "ringing", "on-call", "wrap-up", "paused", "logged-out")
STATE_LABELS = {
    "available": "Available",
    "ringing": "Ringing",
    "on-call": "On a call",
    "wrap-up": "Wrap-up",
    "paused": "Paused",
    "logged-out": "Logged out",
}
# The wall's four columns: an agent ringing or wrapping up counts as on a call.
WALL_COLUMNS = (
    ("available", ("available",)),
    ("on-call", ("ringing", "on-call", "wrap-up")),
    ("paused", ("paused",)),
    ("logged-out", ("logged-out",)),
)


async def dashboard(api: ServiceApi) -> dict:
    """Ports, registrations, trunks, alarms, host health and security events, now."""
    status = api.status()
    recent = api.security_recent()
    banned = []
    for note in recent:
        if note.kind == "banned" and note.source not in banned:
            banned.append(note.source)
    host = api.host_health()
    return {
        "engine": status.engine,
        "edge": status.edge,
        "uptime_s": status.uptime_s,
        "calls_active": status.calls_active,
        "ports": [dataclasses.asdict(port) for port in status.ports],
        "registrations": [dataclasses.asdict(r) for r in await api.registrations()],
        "trunks": [
            {"name": t.name, "registration": t.registration, "calls_failed": t.calls_failed}
            for t in status.trunks
        ],
        "alarms": [dataclasses.asdict(alarm) for alarm in api.alarms()],
        "host": dataclasses.asdict(host) if host is not None else None,
        "security": {
            "counts": dict(sorted(status.security_events.items())),
            "recent": [
                {**dataclasses.asdict(note), "at": _iso(note.at_s)}
                for note in recent[:RECENT_SECURITY_SHOWN]
            ],
            "banned": banned,
        },
    }


def snapshot_dict(snapshot: QueueSnapshot) -> dict:
    """One queue's live figures; every agent state present, 0 where nobody is in it."""
    return {
        "queue": snapshot.queue,
        "waiting": snapshot.waiting,
        "longest_wait_s": round(snapshot.longest_wait_s, 1),
        "callbacks_pending": snapshot.callbacks_pending,
        "agents": {state: snapshot.agents.get(state, 0) for state in AGENT_STATES},
        "service_level_today": snapshot.service_level_today,
    }


async def wallboard(api: ServiceApi) -> dict:
    """Every queue's figures, and the box's agents (each counted once) by state."""
    agents = dict.fromkeys(AGENT_STATES, 0)
    if api.queues is not None:
        for agent in api.queues.agents():
            agents[agent.state] = agents.get(agent.state, 0) + 1
    return {
        "queues": [snapshot_dict(s) for s in await api.queues_live()],
        "agents": agents,
        "at": _iso(time.time()),
    }


def agent_dict(agent: AgentStatus) -> dict:
    """An agent: extension, state, pause reason, queues."""
    return {**dataclasses.asdict(agent), "queues": list(agent.queues)}


def queue_dict(settings: QueueSettings, snapshot: QueueSnapshot | None) -> dict:
    """A queue's settings (members as {extension, penalty}) with its live figures."""
    values = dataclasses.asdict(settings)
    values["members"] = [dataclasses.asdict(m) for m in settings.members]
    return {**values, "live": snapshot_dict(snapshot) if snapshot is not None else None}


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds")
