"""A queue while the box runs: its callers in order, and what its strategies remember."""

import asyncio
import math
import uuid
from dataclasses import dataclass, field

from pbx.calls import Leg
from pbx.queues.agents import AgentBoard
from pbx.queues.settings import QueueSettings
from pbx.queues.strategy import Candidate

# How much one answered caller's wait moves the queue's estimated hold time
# (Asterisk keeps the same running average: new = (3 * old + wait) / 4).
_WAIT_WEIGHT = 0.25


@dataclass
class Entry:
    """One caller's stay in a queue, from joining to being connected or leaving.

    While a callback is pending the caller has hung up (`leg` is None) but the
    entry keeps its place in the line. `decided` resolves to how the wait ended:
    ("connected", (agent leg, extension)), ("abandon", None), ("timeout", None),
    ("exit-key", None), ("exit-empty", None) or ("callback", None).
    """

    number: str
    name: str
    joined_at: float
    leg: Leg | None
    trunk: str = ""  # where the caller came from: the way back for a callback
    extension: str = ""
    call_uid: str = ""  # the caller's call in the records (a callback joins it)
    uid: str = field(default_factory=lambda: uuid.uuid4().hex)
    # joining, waiting, ringing, retry, callback, calling-back, callback-retry, connected
    state: str = "joining"
    tried: set[str] = field(default_factory=set)  # agents rung in this round
    decided: asyncio.Future = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    offer: asyncio.Task | None = None
    callback_attempts: int = 0

    def decide(self, outcome: str, detail: object = None) -> bool:
        """End the wait with `outcome` unless it has ended already; True if this did."""
        if self.decided.done():
            return False
        self.decided.set_result((outcome, detail))
        return True


class CallQueue:
    """Callers of one queue in the order they joined, and the members' record here."""

    def __init__(self, settings: QueueSettings) -> None:
        self.settings = settings
        self.entries: list[Entry] = []
        self.calls_taken: dict[str, int] = {}
        self.last_call_end: dict[str, float] = {}
        self.last_offered_order = -1  # round-robin's memory
        self.average_wait_s: float | None = None

    @property
    def name(self) -> str:
        return self.settings.name

    def position(self, entry: Entry) -> int:
        """1 for the first caller in line."""
        return self.entries.index(entry) + 1

    def waiting(self) -> list[Entry]:
        """Callers not yet connected, in order."""
        return [e for e in self.entries if e.state != "connected"]

    def members(self) -> list[str]:
        return [m.extension for m in self.settings.members]

    def candidates(self, agents: AgentBoard, free: set[str], skip: set[str]) -> list[Candidate]:
        """The free members a strategy may choose from (not those in `skip`)."""
        return [
            Candidate(
                m.extension,
                m.penalty,
                order,
                self.calls_taken.get(m.extension, 0),
                self.last_call_end.get(m.extension, -math.inf),
                agents.agent(m.extension).idle_since,
            )
            for order, m in enumerate(self.settings.members)
            if m.extension in free and m.extension not in skip
        ]

    def order_of(self, extension: str) -> int:
        return self.members().index(extension) if extension in self.members() else -1

    def answered(self, extension: str, wait_s: float) -> None:
        """A member took a caller who waited `wait_s`."""
        self.calls_taken[extension] = self.calls_taken.get(extension, 0) + 1
        old = self.average_wait_s
        self.average_wait_s = wait_s if old is None else old + _WAIT_WEIGHT * (wait_s - old)

    def estimated_wait_s(self) -> float:
        """The running average wait of answered callers (0 before the first)."""
        return self.average_wait_s or 0.0

    def staffed(self, agents: AgentBoard) -> bool:
        return any(agents.is_staffed(m) for m in self.members())

    def available(self, agents: AgentBoard) -> bool:
        return any(agents.state(m) in ("available", "ringing") for m in self.members())

    def refusal(self, agents: AgentBoard) -> str:
        """Why a new caller may not join now ("full", "unstaffed", "unavailable"), or ""."""
        s = self.settings
        if s.max_callers and len(self.waiting()) >= s.max_callers:
            return "full"
        if s.join_when == "staffed" and not self.staffed(agents):
            return "unstaffed"
        if s.join_when == "available" and not self.available(agents):
            return "unavailable"
        return ""

    def must_leave(self, agents: AgentBoard) -> bool:
        """Whether the leave rule sends waiting callers on now."""
        rule = self.settings.leave_when
        return (rule == "unstaffed" and not self.staffed(agents)) or (
            rule == "unavailable" and not self.available(agents)
        )
