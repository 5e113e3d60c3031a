"""WAV files as the engine's recorders leave them: reading the header, repairing it after a cut."""

import os
import struct
from dataclasses import dataclass
from pathlib import Path

FRAMES_PER_S = 50  # the bridge writes whole 20 ms frames
_HEADER_SCAN_BYTES = 512  # RIFF header, fmt and any small chunk before data
_PCM = 1


class WavError(Exception):
    """The file is not a WAV file this box wrote."""


@dataclass(frozen=True)
class WavLayout:
    """Where a WAV file's audio is and what it claims to hold."""

    channels: int
    rate_hz: int
    block_align: int  # bytes per sample frame (all channels)
    data_offset: int
    data_bytes: int  # as the header says: 0 while the writer has not closed the file
    riff_bytes: int

    @property
    def frame_bytes(self) -> int:
        """Bytes in one 20 ms frame."""
        return self.block_align * self.rate_hz // FRAMES_PER_S

    def seconds(self, data_bytes: int | None = None) -> float:
        """Duration of `data_bytes` (default: what the header claims)."""
        count = self.data_bytes if data_bytes is None else data_bytes
        return count / (self.rate_hz * self.block_align)


def parse(header: bytes) -> WavLayout:
    """The layout of a WAV file from its first bytes; WavError if it is not one."""
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        raise WavError("no RIFF/WAVE header")
    riff_bytes = struct.unpack_from("<I", header, 4)[0]
    fmt = None
    offset = 12
    while offset + 8 <= len(header):
        chunk, size = struct.unpack_from("<4sI", header, offset)
        if chunk == b"fmt " and size >= 16 and offset + 24 <= len(header):
            fmt = struct.unpack_from("<HHIIH", header, offset + 8)
        elif chunk == b"data":
            if fmt is None or fmt[0] != _PCM or not fmt[1] or not fmt[2] or not fmt[4]:
                raise WavError("no PCM format before the audio")
            _, channels, rate_hz, _, block_align = fmt
            return WavLayout(channels, rate_hz, block_align, offset + 8, size, riff_bytes)
        offset += 8 + size + (size & 1)
    raise WavError("no audio chunk in the header")


def layout_of(path: Path) -> WavLayout:
    """The layout of the WAV file at `path` (WavError, OSError)."""
    with path.open("rb") as wav:
        return parse(wav.read(_HEADER_SCAN_BYTES))


def is_closed(path: Path) -> bool:
    """True once the writer has closed the file: its header sizes match its length."""
    try:
        layout = layout_of(path)
        size = path.stat().st_size
    except (OSError, WavError):
        return False
    return layout.riff_bytes == size - 8 and layout.data_offset + layout.data_bytes == size


def header(rate_hz: int, channels: int, data_bytes: int = 0) -> bytes:
    """A 44-byte header of 16-bit PCM, as pjmedia and Python's wave module write it."""
    block_align = 2 * channels
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        _PCM,
        channels,
        rate_hz,
        rate_hz * block_align,
        block_align,
        16,
        b"data",
        data_bytes,
    )


def repair(path: Path, rate_hz: int, channels: int = 1) -> float:
    """Make a file a cut left open playable; returns its duration in seconds.

    The sizes in the header are set from the file's length, after dropping a
    torn last frame (a write the cut broke off). A file whose header itself is
    torn holds no audio worth keeping: it becomes a valid empty file of the
    format given. The result is synced to the disk.
    """
    with path.open("r+b") as wav:
        size = os.fstat(wav.fileno()).st_size
        try:
            layout = parse(wav.read(_HEADER_SCAN_BYTES))
        except WavError:
            layout = None
        if layout is None or size < layout.data_offset:
            wav.seek(0)
            wav.truncate(0)
            wav.write(header(rate_hz, channels))
            data_bytes = 0
        else:
            frame = layout.frame_bytes or layout.block_align
            data_bytes = (size - layout.data_offset) // frame * frame
            wav.truncate(layout.data_offset + data_bytes)
            wav.seek(4)
            wav.write(struct.pack("<I", layout.data_offset - 8 + data_bytes))
            wav.seek(layout.data_offset - 4)
            wav.write(struct.pack("<I", data_bytes))
        wav.flush()
        os.fsync(wav.fileno())
    return 0.0 if layout is None else layout.seconds(data_bytes)
