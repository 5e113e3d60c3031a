"""Helpers for the DSP tests: run a detector over a signal, add noise, measure tones."""

import itertools

import numpy as np

from board.dsp.level import power_of_dbm0
from board.dsp.pcm import SAMPLE_RATE_HZ, split_frames


def run(detector, samples: np.ndarray, chunk_samples: int = 160) -> list:
    """Everything `detector.feed` returns over `samples`, fed in chunks."""
    found = []
    for chunk in split_frames(np.asarray(samples), chunk_samples):
        found += detector.feed(chunk)
    return found


def noise(rng: np.random.Generator, sample_count: int, level_dbm0: float) -> np.ndarray:
    """White Gaussian noise whose power is that of a sine at `level_dbm0`."""
    return rng.normal(0.0, np.sqrt(power_of_dbm0(level_dbm0)), sample_count)


def with_noise(
    rng: np.random.Generator, signal: np.ndarray, snr_db: float, pad_samples: int = 400
) -> np.ndarray:
    """`signal` after `pad_samples` of quiet, in white noise `snr_db` below its mean power.

    The signal's power is measured where it is not silent, so the pauses of a
    cadence or between digits do not make the noise weaker.
    """
    signal = np.asarray(signal, dtype=np.float64)
    active = signal[np.abs(signal) > 1e-9]
    noise_power = np.mean(active**2) / 10 ** (snr_db / 10)
    padded = np.concatenate((np.zeros(pad_samples), signal, np.zeros(pad_samples)))
    return padded + rng.normal(0.0, np.sqrt(noise_power), len(padded))


def peak_freqs_hz(samples: np.ndarray, count: int) -> list[float]:
    """The `count` strongest spectral peaks, to a fraction of a hertz (zero-padded FFT)."""
    samples = np.asarray(samples, dtype=np.float64)
    size = 8 * SAMPLE_RATE_HZ  # 0.125 Hz bins
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), size))
    peaks = np.flatnonzero((spectrum[1:-1] > spectrum[:-2]) & (spectrum[1:-1] >= spectrum[2:])) + 1
    strongest = peaks[np.argsort(spectrum[peaks])[-count:]]
    return sorted(float(i) * SAMPLE_RATE_HZ / size for i in strongest)


def on_off_runs_ms(samples: np.ndarray) -> list[tuple[bool, float]]:
    """(on, duration_ms) runs of a rendered tone, at 1 ms resolution."""
    blocks = np.asarray(samples, dtype=np.float64)[: len(samples) // 8 * 8].reshape(-1, 8)
    on = np.abs(blocks).max(axis=1) > 0
    edges = np.flatnonzero(np.diff(on.astype(int))) + 1
    bounds = np.concatenate(([0], edges, [len(on)]))
    return [(bool(on[a]), float(b - a)) for a, b in itertools.pairwise(bounds)]
