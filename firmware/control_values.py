"""Values crossing the control socket: times the CLI sends, results made plain for JSON."""

import dataclasses
from datetime import UTC, datetime

from pbx import PbxError


def moment_of(text: str) -> datetime:
    """An ISO 8601 time from the CLI, UTC unless it names its offset; PbxError if it is none."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PbxError(f"not a date and time: {text!r} (e.g. 2026-05-04T10:30+01:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def plain(item: object) -> object:
    """`item` with dataclasses as dicts and times as ISO 8601 text, ready for JSON."""
    if isinstance(item, list | tuple):
        return [plain(i) for i in item]
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return {k: plain(v) for k, v in dataclasses.asdict(item).items()}
    if isinstance(item, dict):
        return {k: plain(v) for k, v in item.items()}
    if isinstance(item, datetime):
        return item.isoformat()
    return item
