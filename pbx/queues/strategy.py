"""Ring strategies: which of the free agents a queue offers its next call to."""

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A free agent as a strategy sees it. Times are the loop's clock, in seconds."""

    extension: str
    penalty: int
    order: int  # place in the queue's member list
    calls: int = 0  # calls answered from this queue
    last_call_end: float = -math.inf  # end of the last call from this queue
    idle_since: float = -math.inf  # end of the agent's last call of any kind, or log-in


def choose(
    strategy: str,
    candidates: list[Candidate],
    last_offered_order: int = -1,
    rng: random.Random | None = None,
) -> list[Candidate]:
    """The agents to ring for the next call: one, or a whole tier for "ring-all".

    Penalties come first: an agent is offered a call only when no free agent has
    a lower penalty. Within the tier each strategy picks; ties go to member order.
    `last_offered_order` is the member-list place of the agent offered the
    queue's previous call (round-robin's memory).
    """
    if not candidates:
        return []
    best = min(c.penalty for c in candidates)
    tier = sorted((c for c in candidates if c.penalty == best), key=lambda c: c.order)
    if strategy == "ring-all":
        return tier
    if strategy == "random":
        return [(rng or random).choice(tier)]
    if strategy == "round-robin":
        after = [c for c in tier if c.order > last_offered_order]
        return [(after or tier)[0]]
    key = _KEYS[strategy]
    return [min(tier, key=lambda c: (key(c), c.order))]


_KEYS = {
    "linear": lambda _c: 0,
    "least-recent": lambda c: c.last_call_end,
    "fewest-calls": lambda c: c.calls,
    "longest-idle": lambda c: c.idle_since,
}
