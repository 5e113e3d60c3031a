"""A date or a time given in a query string (?from=, ?since= ...), as a moment in UTC."""

from datetime import UTC, datetime, timedelta

from webui.handler import Refused


def query_moment(text: str, *, end: bool) -> datetime:
    """`text` as a UTC moment: an ISO time, or a date (a whole day: its start, or as an
    `end` the next day's start, so the day is included); unzoned means UTC; 400 otherwise."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Refused(400, f"not a date or time: {text!r} (e.g. 2026-11-20)") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if end and len(text) == 10:
        moment += timedelta(days=1)
    return moment
