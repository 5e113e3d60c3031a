"""Audio the box is given (uploads, speech) made into the engine's WAV format at one loudness.

sox decodes and resamples; the loudness is measured and set here, peaks above
-6 dBFS rounded off by a soft limiter so that none goes past -1 dBFS. sox runs
with an argument list, never a shell, on files the box names itself: nothing a
user sends becomes a path.
"""

import asyncio
import contextlib
import logging
import math
import os
import re
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pbx import PbxError
from pbx.audio_integrity import problem

logger = logging.getLogger(__name__)

ENGINE_RATES_HZ = (8000, 16000)
TARGET_LEVEL_DBFS = -18.0  # gated RMS level: Debian's recorded prompts speak at about this
PEAK_CEILING_DBFS = -1.0  # the limiter keeps every peak under this
LIMITER_KNEE_DBFS = -6.0  # and leaves everything under this untouched
MAX_GAIN_DB = 40.0  # a near-silent upload is not amplified into hiss
MAX_UPLOAD_BYTES = 16 * 1024 * 1024
MAX_DURATION_S = 30 * 60
MIN_DURATION_S = 0.1
SOX_TIMEOUT_S = 120.0
_BLOCK_S = 0.1  # loudness is measured over blocks of this length
_ABSOLUTE_GATE_DBFS = -60.0  # blocks quieter than this are silence
_RELATIVE_GATE_DB = 15.0  # and blocks this far under the mean are pauses
# (magic bytes at offset 0, more at offset 8, sox's name for it, what people call it)
_SIGNATURES = (
    (b"RIFF", b"WAVE", "wav", "WAV"),
    (b"OggS", b"", "ogg", "Ogg Vorbis"),
    (b"fLaC", b"", "flac", "FLAC"),
    (b"ID3", b"", "mp3", "MP3"),
    (b"FORM", b"AIF", "aiff", "AIFF"),
    (b".snd", b"", "au", "AU"),
)
SUPPORTED = "WAV, MP3, Ogg Vorbis, FLAC, AIFF or AU"


class AudioError(PbxError):
    """Audio cannot be used; the text tells the person who sent it why."""


@dataclass(frozen=True)
class AudioInfo:
    """What a converted file holds."""

    duration_s: float
    level_dbfs: float  # gated RMS level after normalisation


def sniff(data: bytes) -> tuple[str, str] | None:
    """(sox type, name) of an audio file, from its first bytes; None if unknown."""
    for magic, more, kind, name in _SIGNATURES:
        if data.startswith(magic) and data[8:].startswith(more):
            return kind, name
    # An MP3 without an ID3 tag starts with a frame: 11 sync bits, MPEG-1/2 layer III.
    if len(data) > 2 and data[0] == 0xFF and data[1] & 0xE6 == 0xE2:
        return "mp3", "MP3"
    return None


