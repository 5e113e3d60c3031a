"""Control-socket commands for queues, agents, ring groups, supervision and KPIs."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from firmware.control_values import moment_of, plain
from pbx.api import ServiceApi
from pbx.queues import QueueError
from pbx.queues.service import QueueService

_INTERVALS_S = {"": 0, "hour": 3600, "day": 86400}


def queue_commands(api: ServiceApi) -> dict[str, Callable[..., Awaitable[object]]]:
    """The commands, by name, for ControlServer."""
    q: QueueService = api.queues

    async def kpi(
        start: str = "", end: str = "", by: str = "", interval: str = "", **only: str
    ) -> list:
        now = datetime.now(UTC)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if interval not in _INTERVALS_S:
            raise QueueError("interval must be hour or day")
        rows = await q.kpi(
            moment_of(start) if start else midnight,
            moment_of(end) if end else midnight + timedelta(days=1),
            by=by,
            interval_s=_INTERVALS_S[interval],
            **only,
        )
        return plain(rows)

    async def supervise(supervisor: str, agent: str, mode: str) -> dict:
        await q.supervise(supervisor, agent, mode)
        return {"supervisor": supervisor, "agent": agent, "mode": mode}

    async def deleted(delete: Callable[[str], Awaitable[None]], name: str) -> dict:
        await delete(name)
        return {"name": name}

    async def settled(work: Awaitable[object]) -> object:
        return plain(await work)

    async def listed(items: Callable[[], object]) -> object:
        return plain(items())

    return {
        "queue.list": lambda: listed(q.queues),
        "queue.add": lambda **values: settled(q.put_queue(values, new=True)),
        "queue.set": lambda **values: settled(q.put_queue(values, new=False)),
        "queue.del": lambda name: deleted(q.delete_queue, name),
        "queue.member": lambda queue, extension, penalty=None: settled(
            q.set_member(queue, extension, penalty)
        ),
        "queue.supervise": supervise,
        "queue.supervisions": lambda: listed(q.supervisions),
        "group.list": lambda: listed(q.groups),
        "group.set": lambda **values: settled(q.put_group(values)),
        "group.del": lambda name: deleted(q.delete_group, name),
        "agent.list": lambda: listed(q.agents),
        "agent.login": lambda extension: settled(q.log_in(extension)),
        "agent.logout": lambda extension: settled(q.log_out(extension)),
        "agent.pause": lambda extension, reason="": settled(q.pause(extension, reason)),
        "agent.unpause": lambda extension: settled(q.unpause(extension)),
        "kpi": kpi,
        "kpi.live": lambda: settled(q.live()),
    }
