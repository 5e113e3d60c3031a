"""The two-channel file: the caller's and the answering side's recordings side by side.

The bridge mixes in mono, so the engine records each side to a mono file of its
own (started on the same bridge tick) and this module interleaves the two once
they are closed. Interleaving identical 16-bit PCM needs no resampling or
mixing, only moving samples, which `array` slice assignment does in C: no
external tool, no child process per call, and a cut during the merge leaves
the two side files to merge again at start-up.
"""

import os
import wave
from array import array
from pathlib import Path

from pbx.recording.wav_file import WavError, layout_of

_CHUNK_BYTES = 160_000  # 10 s of one side at 8 kHz


def _interleave(left: bytes, right: bytes) -> bytes:
    samples = array("h", bytes(2 * len(left)))
    samples[0::2] = array("h", left)
    samples[1::2] = array("h", right)
    return samples.tobytes()


def merge(left: Path, right: Path, out: Path) -> float:
    """Write `out`: `left` in channel 1, `right` in channel 2; returns its duration in s.

    Both inputs must be closed or repaired 16-bit mono files of one rate; the
    shorter is padded with silence. `out` appears whole or not at all.
    """
    left_layout, right_layout = layout_of(left), layout_of(right)
    if left_layout.rate_hz != right_layout.rate_hz or {
        left_layout.block_align,
        right_layout.block_align,
    } != {2}:
        raise WavError(f"{left.name} and {right.name} are not 16-bit mono of one rate")
    total = max(left_layout.data_bytes, right_layout.data_bytes)
    partial = out.with_name(out.name + ".part")
    with left.open("rb") as a, right.open("rb") as b, wave.open(str(partial), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(left_layout.rate_hz)
        a.seek(left_layout.data_offset)
        b.seek(right_layout.data_offset)
        done = 0
        while done < total:
            size = min(_CHUNK_BYTES, total - done)
            w.writeframes(
                _interleave(a.read(size).ljust(size, b"\0"), b.read(size).ljust(size, b"\0"))
            )
            done += size
    with partial.open("rb+") as synced:
        os.fsync(synced.fileno())
    os.replace(partial, out)
    return total / (2 * left_layout.rate_hz)