def gated_level_dbfs(samples: np.ndarray, rate_hz: int) -> float:
    """The level of what is heard, in dBFS: the RMS of 100 ms blocks that are neither
    silence nor pauses (a simple cousin of the gating in ITU-R BS.1770), so a prompt
    with long pauses is not made louder than one without. -inf for silence."""
    size = max(1, int(rate_hz * _BLOCK_S))
    count = max(1, len(samples) // size)
    blocks = np.resize(samples.astype(np.float64) / 32768.0, count * size).reshape(count, size)
    power = np.mean(blocks**2, axis=1)
    loud = power[power > 10 ** (_ABSOLUTE_GATE_DBFS / 10)]
    if not loud.size:
        return -math.inf
    heard = loud[loud > np.mean(loud) * 10 ** (-_RELATIVE_GATE_DB / 10)]
    return 10 * math.log10(float(np.mean(heard)))


def read_samples(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit mono WAV file's samples and rate."""
    with wave.open(str(path), "rb") as audio:
        if audio.getsampwidth() != 2 or audio.getnchannels() != 1:
            raise AudioError("expected 16-bit mono audio")
        return np.frombuffer(audio.readframes(audio.getnframes()), "<i2"), audio.getframerate()


class Transcoder:
    """Converts audio to 16-bit mono WAV at the engine's rate, normalised to one loudness.

    Conversions run one at a time and at low priority: an upload must never take
    the CPU the calls need.
    """

    def __init__(self, rate_hz: int, work_dir: Path) -> None:
        if rate_hz not in ENGINE_RATES_HZ:
            raise ValueError(f"engine files are 8 or 16 kHz, not {rate_hz}")
        self.rate_hz = rate_hz
        self._work_dir = work_dir
        self._one_at_a_time = asyncio.Lock()

    async def convert(self, data: bytes, destination: Path) -> AudioInfo:
        """Write `data` (any supported format) to `destination` in the engine's format.

        AudioError, with a reason for the uploader, if it is not audio, is damaged,
        silent, too short or too long; `destination` is then left as it was.
        """
        if len(data) > MAX_UPLOAD_BYTES:
            raise AudioError(f"the file is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB")
        if not data:
            raise AudioError("the file is empty")
        found = sniff(data)
        if found is None:
            raise AudioError(f"not an audio file the box reads ({SUPPORTED})")
        kind, name = found
        if wrong := problem(kind, data):
            raise AudioError(f"the {name} file cannot be read: it {wrong}")
        self._work_dir.mkdir(parents=True, exist_ok=True)
        async with self._one_at_a_time:
            with tempfile.TemporaryDirectory(dir=self._work_dir) as scratch:
                work = Path(scratch)
                source, decoded, done = work / f"in.{kind}", work / "decoded.wav", work / "out.wav"
                source.write_bytes(data)
                await self._sox(name, "-t", kind, source, *self._format(), decoded)
                info = await asyncio.to_thread(_normalise, decoded, done)
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(done, destination)
        return info

    def _format(self) -> tuple[str, ...]:
        return ("-r", str(self.rate_hz), "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "wav")

    async def _sox(self, name: str, *args: object) -> None:
        command = ["nice", "-n", "10", "sox", "-V1", *(str(a) for a in args)]
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, errors = await asyncio.wait_for(process.communicate(), SOX_TIMEOUT_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise AudioError("converting the audio took too long") from None
        # sox reads what it can of some damaged files (a cut FLAC) and says FAIL, yet exits 0.
        if process.returncode or b"FAIL" in errors:
            reason = _sox_reason(errors.decode(errors="replace"))
            logger.info("sox refused an upload: %s", reason)
            raise AudioError(f"the {name} file cannot be read: {reason}")


def _sox_reason(text: str) -> str:
    """sox's complaint without its own words for itself or the box's file names."""
    lines = [line for line in text.splitlines() if line.strip()]
    reason = re.sub(r" ?`[^']*'", "", lines[-1] if lines else "")
    for prefix in ("sox FAIL ", "sox: ", "formats: "):
        reason = reason.removeprefix(prefix)
    return reason.strip().rstrip(":") or "it is damaged"


def limited(samples: np.ndarray, gain_db: float) -> np.ndarray:
    """`samples` (int16) amplified by `gain_db`, the peaks past the knee rounded off
    (tanh: smooth at the knee, never past the ceiling), as float in -1..1."""
    x = samples.astype(np.float64) / 32768 * 10 ** (gain_db / 20)
    knee, ceiling = 10 ** (LIMITER_KNEE_DBFS / 20), 10 ** (PEAK_CEILING_DBFS / 20)
    over = np.abs(x) > knee
    room = ceiling - knee
    x[over] = np.sign(x[over]) * (knee + room * np.tanh((np.abs(x[over]) - knee) / room))
    return x


def _normalise(decoded: Path, done: Path) -> AudioInfo:
    """Write `decoded` to `done` at TARGET_LEVEL_DBFS; AudioError if it is unfit."""
    samples, rate = read_samples(decoded)
    duration_s = len(samples) / rate
    if duration_s < MIN_DURATION_S:
        raise AudioError("the audio is too short to be a prompt or music")
    if duration_s > MAX_DURATION_S:
        raise AudioError(f"the audio is over {MAX_DURATION_S // 60} minutes long")
    level = gated_level_dbfs(samples, rate)
    if level == -math.inf:
        raise AudioError("the audio is silent")
    # The limiter takes a little off loud material: correct for it, a few times over.
    gain_db = min(TARGET_LEVEL_DBFS - level, MAX_GAIN_DB)
    for _ in range(4):
        out = limited(samples, gain_db)
        level = gated_level_dbfs(np.round(out * 32767), rate)
        if abs(TARGET_LEVEL_DBFS - level) < 0.1 or gain_db >= MAX_GAIN_DB:
            break
        gain_db = min(gain_db + TARGET_LEVEL_DBFS - level, MAX_GAIN_DB)
    with wave.open(str(done), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(np.round(out * 32767).astype("<i2").tobytes())
    return AudioInfo(round(duration_s, 3), round(level, 2))
