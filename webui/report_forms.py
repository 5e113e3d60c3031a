"""What a report asks for, read from a request's query string: the CDR filters and the KPI span.

Dates are whole days in UTC, both ends included (`from=2026-11-20&to=2026-11-21` is
two days); a full ISO time (`2026-11-20T09:30`) is taken as it is, the end excluded.
With no dates, a KPI report covers today, and a CDR search every record (newest first).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pbx.api import CdrEntry, CdrQuery
from webui.handler import Refused
from webui.query_moment import query_moment

MAX_SPAN = timedelta(days=366)  # longer KPI reports are refused: they are computed in memory
INTERVALS_S = {"": 0.0, "hour": 3600.0, "day": 86400.0}
CDR_FILTERS = ("from", "to", "number", "extension", "trunk", "disposition")
KPI_FIELDS = ("from", "to", "by", "interval", "queue", "agent")
CDR_COLUMNS = (
    "started_at", "answered_at", "ended_at", "direction", "caller_number", "caller_name",
    "dialled", "trunk", "line", "disposition", "status_code", "reason", "codec", "uid", "call_uid",
)  # fmt: skip
KPI_COLUMNS = (
    "offered", "answered", "abandoned", "short_abandoned", "timed_out", "exited", "refused",
    "callbacks", "answered_in_sl", "service_level", "service_level_abandons", "asa_s", "aht_s",
    "longest_wait_s", "fcr", "ring_no_answer", "transfers", "lines_busy_s",
)  # fmt: skip

Argument = Callable[[str], str]  # a query-string argument by name ("" when absent)


def span(arg: Argument) -> tuple[datetime, datetime]:
    """The report's [start, end): `from` and `to`, today by default; 400 if it is no span."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = query_moment(arg("from"), end=False) if arg("from") else today
    end = query_moment(arg("to"), end=True) if arg("to") else max(start, today) + timedelta(days=1)
    if end <= start:
        raise Refused(400, "the report must end after it starts")
    return start, end


def cdr_query(arg: Argument) -> CdrQuery:
    """The CDR search the query string asks for."""
    start = query_moment(arg("from"), end=False) if arg("from") else None
    end = query_moment(arg("to"), end=True) if arg("to") else None
    return CdrQuery(
        start,
        end,
        arg("number").strip(),
        arg("extension").strip(),
        arg("trunk").strip(),
        arg("disposition").strip(),
    )


def page_number(arg: Argument, name: str, default: int) -> int:
    """A positive whole number from the query string (`default` if absent)."""
    text = arg(name)
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise Refused(400, f"{name} must be a whole number from 1")
    return int(text)


@dataclass(frozen=True)
class KpiAsk:
    """A KPI report: its span, how rows are split, and the queue or agent it is about."""

    start: datetime
    end: datetime
    by: str = ""
    interval: str = ""
    queue: str = ""
    agent: str = ""

    @property
    def interval_s(self) -> float:
        return INTERVALS_S[self.interval]


def kpi_ask(arg: Argument) -> KpiAsk:
    """The KPI report the query string asks for; 400 for choices that do not exist."""
    start, end = span(arg)
    if end - start > MAX_SPAN:
        raise Refused(400, "a KPI report covers at most 366 days")
    by, interval = arg("by"), arg("interval")
    if by not in ("", "queue", "agent"):
        raise Refused(400, "by must be queue, agent or nothing")
    if interval not in INTERVALS_S:
        raise Refused(400, "interval must be hour, day or nothing")
    if interval == "hour" and end - start > timedelta(days=31):
        raise Refused(400, "hourly figures cover at most 31 days")
    return KpiAsk(start, end, by, interval, arg("queue").strip(), arg("agent").strip())


def _text(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def cdr_dict(entry: CdrEntry) -> dict:
    """A CDR as JSON (times in ISO 8601, UTC)."""
    return {name: _text(getattr(entry, name)) for name in CDR_COLUMNS}


def kpi_dict(row) -> dict:
    """A KPI row (pbx.queues.kpi.KpiRow) as JSON."""
    figures = {name: getattr(row.figures, name) for name in KPI_COLUMNS}
    return {
        "queue": row.queue,
        "agent": row.agent,
        "start": row.start.isoformat(),
        "end": row.end.isoformat(),
        **figures,
    }
