"""16-bit linear PCM at 8 kHz: frames in, sample arrays out, and back."""

import numpy as np

SAMPLE_RATE_HZ = 8000
FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE_HZ * FRAME_MS // 1000  # 160

# What the detectors accept: raw little-endian bytes (as the PCM bus and pjsua2
# media ports carry them) or any array of samples.
Frame = bytes | bytearray | memoryview | np.ndarray


def to_samples(frame: Frame) -> np.ndarray:
    """Samples of a frame as float64, in 16-bit units (full scale 32767)."""
    if isinstance(frame, bytes | bytearray | memoryview):
        return np.frombuffer(frame, dtype="<i2").astype(np.float64)
    return np.asarray(frame, dtype=np.float64)


def to_pcm(samples: np.ndarray) -> np.ndarray:
    """Samples rounded and clipped to int16, as a codec would."""
    return np.clip(np.rint(samples), -32768, 32767).astype(np.int16)


def to_bytes(samples: np.ndarray) -> bytes:
    """Little-endian 16-bit PCM bytes of `samples`."""
    return to_pcm(samples).astype("<i2").tobytes()


def samples_of_ms(duration_ms: float) -> int:
    """Number of samples in `duration_ms` at 8 kHz."""
    return round(duration_ms * SAMPLE_RATE_HZ / 1000)


def split_frames(samples: np.ndarray, frame_samples: int = FRAME_SAMPLES) -> list[np.ndarray]:
    """`samples` cut into frames of `frame_samples`; the last one may be shorter."""
    return [samples[i : i + frame_samples] for i in range(0, len(samples), frame_samples)]
