"""Retention and quotas: which finished recordings are deleted, oldest first."""

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from pbx.recording.policy import RecordingPolicies, Retention
from pbx.recording.storage import MIB, RecordingStorage
from pbx.store import RecordingEntry, RecordingStore

logger = logging.getLogger(__name__)


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


class RetentionSweep:
    """Deletes the recordings retention and quotas no longer keep: files, then rows."""

    def __init__(
        self, store: RecordingStore, storage: RecordingStorage, policies: RecordingPolicies
    ) -> None:
        self._store = store
        self._storage = storage
        self._policies = policies

    async def run(self, now: datetime) -> int:
        """Apply retention and quotas as of `now`; returns how many recordings went.

        Files go before their rows: a cut in between leaves a row whose files
        are gone, which the next sweep removes, never a file nobody knows of.
        """
        doomed = expired(await self._store.finished(), now, self._policies.retention_of)
        if not doomed:
            return 0
        paths = [path for r in doomed for path in (r.path, r.two_channel_path)]
        freed = await asyncio.get_running_loop().run_in_executor(None, self._storage.remove, paths)
        await self._store.delete([r.uid for r in doomed])
        logger.info("retention: %d recordings deleted, %d MiB freed", len(doomed), freed // MIB)
        return len(doomed)
