"""Recording as the box runs it: repair at start-up, flushing, the reserve, retention, queries."""

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pbx import PbxError
from pbx.recording.closing import close_files
from pbx.recording.disk_watch import DiskWatch
from pbx.recording.policy import RecordingPolicies, RecordingPolicy, Scope
from pbx.recording.recorder import CallRecorder
from pbx.recording.retention import RetentionSweep
from pbx.recording.storage import MIB, RecordingStorage, files_of
from pbx.recording.wav_file import WavError
from pbx.store import RecordingEntry, RecordingSearch, RecordingStore

logger = logging.getLogger(__name__)

_CHECK_INTERVAL_S = 2.0  # how often the reserve is looked at when nothing is flushed
_UID = re.compile(r"^[0-9a-f]{32}$")
_NUMBER = re.compile(r"^[0-9+*#]{1,32}$")
MAX_PAGE = 200  # recordings in one page of a search


class RecordingError(PbxError):
    """A recording cannot be found, played or deleted; the text says why."""


def _now() -> datetime:
    return datetime.now(UTC)


def policy_dict(policy: RecordingPolicy) -> dict:
    """A policy as JSON for the CLI and panels."""
    return {
        "mode": str(policy.mode),
        "class": policy.name,
        "two_channel": policy.two_channel,
        "retention_days": policy.retention.days,
        "quota_mb": policy.retention.quota_bytes // MIB,
    }


