"""The queue service: queues, ring groups, agents, supervision and KPIs, as the API sees them."""

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pbx.extension_service import ExtensionService
from pbx.extensions import ExtensionError
from pbx.queues import QueueError
from pbx.queues.acd import Acd
from pbx.queues.journal import QueueJournal, utc_now
from pbx.queues.kpi import KpiRow, KpiRules, compute
from pbx.queues.queue_event import QueueEvent
from pbx.queues.ring_group import RingGroups
from pbx.queues.settings import Member, QueueSettings, RingGroup, group_from_dict, queue_from_dict
from pbx.queues.supervisor import Supervision, SupervisorService
from pbx.store.queues import QueueEventStore, QueueStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AgentStatus:
    """An agent now: state is one of pbx.queues.agents.AGENT_STATES."""

    extension: str
    state: str
    pause_reason: str
    queues: tuple[str, ...]


@dataclass(frozen=True)
class QueueSnapshot:
    """A queue now: callers waiting, the longest wait, agents by state, service level today."""

    queue: str
    waiting: int
    longest_wait_s: float
    callbacks_pending: int
    agents: dict[str, int]
    service_level_today: float | None


class QueueService:
    """Everything about queues that panels, the CLI and feature codes may ask for.

    Settings are stored first, then applied to the running queues at once:
    waiting callers keep their places and calls up carry on.
    """

    def __init__(
        self,
        store: QueueStore,
        events: QueueEventStore,
        journal: QueueJournal,
        *,
        acd: Acd,
        groups: RingGroups,
        supervisor: SupervisorService,
        extensions: ExtensionService,
        rules: KpiRules,
    ) -> None:
        self._store = store
        self._events = events
        self._journal = journal
        self._acd = acd
        self._groups = groups
        self._supervisor = supervisor
        self._extensions = extensions
        self._rules = dataclasses.replace(rules, service_level_s=self._service_level_s)
        # Today's KPIs by queue, for live(): worked out from the day's events only when an
        # event has come since, not at each wallboard push, dashboard poll or scrape.
        self._events_seen = 0
        self._today: tuple[datetime, int, dict] | None = None  # midnight, events seen, figures
        journal.watch(self._note_event)

    def _note_event(self, _event: QueueEvent) -> None:
        self._events_seen += 1

    async def _today_by_queue(self, now: datetime) -> dict:
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if self._today is None or self._today[:2] != (midnight, self._events_seen):
            seen = self._events_seen  # an event during the reading makes the next one anew
            rows = await self.kpi(midnight, now, by="queue")
            self._today = (midnight, seen, {row.queue: row.figures for row in rows})
        return self._today[2]

    async def load(self) -> None:
        """Apply what the database holds (at start)."""
        queues, groups, agents = await self._store.load()
        for queue in queues:
            self._acd.configure(queue)
        for group in groups:
            self._groups.configure(group)
        self._acd.agents.load(agents)

    # --- queues and groups ---------------------------------------------------------

    def queues(self) -> list[QueueSettings]:
        """Every queue's settings, by name."""
        return [q.settings for q in self._acd.queues()]

    async def put_queue(self, values: dict, *, new: bool) -> QueueSettings:
        """Add a queue (`new`) or change one; `values` are QueueSettings fields as JSON."""
        exists = values.get("name") in {q.name for q in self.queues()}
        if new and exists:
            raise QueueError(f"queue {values.get('name')} exists")
        if not new:
            if not exists:
                raise QueueError(f"no queue {values.get('name')}")
            current = dataclasses.asdict(self._acd.queue(values["name"]).settings)
            values = {**current, **values}
        settings = queue_from_dict(values)
        await self._check_references(settings.name, settings.number, settings.members)
        await self._store.put("queue", settings)
        self._acd.configure(settings)
        self._today = None  # its service-level threshold may have changed
        return settings

    async def delete_queue(self, name: str) -> None:
        """Remove a queue; refused while callers wait in it."""
        self._acd.remove(name)
        await self._store.delete("queue", name)

    async def set_member(self, queue: str, extension: str, penalty: int | None) -> QueueSettings:
        """Add or re-rank a member (penalty), or remove it (penalty None)."""
        settings = self._acd.queue(queue).settings
        members = [m for m in settings.members if m.extension != extension]
        if penalty is not None:
            old = next((m for m in settings.members if m.extension == extension), None)
            members.insert(
                settings.members.index(old) if old else len(members), Member(extension, penalty)
            )
        values = {
            **dataclasses.asdict(settings),
            "members": [dataclasses.astuple(m) for m in members],
        }
        return await self.put_queue(values, new=False)

    def groups(self) -> list[RingGroup]:
        """Every ring group, by name."""
        return self._groups.groups()

    async def put_group(self, values: dict) -> RingGroup:
        """Add or replace a ring group."""
        group = group_from_dict(values)
        await self._check_references(
            group.name, group.number, tuple(Member(m) for m in group.members)
        )
        await self._store.put("group", group)
        self._groups.configure(group)
        return group

    async def delete_group(self, name: str) -> None:
        """Remove a ring group."""
        self._groups.remove(name)
        await self._store.delete("group", name)

    async def _check_references(self, name: str, number: str, members: tuple[Member, ...]) -> None:
        for member in members:
            try:
                await self._extensions.get(member.extension)
            except ExtensionError:
                raise QueueError(f"member {member.extension} is not an extension") from None
        if not number:
            return
        try:
            await self._extensions.get(number)
        except ExtensionError:
            pass
        else:
            raise QueueError(f"number {number} is an extension's")
        taken = [q.name for q in self.queues() if q.number == number]
        taken += [g.name for g in self.groups() if g.number == number]
        if any(other != name for other in taken):
            raise QueueError(f"number {number} is taken by {taken[0]}")

    def queue_by_number(self, number: str) -> str:
        """The queue or group phones reach by dialling `number` ("queue:x", "group:y" or "")."""
        for queue in self.queues():
            if queue.number and queue.number == number:
                return f"queue:{queue.name}"
        group = self._groups.by_number(number)
        return f"group:{group.name}" if group else ""

    # --- agents --------------------------------------------------------------------

    def _member_queues(self, extension: str) -> tuple[str, ...]:
        return tuple(q.name for q in self.queues() if extension in [m.extension for m in q.members])

    def _agent(self, extension: str) -> str:
        if not self._member_queues(extension):
            raise QueueError(f"extension {extension} is a member of no queue")
        return extension

    async def log_in(self, extension: str) -> AgentStatus:
        """The agent takes calls from all of its queues."""
        self._acd.agents.log_in(self._agent(extension))
        return self.agent(extension)

    async def log_out(self, extension: str) -> AgentStatus:
        """The agent takes no more queue calls."""
        self._acd.agents.log_out(self._agent(extension))
        return self.agent(extension)

    async def pause(self, extension: str, reason: str = "") -> AgentStatus:
        """The agent stops taking calls for a while, for `reason` (up to 64 characters)."""
        if len(reason) > 64:
            raise QueueError("a pause reason has at most 64 characters")
        board = self._acd.agents
        if not board.agent(self._agent(extension)).logged_in:
            raise QueueError(f"agent {extension} is not logged in")
        board.pause(extension, reason)
        return self.agent(extension)

    async def unpause(self, extension: str) -> AgentStatus:
        """The agent takes calls again."""
        self._acd.agents.unpause(self._agent(extension))
        return self.agent(extension)

    def agent(self, extension: str) -> AgentStatus:
        """One agent's state now."""
        board = self._acd.agents
        return AgentStatus(
            extension,
            board.state(extension),
            board.agent(extension).pause_reason,
            self._member_queues(extension),
        )

    def agents(self) -> list[AgentStatus]:
        """Every member of any queue, by extension."""
        members = sorted({m.extension for q in self.queues() for m in q.members})
        return [self.agent(m) for m in members]

    # --- supervision ---------------------------------------------------------------

    async def supervise(self, supervisor: str, agent: str, mode: str) -> None:
        """Ring `supervisor`'s phone and let it listen, whisper or barge on `agent`'s call."""
        try:
            await self._extensions.get(supervisor)
        except ExtensionError:
            raise QueueError(f"supervisor {supervisor} is not an extension") from None
        await self._supervisor.supervise(supervisor, agent, mode)

    def supervisions(self) -> list[Supervision]:
        """The supervisions under way: supervisor, agent and the mode now."""
        return self._supervisor.supervisions()

    # --- reports -------------------------------------------------------------------

    def _service_level_s(self, queue: str) -> float:
        try:
            return float(self._acd.queue(queue).settings.service_level_s)
        except QueueError:
            return 20.0

    async def kpi(
        self,
        start: datetime,
        end: datetime,
        *,
        by: str = "",
        interval_s: float = 0.0,
        queue: str = "",
        agent: str = "",
    ) -> list[KpiRow]:
        """KPI rows over [start, end) (see pbx.queues.kpi), for one queue or agent if given."""
        if end <= start:
            raise QueueError("the report must end after it starts")
        await self._journal.flush()
        lookahead = timedelta(seconds=self._rules.repeat_window_s)
        events = await self._events.between(start, end + lookahead)
        events = [
            e for e in events if (not queue or e.queue == queue) and (not agent or e.agent == agent)
        ]
        try:
            return compute(events, start, end, self._rules, by=by, interval_s=interval_s)
        except ValueError as err:
            raise QueueError(str(err)) from None

    async def live(self) -> list[QueueSnapshot]:
        """Every queue now, with its service level since midnight (UTC)."""
        today = await self._today_by_queue(utc_now())
        board, clock = self._acd.agents, time.monotonic()
        snapshots = []
        for queue in self._acd.queues():
            waiting = queue.waiting()
            states: dict[str, int] = {}
            for member in queue.members():
                states[board.state(member)] = states.get(board.state(member), 0) + 1
            figures = today.get(queue.name)
            snapshots.append(
                QueueSnapshot(
                    queue.name,
                    sum(1 for e in waiting if e.leg is not None),
                    max((clock - e.joined_at for e in waiting), default=0.0),
                    sum(1 for e in waiting if e.leg is None),
                    states,
                    figures.service_level if figures else None,
                )
            )
        return snapshots

    def watch(self, listener: Callable[[QueueEvent], None]) -> Callable[[], None]:
        """Call `listener` with every queue event (callers joining, agents pausing ...)
        as it happens, for live panels; returns what stops it."""
        return self._journal.watch(listener)

    def lines_busy(self, every_line_busy: bool) -> None:
        """Every working FXO line is taken (True), or one is free again (`LinesBusy`)."""
        self._journal.record("lines-busy" if every_line_busy else "lines-free")
