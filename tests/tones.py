"""Audio checks for recordings made by the test phone. Pure Python, no numpy."""

import math
import sys
import wave
from array import array

_SILENCE_DBFS = -50.0
_SAMPLE_TYPES = {1: "B", 2: "h", 4: "i"}  # WAV: 8-bit is unsigned, wider is signed


def read_wav(path: str) -> tuple[list[float], int]:
    """Mono samples scaled to -1..1 and the sample rate; of a stereo file, the first channel."""
    with wave.open(str(path), "rb") as wav:
        width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    if width not in _SAMPLE_TYPES:
        raise ValueError(f"{path}: {8 * width}-bit samples are not supported")
    if array(_SAMPLE_TYPES[width]).itemsize != width:
        raise ValueError(f"{path}: no native {8 * width}-bit integer type")
    values = array(_SAMPLE_TYPES[width], frames)
    if width > 1 and sys.byteorder == "big":
        values.byteswap()
    first_channel = values[::channels]
    if width == 1:
        return [(v - 128) / 128.0 for v in first_channel], rate
    scale = float(1 << (8 * width - 1))
    return [v / scale for v in first_channel], rate


def tone_level_db(samples: list[float], rate: int, hz: float) -> float:
    """Power at `hz` relative to the signal's total power, in dB (0 dB: a pure tone).

    Goertzel at exactly `hz` (not rounded to a DFT bin). For a sine of amplitude
    A over N samples |X|^2 is about (A*N/2)^2 and the energy A^2*N/2, hence the
    factor 2/N. Silence gives -inf.
    """
    count = len(samples)
    energy = math.fsum(x * x for x in samples)
    if count == 0 or energy == 0.0:
        return -math.inf
    omega = 2.0 * math.pi * hz / rate
    coeff = 2.0 * math.cos(omega)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    ratio = 2.0 * power / (count * energy)
    return 10.0 * math.log10(max(ratio, 1e-12))


def rms_dbfs(samples: list[float]) -> float:
    """RMS level relative to full scale; silence gives -inf."""
    if not samples:
        return -math.inf
    mean_square = math.fsum(x * x for x in samples) / len(samples)
    return 10.0 * math.log10(mean_square) if mean_square > 0 else -math.inf


def has_tone(path: str, hz: float, min_ratio_db: float = -6.0, skip_s: float = 0.3) -> bool:
    """True when the recording, after its first `skip_s` seconds, is mostly `hz` and not silent."""
    samples, rate = read_wav(path)
    samples = samples[round(skip_s * rate) :]
    if rms_dbfs(samples) <= _SILENCE_DBFS:
        return False
    return tone_level_db(samples, rate, hz) >= min_ratio_db
