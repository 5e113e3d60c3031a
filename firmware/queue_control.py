"""Control-socket commands for queues, agents, ring groups, supervision and KPIs."""

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from pbx.api import ServiceApi
from pbx.queues import QueueError
from pbx.queues.service import QueueService

_INTERVALS_S = {"": 0, "hour": 3600, "day": 86400}


def _plain(item: object) -> object:
    """Dataclasses and datetimes as JSON values."""
    if isinstance(item, list):
        return [_plain(i) for i in item]
    if dataclasses.is_dataclass(item):
        return {k: _plain(v) for k, v in dataclasses.asdict(item).items()}
    if isinstance(item, dict):
        return {k: _plain(v) for k, v in item.items()}
    if isinstance(item, datetime):
        return item.isoformat()
    return item


def _time(text: str | None, default: datetime) -> datetime:
    if not text:
        return default
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise QueueError(f"not a date and time: {text!r} (e.g. 2026-11-22T09:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
            _time(start, midnight),
            _time(end, midnight + timedelta(days=1)),
            by=by,
            interval_s=_INTERVALS_S[interval],
            **only,
        )
        return _plain(rows)

    async def supervise(supervisor: str, agent: str, mode: str) -> dict:
        await q.supervise(supervisor, agent, mode)
        return {"supervisor": supervisor, "agent": agent, "mode": mode}

    async def deleted(delete: Callable[[str], Awaitable[None]], name: str) -> dict:
        await delete(name)
        return {"name": name}

    async def plain(work: Awaitable[object]) -> object:
        return _plain(await work)

    async def listed(items: Callable[[], object]) -> object:
        return _plain(items())

    return {
        "queue.list": lambda: listed(q.queues),
        "queue.add": lambda **values: plain(q.put_queue(values, new=True)),
        "queue.set": lambda **values: plain(q.put_queue(values, new=False)),
        "queue.del": lambda name: deleted(q.delete_queue, name),
        "queue.member": lambda queue, extension, penalty=None: plain(
            q.set_member(queue, extension, penalty)
        ),
        "queue.supervise": supervise,
        "queue.supervisions": lambda: listed(q.supervisions),
        "group.list": lambda: listed(q.groups),
        "group.set": lambda **values: plain(q.put_group(values)),
        "group.del": lambda name: deleted(q.delete_group, name),
        "agent.list": lambda: listed(q.agents),
        "agent.login": lambda extension: plain(q.log_in(extension)),
        "agent.logout": lambda extension: plain(q.log_out(extension)),
        "agent.pause": lambda extension, reason="": plain(q.pause(extension, reason)),
        "agent.unpause": lambda extension: plain(q.unpause(extension)),
        "kpi": kpi,
        "kpi.live": lambda: plain(q.live()),
    }
