"""Which of a few known tones a recording holds, in the order heard (prompts made of tones)."""

import math
import struct
import wave
from pathlib import Path

from tests.tones import read_wav, rms_dbfs, tone_level_db


def write_tone(path: Path, hz: float, seconds: float, rate_hz: int = 8000, dbfs: float = -12.0):
    """A mono 16-bit sine WAV (a prompt whose arrival a test can hear)."""
    count = round(seconds * rate_hz)
    peak = 32767 * 10 ** (dbfs / 20)
    frames = struct.pack(
        f"<{count}h",
        *(round(peak * math.sin(2 * math.pi * hz * n / rate_hz)) for n in range(count)),
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate_hz)
        out.writeframes(frames)
    return path


def tone_track(path: Path, tones: list[float], window_s: float = 0.1) -> list[float]:
    """The tones of `tones` heard in the recording, in order, each run counted once.

    Each window is given the known tone that dominates it (silence and anything
    else count as nothing); runs shorter than two windows are ignored, so the
    edges of a prompt cannot add a tone that was not played. The same tone twice
    with silence between is two runs.
    """
    samples, rate = read_wav(str(path))
    size = round(window_s * rate)
    labels: list[float | None] = []
    for start in range(0, len(samples) - size + 1, size):
        window = samples[start : start + size]
        best = None
        if rms_dbfs(window) > -45:
            levels = {hz: tone_level_db(window, rate, hz) for hz in tones}
            hz, level = max(levels.items(), key=lambda item: item[1])
            best = hz if level > -3 else None
        labels.append(best)
    runs: list[list] = []  # [label, windows], consecutive equal labels together
    for label in labels:
        if runs and runs[-1][0] == label:
            runs[-1][1] += 1
        else:
            runs.append([label, 1])
    steady: list = []  # runs of two windows or more, neighbours of one label merged
    for label, count in runs:
        if count >= 2 and (not steady or steady[-1] != label):
            steady.append(label)
    return [label for label in steady if label is not None]
