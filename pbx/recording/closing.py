"""Closing a recording's files: waiting for the writer, repairing a cut, merging the sides."""

import logging
import time
from dataclasses import dataclass

from pbx.recording import two_channel, wav_file
from pbx.recording.storage import RecordingFiles, RecordingStorage

logger = logging.getLogger(__name__)

_POLL_S = 0.01


@dataclass(frozen=True)
class ClosedFiles:
    """What a recording left on the disk."""

    duration_s: float  # of the mono file
    size_bytes: int  # every file of the recording
    repaired: bool  # some file needed a repair (its writer never closed it)


def _wait_closed(storage: RecordingStorage, relative: str, wait_s: float) -> bool:
    """Wait (blocking) up to `wait_s` for the engine to close a file; True if it did.

    The engine closes a stopped recorder's file on its media thread a frame or
    two later, and says nothing when it has: the header sizes tell.
    """
    path = storage.path(relative)
    deadline = time.monotonic() + wait_s
    while not wav_file.is_closed(path):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_S)
    return True


def close_files(
    storage: RecordingStorage, files: RecordingFiles, rate_hz: int, wait_s: float
) -> ClosedFiles:
    """Make a stopped (or cut) recording's files whole, and merge its two sides.

    Blocking: run off the loop. A file still open after `wait_s` (0 at
    start-up: its writer died) is repaired. The side files are deleted once
    merged. OSError or WavError if a file is missing or not ours.
    """
    repaired = False
    for relative in (files.mono, files.left, files.right):
        if relative and not _wait_closed(storage, relative, wait_s):
            if files.two_channel and relative != files.mono and not storage.path(relative).exists():
                continue  # merged before the cut: the sides are gone, the merge is whole
            wav_file.repair(storage.path(relative), rate_hz)
            repaired = True
    if files.two_channel and storage.path(files.left).exists():
        two_channel.merge(
            storage.path(files.left), storage.path(files.right), storage.path(files.two_channel)
        )
        storage.remove([files.left, files.right])
    mono = storage.path(files.mono)
    duration_s = wav_file.layout_of(mono).seconds()
    size = mono.stat().st_size
    if files.two_channel:
        size += storage.path(files.two_channel).stat().st_size
    if repaired:
        logger.info("recording %s repaired: %.2f s of audio", files.mono, duration_s)
    return ClosedFiles(duration_s, size, repaired)
