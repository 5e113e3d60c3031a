"""Queue events: what happened to callers and agents, the raw material of every KPI."""

from dataclasses import dataclass
from datetime import datetime

# A caller's stay: join, then exactly one of connect, abandon, timeout, exit-empty,
# exit-key (or callback-request, then connect or callback-failed). "refused" is a
# caller turned away at the door (full, or closed by the join rule).
CALLER_KINDS = (
    "join",
    "refused",
    "connect",
    "complete",
    "transfer",
    "abandon",
    "timeout",
    "exit-empty",
    "exit-key",
    "callback-request",
    "callback-attempt",
    "callback-failed",
    "ring-no-answer",
)
AGENT_KINDS = ("login", "logout", "pause", "unpause")
# Every FXO line taken ("lines-busy") and one free again ("lines-free"): lost demand
# an analog site cannot see in its queues. Sent by the lines, with queue "".
LINE_KINDS = ("lines-busy", "lines-free")
KINDS = CALLER_KINDS + AGENT_KINDS + LINE_KINDS


@dataclass(frozen=True)
class QueueEvent:
    """One thing that happened in a queue, stored as it happens (times in UTC).

    `entry` names one caller's stay in one queue (kept across a callback). `wait_s`
    is the caller's wait so far (connect, abandon, timeout, exits); `talk_s`,
    `hold_s` and `wrapup_s` complete a call ("complete" and "transfer"). `reason`
    says why: a pause's reason, who hung up ("caller", "agent"), a refusal's cause.
    """

    at: datetime
    kind: str
    queue: str = ""
    agent: str = ""
    caller_number: str = ""
    entry: str = ""
    wait_s: float = 0.0
    talk_s: float = 0.0
    hold_s: float = 0.0
    wrapup_s: float = 0.0
    position: int = 0
    reason: str = ""
