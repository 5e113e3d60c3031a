"""Queue KPIs computed from queue events, per queue, per agent and per interval.

Every figure is traceable to events: a row counts the events whose time falls in
its interval (first-contact resolution also looks past it, for repeat calls).
"""

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pbx.queues.queue_event import QueueEvent

_WAIT_ENDS = ("connect", "abandon", "timeout", "exit-key", "exit-empty")


@dataclass(frozen=True)
class KpiRules:
    """How figures are judged. `service_level_s` gives each queue's threshold T."""

    service_level_s: Callable[[str], float] = lambda _queue: 20.0
    short_abandon_s: float = 5.0  # abandons quicker than this are counted apart
    repeat_window_s: float = 24 * 3600.0  # a call back within this spoils first-contact


@dataclass(frozen=True)
class KpiFigures:
    """The figures of one row. Ratios are 0..1, None when there is nothing to divide.

    - offered: callers who came to the queue (joined, or were refused at the door);
    - answered, abandoned (waited at least the short-abandon threshold), short_abandoned,
      timed_out (max wait), exited (by key or the leave rule), refused, callbacks asked;
    - service_level: answered within T / answered; service_level_abandons: answered
      within T / (answered + abandoned);
    - asa_s: mean wait of answered callers; aht_s: mean talk + hold + wrap-up;
    - longest_wait_s: the longest wait that ended in the interval, however it ended;
    - fcr: answered callers who did not call any queue again within the repeat window;
    - ring_no_answer, transfers; lines_busy_s: time with every FXO line taken.
    """

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    timed_out: int = 0
    exited: int = 0
    refused: int = 0
    callbacks: int = 0
    answered_in_sl: int = 0
    service_level: float | None = None
    service_level_abandons: float | None = None
    asa_s: float | None = None
    aht_s: float | None = None
    longest_wait_s: float = 0.0
    fcr: float | None = None
    ring_no_answer: int = 0
    transfers: int = 0
    lines_busy_s: float = 0.0


@dataclass(frozen=True)
class KpiRow:
    """Figures for one queue ("" all), one agent ("" all) and one interval [start, end)."""

    queue: str
    agent: str
    start: datetime
    end: datetime
    figures: KpiFigures


def compute(
    events: list[QueueEvent],
    start: datetime,
    end: datetime,
    rules: KpiRules,
    *,
    by: str = "",
    interval_s: float = 0.0,
) -> list[KpiRow]:
    """Rows of figures over [start, end), split by "queue", "agent" or nothing (""),
    and into intervals of `interval_s` (0: one interval).

    `events` may run past `end`, by the repeat window, for first-contact resolution.
    """
    if by not in ("", "queue", "agent"):
        raise ValueError(f"by must be '', 'queue' or 'agent'; got {by!r}")
    rows = []
    for low, high in _intervals(start, end, interval_s):
        inside = [e for e in events if low <= e.at < high]
        callers = [e for e in inside if e.kind not in ("lines-busy", "lines-free")]
        for key in sorted({getattr(e, by) for e in callers if getattr(e, by)} if by else {""}):
            chosen = [e for e in callers if not by or getattr(e, by) == key]
            figures = _figures(chosen, events, rules)
            if not by:
                figures = _with_lines(figures, events, low, high)
            rows.append(
                KpiRow(
                    key if by == "queue" else "", key if by == "agent" else "", low, high, figures
                )
            )
    return rows


def _intervals(start: datetime, end: datetime, interval_s: float):
    if interval_s <= 0:
        yield start, end
        return
    step = timedelta(seconds=interval_s)
    low = start
    while low < end:
        yield low, min(low + step, end)
        low += step


def _count(events: Iterable[QueueEvent], *kinds: str) -> int:
    return sum(1 for e in events if e.kind in kinds)


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _figures(events: list[QueueEvent], everything: list[QueueEvent], rules: KpiRules) -> KpiFigures:
    connects = [e for e in events if e.kind == "connect"]
    abandons = [e for e in events if e.kind == "abandon"]
    short = [e for e in abandons if e.wait_s < rules.short_abandon_s]
    handled = [e for e in events if e.kind in ("complete", "transfer")]
    in_sl = sum(1 for e in connects if e.wait_s <= rules.service_level_s(e.queue))
    answered, abandoned = len(connects), len(abandons) - len(short)
    waits = [e.wait_s for e in events if e.kind in _WAIT_ENDS]
    return KpiFigures(
        offered=_count(events, "join", "refused"),
        answered=answered,
        abandoned=abandoned,
        short_abandoned=len(short),
        timed_out=_count(events, "timeout"),
        exited=_count(events, "exit-key", "exit-empty"),
        refused=_count(events, "refused"),
        callbacks=_count(events, "callback-request"),
        answered_in_sl=in_sl,
        service_level=_ratio(in_sl, answered),
        service_level_abandons=_ratio(in_sl, answered + abandoned),
        asa_s=_ratio(sum(e.wait_s for e in connects), answered),
        aht_s=_ratio(sum(e.talk_s + e.hold_s + e.wrapup_s for e in handled), len(handled)),
        longest_wait_s=max(waits, default=0.0),
        fcr=_first_contact(connects, everything, rules.repeat_window_s),
        ring_no_answer=_count(events, "ring-no-answer"),
        transfers=_count(events, "transfer"),
    )


def _first_contact(
    connects: list[QueueEvent], everything: list[QueueEvent], window_s: float
) -> float | None:
    """Answered callers (with a number) who did not come back within the window."""
    known = [c for c in connects if c.caller_number]
    window = timedelta(seconds=window_s)
    arrivals = [e for e in everything if e.kind in ("join", "refused") and e.caller_number]
    resolved = sum(
        1
        for c in known
        if not any(
            a.caller_number == c.caller_number and c.at < a.at <= c.at + window for a in arrivals
        )
    )
    return _ratio(resolved, len(known))


def _with_lines(
    figures: KpiFigures, events: list[QueueEvent], low: datetime, high: datetime
) -> KpiFigures:
    """Add the time in [low, high) during which every FXO line was taken."""
    busy_s, since = 0.0, None
    for event in events:
        if event.kind == "lines-busy" and since is None:
            since = event.at
        elif event.kind == "lines-free" and since is not None:
            busy_s += _overlap_s(since, event.at, low, high)
            since = None
    if since is not None:
        busy_s += _overlap_s(since, high, low, high)
    return dataclasses.replace(figures, lines_busy_s=busy_s)


def _overlap_s(a: datetime, b: datetime, low: datetime, high: datetime) -> float:
    return max(0.0, (min(b, high) - max(a, low)).total_seconds())
