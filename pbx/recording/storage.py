"""Where recordings live on the data disk: file names, free space, flushing and deleting."""

import ctypes
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

logger = logging.getLogger(__name__)

_DIR_MODE = 0o750  # recordings are personal data: no access for other users
MIB = 1024 * 1024  # the unit of the *_mb settings


@dataclass(frozen=True)
class RecordingFiles:
    """The files of one recording, relative to the recordings directory.

    `left` and `right` are the two sides of a two-channel recording while it
    runs; they become `two_channel` once it ends.
    """

    mono: str
    two_channel: str = ""
    left: str = ""
    right: str = ""


def files_for(uid: str, started_at: datetime, two_channel: bool) -> RecordingFiles:
    """The box's own names for a recording: YYYY/MM/DD/<uid>.wav by its UTC start.

    Only the box's date and its random uid make up a name, never anything a
    caller or an admin typed, so no name can point outside the directory.
    """
    return files_of(f"{started_at:%Y/%m/%d}/{uid}.wav", two_channel)


def files_of(mono: str, two_channel: bool) -> RecordingFiles:
    """Every file of the recording whose mono file is `mono` (as files_for named it)."""
    if not two_channel:
        return RecordingFiles(mono)
    stem = mono.removesuffix(".wav")
    return RecordingFiles(mono, f"{stem}-2ch.wav", f"{stem}-L.wav", f"{stem}-R.wav")


def _libc_syncfs():
    """syncfs(2) from the C library (Python has no binding), or None."""
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


class RecordingStorage:
    """The recordings directory and the disk it is on.

    `reserve_bytes` of free space are kept for the database and the system:
    below it no recording starts (calls still connect).
    """

    def __init__(self, root: Path, reserve_bytes: int) -> None:
        self.root = root
        self.reserve_bytes = reserve_bytes
        self._syncfs = _libc_syncfs()

    def path(self, relative: str) -> Path:
        """The absolute path of a recording's file."""
        return self.root / relative

    def prepare(self, files: RecordingFiles) -> None:
        """Make the directory a recording's files go in (blocking: run off the loop)."""
        self.root.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
        self.path(files.mono).parent.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)

    def free_bytes(self) -> int:
        """Free space on the recordings' disk, for an unprivileged writer."""
        probe = self.root if self.root.exists() else self.root.parent
        return shutil.disk_usage(probe).free

    def has_room(self) -> bool:
        """True while free space stays above the reserve."""
        return self.free_bytes() > self.reserve_bytes

    def flush(self) -> None:
        """Write every recording's buffered audio to the disk (blocking: run off the loop).

        One syncfs for the whole file system: one journal commit for all
        recordings, not an fsync per file, which spares an SD card's writes.
        """
        if not self.root.exists():
            return
        if self._syncfs is None:
            os.sync()
            return
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if self._syncfs(fd) != 0:
                logger.warning(
                    "syncfs on %s failed: %s", self.root, os.strerror(ctypes.get_errno())
                )
        finally:
            os.close(fd)

    def remove(self, relative_paths: list[str]) -> int:
        """Delete files (those already gone are skipped); returns the bytes freed."""
        freed = 0
        for relative in filter(None, relative_paths):
            path = self.path(relative)
            try:
                freed += path.stat().st_size
                path.unlink()
            except FileNotFoundError:
                continue
        return freed
