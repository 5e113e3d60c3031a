"""Retention and quotas: which finished recordings are deleted, oldest first."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from pbx.recording.policy import Retention
from pbx.store import RecordingEntry


def expired(
    recordings: Iterable[RecordingEntry], now: datetime, retention_of: Callable[[str], Retention]
) -> list[RecordingEntry]:
    """The recordings to delete at `now`, oldest first within each retention class.

    A recording older than its class's days goes; then, while the class's
    recordings take more than its quota, its oldest go. Recordings still being
    written are never chosen.
    """
    classes: dict[str, list[RecordingEntry]] = defaultdict(list)
    for recording in sorted(recordings, key=lambda r: r.started_at):
        if recording.status != "recording":
            classes[recording.policy].append(recording)
    doomed: list[RecordingEntry] = []
    for name, members in classes.items():
        limits = retention_of(name)
        cutoff = now - timedelta(days=limits.days) if limits.days else None
        kept = [r for r in members if cutoff is None or r.started_at >= cutoff]
        doomed += [r for r in members if cutoff is not None and r.started_at < cutoff]
        total = sum(r.size_bytes for r in kept)
        for recording in kept:
            if not limits.quota_bytes or total <= limits.quota_bytes:
                break
            doomed.append(recording)
            total -= recording.size_bytes
    return doomed