class RecordingService:
    """Call recording for the service API and the daemon. Loop thread only.

    At start-up `recover` repairs what a cut left open. While the box runs,
    `run` flushes the recordings to the disk every `flush_interval_s` (0: the
    kernel decides), stops them when the disk reaches its reserve, and applies
    retention and quotas every `sweep_interval_s`.
    """

    def __init__(
        self,
        recorder: CallRecorder,
        store: RecordingStore,
        storage: RecordingStorage,
        *,
        disk: DiskWatch,
        policies: RecordingPolicies,
        on_demand_code: str,
        flush_interval_s: float,
        sweep_interval_s: float,
        rate_hz: int,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.recorder = recorder  # attach_scope: routes and queues name their policies
        self.policies = policies  # add_kind, add_class: their policies and retention
        self._store = store
        self._storage = storage
        self._disk = disk
        self._code = on_demand_code
        self._flush_interval_s = flush_interval_s
        self._sweep_interval_s = sweep_interval_s
        self._rate_hz = rate_hz
        self._clock = clock
        self._sweep = RetentionSweep(store, storage, policies)

    # --- the daemon's side --------------------------------------------------------------

    async def recover(self) -> int:
        """Repair every recording a kill or power cut left open; returns how many.

        Each becomes "interrupted", ending where its audio ends; one whose file
        never appeared becomes "failed". Run at start-up, before any call.
        """
        loop = asyncio.get_running_loop()
        left_open = await self._store.left_open()
        for entry in left_open:
            files = files_of(entry.path, bool(entry.two_channel_path))
            try:
                closed = await loop.run_in_executor(
                    None, close_files, self._storage, files, self._rate_hz, 0.0
                )
            except (OSError, WavError) as err:
                logger.error("recording %s cannot be repaired: %s", entry.uid, err)
                await self._store.closed(entry.uid, "failed", "failed", ended_at=entry.started_at)
                continue
            await self._store.closed(
                entry.uid,
                "interrupted",
                "interrupted",
                ended_at=entry.started_at + timedelta(seconds=closed.duration_s),
                duration_ms=round(closed.duration_s * 1000),
                size_bytes=closed.size_bytes,
            )
        if left_open:
            logger.warning(
                "%d recordings left open by an unclean stop were repaired", len(left_open)
            )
        return len(left_open)

    async def run(self) -> None:
        """Flush, watch the reserve and apply retention, until cancelled."""
        loop = asyncio.get_running_loop()
        next_sweep = loop.time()
        while True:
            try:
                if self.recorder.active() and self._flush_interval_s:
                    await loop.run_in_executor(None, self._storage.flush)
                if self._disk.full() and self.recorder.active():
                    await self.recorder.stop_all("stopped-disk-full")
                if loop.time() >= next_sweep:
                    next_sweep = loop.time() + self._sweep_interval_s
                    await self.sweep()
            except Exception:  # a loop that must outlive any one failure
                logger.exception("recording upkeep failed")
            await asyncio.sleep(self._flush_interval_s or _CHECK_INTERVAL_S)

    async def sweep(self) -> int:
        """Delete what retention and quotas no longer keep; returns how many recordings."""
        return await self._sweep.run(self._clock())

    # --- the service API ----------------------------------------------------------------

    async def search(self, search: RecordingSearch) -> tuple[int, list[RecordingEntry]]:
        """How many recordings match `search`, and its page of them, newest first."""
        if search.number and not _NUMBER.fullmatch(search.number):
            raise RecordingError("a number to search for is digits, +, * or #")
        if not 1 <= search.limit <= MAX_PAGE or search.offset < 0:
            raise RecordingError(f"a page holds 1 to {MAX_PAGE} recordings")
        return await self._store.search(search)

    async def get(self, uid: str) -> RecordingEntry:
        """One recording by its database id; RecordingError if there is none."""
        entry = await self._store.get(uid) if _UID.fullmatch(uid) else None
        if entry is None:
            raise RecordingError("no such recording")
        return entry

    async def audio_file(self, uid: str, two_channel: bool = False) -> Path:
        """The WAV file of recording `uid` (mono, or its two-channel one), from its row only.
        RecordingError if it is still being made, its file is gone, or the row names a file
        outside the recordings directory (a row changed behind the box's back: nothing
        there is ever served)."""
        entry = await self._finished(uid)
        if two_channel and not entry.two_channel_path:
            raise RecordingError("this recording has no two-channel file")
        relative = entry.two_channel_path if two_channel else entry.path
        return await asyncio.to_thread(self._checked, relative)

    async def delete(self, uid: str) -> RecordingEntry:
        """Delete recording `uid`: its files, then its row (its CDRs then say "deleted")."""
        entry = await self._finished(uid)
        names = [name for name in (entry.path, entry.two_channel_path) if name]
        paths = [str(p) for p in await asyncio.to_thread(lambda: [self._inside(n) for n in names])]
        await asyncio.to_thread(self._storage.remove, paths)
        await self._store.delete([uid])
        logger.info("recording %s deleted", uid)
        return entry

    async def _finished(self, uid: str) -> RecordingEntry:
        entry = await self.get(uid)
        if entry.status == "recording":
            raise RecordingError("the recording is still being made")
        return entry

    def _inside(self, relative: str) -> Path:
        root = self._storage.root.resolve()
        path = self._storage.path(relative).resolve()
        if path == root or not path.is_relative_to(root):
            logger.warning("a recording's row names %r, outside %s: refused", relative, root)
            raise RecordingError("the recording's file is not in the recordings directory")
        return path

    def _checked(self, relative: str) -> Path:
        path = self._inside(relative)
        if not path.is_file():
            raise RecordingError("the recording's file is gone")
        return path

    async def list(
        self, call_uid: str = "", since: datetime | None = None, until: datetime | None = None
    ) -> list[RecordingEntry]:
        """The recordings of one call, or those started in [since, until) (newest first)."""
        if call_uid:
            return await self._store.of_call(call_uid)
        return await self._store.between(since, until)

    def file(self, entry: RecordingEntry) -> str:
        """Where a recording's mono file is on the box."""
        return str(self._storage.path(entry.path))

    async def policy(self, extension: str = "") -> dict:
        """The box's default policy and settings, and an extension's own if named."""
        result = {
            "default": policy_dict(self.policies.default),
            "on_demand_code": self._code,
            "dir": str(self._storage.root),
            "reserve_mb": self._storage.reserve_bytes // MIB,
            "sync_interval_s": self._flush_interval_s,
        }
        if extension:
            own = await self.policies.policy_of(Scope("extension", extension))
            result["extension"] = {
                "number": extension,
                "setting": str(own.mode) if own else "default",
                "effective": str((own or self.policies.default).mode),
            }
        return result

    def status(self) -> dict:
        """Running recordings, the disk alarm, and recordings by outcome since start."""
        outcomes = dict(self.recorder.outcomes)
        return {"active": self.recorder.active(), **self._disk.status(), "outcomes": outcomes}
