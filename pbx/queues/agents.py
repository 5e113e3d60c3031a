"""Agents: log-in, pause, wrap-up and calls of each agent, across all of its queues."""

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from pbx.queues.journal import QueueJournal
from pbx.store.queues import AgentState, QueueStore

logger = logging.getLogger(__name__)

AGENT_STATES = ("logged-out", "paused", "ringing", "on-call", "wrap-up", "available")


@dataclass
class Agent:
    """One agent (an extension) as every queue sees it. Times are monotonic seconds."""

    extension: str
    logged_in: bool = False
    paused: bool = False
    pause_reason: str = ""
    wrapup_until: float = 0.0
    ringing: bool = False  # being offered a queue call: no other queue may ring it
    talking: bool = False  # seen answered on some call (queue or not) that is still up
    queue_call: bool = False  # from a queue call's answer to the start of its wrap-up
    idle_since: float = -math.inf
    missed_rings: int = 0  # in a row; an answer resets it


class AgentBoard:
    """The state of every agent, one object per extension, whatever its queues.

    Wrap-up, pause and "already on a call" are properties of the agent, not of
    a queue membership, so no queue can ring an agent another queue is keeping
    busy. Whenever an agent may have become free, `on_change` runs.
    """

    def __init__(
        self,
        journal: QueueJournal,
        store: QueueStore,
        legs_of: Callable[[str], int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._journal = journal
        self._store = store
        self._legs_of = legs_of
        self.on_change: Callable[[], None] = lambda: None  # the distributor sets it
        self._clock = clock
        self._agents: dict[str, Agent] = {}
        self._wakeups: dict[str, asyncio.TimerHandle] = {}

    def load(self, states: list[AgentState]) -> None:
        """Agents' log-in and pause as stored (at start)."""
        for state in states:
            agent = self.agent(state.extension)
            agent.logged_in, agent.paused = state.logged_in, state.paused
            agent.pause_reason = state.pause_reason

    def agent(self, extension: str) -> Agent:
        """The agent of an extension (a new, logged-out one if never seen)."""
        if extension not in self._agents:
            self._agents[extension] = Agent(extension)
        return self._agents[extension]

    def state(self, extension: str) -> str:
        """One of AGENT_STATES."""
        agent = self.agent(extension)
        if not agent.logged_in:
            return "logged-out"
        if agent.paused:
            return "paused"
        if agent.ringing:
            return "ringing"
        if self._legs_of(extension) or agent.talking or agent.queue_call:
            return "on-call"
        if self._clock() < agent.wrapup_until:
            return "wrap-up"
        return "available"

    def is_free(self, extension: str) -> bool:
        """Logged in, not paused, not ringing, on no call, not in wrap-up."""
        return self.state(extension) == "available"

    def is_staffed(self, extension: str) -> bool:
        """Logged in and not paused (perhaps busy)."""
        agent = self.agent(extension)
        return agent.logged_in and not agent.paused

    # --- what agents do --------------------------------------------------------

    def log_in(self, extension: str) -> None:
        """Start taking calls (from every queue the extension is a member of)."""
        agent = self.agent(extension)
        if not agent.logged_in:
            agent.logged_in, agent.paused, agent.pause_reason = True, False, ""
            agent.idle_since = self._clock()
            self._changed(agent, "login")

    def log_out(self, extension: str) -> None:
        """Stop taking calls."""
        agent = self.agent(extension)
        if agent.logged_in:
            agent.logged_in, agent.paused, agent.pause_reason = False, False, ""
            self._changed(agent, "logout")

    def pause(self, extension: str, reason: str = "") -> None:
        """Stop taking calls for a while, saying why ("lunch", "missed-rings" ...)."""
        agent = self.agent(extension)
        if agent.logged_in and (not agent.paused or agent.pause_reason != reason):
            agent.paused, agent.pause_reason = True, reason
            self._changed(agent, "pause", reason)

    def unpause(self, extension: str) -> None:
        """Take calls again after a pause."""
        agent = self.agent(extension)
        if agent.paused:
            agent.paused, agent.pause_reason = False, ""
            agent.missed_rings = 0
            agent.idle_since = self._clock()
            self._changed(agent, "unpause")

    def _changed(self, agent: Agent, kind: str, reason: str = "") -> None:
        self._journal.record(kind, agent=agent.extension, reason=reason)
        self._store.put_agent(
            AgentState(agent.extension, agent.logged_in, agent.paused, agent.pause_reason)
        )
        self.on_change()

    # --- what calls do to agents -------------------------------------------------

    def missed(self, extension: str, pause_after: int) -> None:
        """The agent let a queue call ring out; pause it after `pause_after` in a row."""
        agent = self.agent(extension)
        agent.missed_rings += 1
        if pause_after and agent.missed_rings >= pause_after:
            logger.info("agent %s paused after %d missed rings", extension, agent.missed_rings)
            self.pause(extension, "missed-rings")

    def answered(self, extension: str) -> None:
        """The agent answered a queue call."""
        agent = self.agent(extension)
        agent.missed_rings = 0
        agent.talking = agent.queue_call = True

    def wrap_up(self, extension: str, seconds: float) -> None:
        """The agent's queue call ended: no queue call for `seconds`."""
        agent = self.agent(extension)
        now = self._clock()
        agent.wrapup_until = max(agent.wrapup_until, now + seconds)
        agent.talking = agent.queue_call = False
        agent.idle_since = now
        if old := self._wakeups.pop(extension, None):
            old.cancel()
        delay = agent.wrapup_until - now
        self._wakeups[extension] = asyncio.get_running_loop().call_later(delay, self._wake)

    def _wake(self) -> None:
        self.on_change()  # looked up now: the distributor sets it after construction

    def call_answered(self, extension: str) -> None:
        """Some call of the extension was answered (queue call or not)."""
        if extension in self._agents:
            self._agents[extension].talking = True

    def calls_ended(self) -> None:
        """Some leg ended: agents left with no call are idle from now."""
        now = self._clock()
        for agent in self._agents.values():
            if agent.talking and not self._legs_of(agent.extension):
                agent.talking = False
                agent.idle_since = now
        self.on_change()

    def all(self) -> list[Agent]:
        """Every agent known, by extension."""
        return [self._agents[e] for e in sorted(self._agents)]
