"""Caller-ID FSK at 1200 bit/s, Bell 202 or V.23: modulator and streaming demodulator."""

import math
from dataclasses import dataclass

import numpy as np

from board.dsp.level import peak_of_dbm0, power_of_dbm0
from board.dsp.pcm import SAMPLE_RATE_HZ, Frame, to_samples


@dataclass(frozen=True)
class FskStandard:
    """An FSK modem's tones: mark is binary 1 (and the idle line), space binary 0."""

    name: str
    mark_hz: float
    space_hz: float
    baud: float = 1200.0

    @property
    def samples_per_bit(self) -> float:
        return SAMPLE_RATE_HZ / self.baud


BELL_202 = FskStandard("bell202", mark_hz=1200.0, space_hz=2200.0)
V23 = FskStandard("v23", mark_hz=1300.0, space_hz=2100.0)
# By the names countries.toml gives caller-ID methods.
FSK_STANDARDS = {standard.name: standard for standard in (BELL_202, V23)}


def uart_bits(data: bytes) -> list[int]:
    """8N1 framing, least significant bit first: start 0, eight data bits, stop 1."""
    bits = []
    for byte in data:
        bits.append(0)
        bits.extend((byte >> i) & 1 for i in range(8))
        bits.append(1)
    return bits


def modulate(
    bits: list[int], standard: FskStandard, level_dbm0: float, freq_scale: float = 1.0
) -> np.ndarray:
    """Phase-continuous FSK of `bits` as float samples.

    Bit edges fall on fractional sample times (1200 bit/s is 6.67 samples a bit), so
    the bit rate is exact over a message. `freq_scale` shifts both tones and the bit
    rate, as a sender with an off-frequency clock does.
    """
    samples_per_bit = standard.samples_per_bit / freq_scale
    count = int(np.ceil(len(bits) * samples_per_bit))
    bit_of_sample = np.minimum((np.arange(count) / samples_per_bit).astype(int), len(bits) - 1)
    tones = np.array([standard.space_hz, standard.mark_hz]) * freq_scale
    step = 2 * np.pi * tones[np.asarray(bits)[bit_of_sample]] / SAMPLE_RATE_HZ
    return peak_of_dbm0(level_dbm0) * np.sin(np.cumsum(step))


@dataclass(frozen=True)
class UartByte:
    """A byte received, and how many bit times of idle mark came before its start bit."""

    value: int
    idle_bits_before: float


class FskReceiver:
    """Streaming FSK demodulator and UART: `feed` frames, get the bytes received.

    Each sample is correlated with mark and space over a little less than a bit
    (`_CORRELATION_BITS`), which keeps a flat top in the middle of each bit for
    sampling; the sign of mark power minus space power is the bit. Level does not
    enter the decision, so the receiver works from `min_level_dbm0` up; below it
    (no carrier) nothing is decoded. Every byte's start bit re-times the UART, so
    a +/-1.5 % clock offset is harmless.
    """

    _CORRELATION_BITS = 0.9

    def __init__(self, standard: FskStandard, *, min_level_dbm0: float = -48.0) -> None:
        self.standard = standard
        self.min_power = power_of_dbm0(min_level_dbm0)
        self._span = round(standard.samples_per_bit * self._CORRELATION_BITS)
        self._omega = 2 * np.pi * np.array([standard.mark_hz, standard.space_hz]) / SAMPLE_RATE_HZ
        self._sample = 0  # stream index of the next sample fed
        self._turns = np.zeros((0, 2), dtype=complex)  # oscillator from phase 0, grown as needed
        self._tail = np.zeros((self._span - 1, 3), dtype=complex)  # mixer outputs not summed yet
        self._soft = np.zeros(0)  # >0 mark, <0 space, 0 no carrier; from stream index _base
        self._base = 0
        self._last_stop = -math.inf  # stream index where the last byte's stop bit ended

    def feed(self, frame: Frame) -> list[UartByte]:
        """Bytes whose stop bit arrived in the samples fed so far."""
        samples = to_samples(frame)
        self._soft = np.concatenate((self._soft, self._decisions(samples)))
        return self._uart()

    def _oscillator(self, count: int) -> np.ndarray:
        """exp(-j*omega*n) for the next `count` samples of the stream, mark and space."""
        if len(self._turns) < count:
            self._turns = np.exp(-1j * np.outer(np.arange(count), self._omega))
        start = np.exp(-1j * ((self._omega * self._sample) % (2 * np.pi)))
        self._sample += count
        return self._turns[:count] * start

    def _decisions(self, samples: np.ndarray) -> np.ndarray:
        """Soft bit per sample: (mark - space) / (mark + space) power, 0 without carrier."""
        mixed = np.empty((len(samples), 3), dtype=complex)
        mixed[:, :2] = samples[:, None] * self._oscillator(len(samples))
        mixed[:, 2] = samples**2
        chain = np.concatenate((self._tail, mixed))
        sums = np.cumsum(np.vstack((np.zeros((1, 3)), chain)), axis=0)
        window = sums[self._span :] - sums[: -self._span]
        self._tail = chain[len(chain) - (self._span - 1) :]
        mark, space = np.abs(window[:, 0]) ** 2, np.abs(window[:, 1]) ** 2
        carrier = window[:, 2].real / self._span >= self.min_power
        return np.where(carrier, (mark - space) / (mark + space + 1e-9), 0.0)

    def _uart(self) -> list[UartByte]:
        """Bytes framed in the soft decisions so far; keeps what may start another."""
        received = []
        bit = self.standard.samples_per_bit
        soft = self._soft
        edges = np.flatnonzero((soft[1:] < 0) & (soft[:-1] > 0)) + 1  # mark to space
        values = soft.tolist()  # a byte is a dozen lookups: plain floats beat numpy here
        position, keep_from = 0, max(len(soft), 1)
        for start in edges.tolist():
            if start < position:
                continue
            if start + 9.5 * bit + 2 >= len(values):
                keep_from = start  # the byte is not all here yet
                break
            value = self._frame(values, start)
            if value is None:  # a glitch, not a start bit
                continue
            stream_start = self._base + start
            received.append(UartByte(value, (stream_start - self._last_stop) / bit))
            self._last_stop = stream_start + 10 * bit
            position = int(start + 9.5 * bit)
        self._base += keep_from - 1
        self._soft = soft[keep_from - 1 :]
        return received

    def _frame(self, soft: list[float], start: int) -> int | None:
        """The byte whose start bit's edge is at `start`; None on a framing error."""
        bit = self.standard.samples_per_bit
        before, after = soft[start - 1], soft[start]
        edge = start - 1 + before / (before - after)  # where the decision crossed zero
        value = 0
        for index in range(10):
            centre = round(edge + (index + 0.5) * bit)
            if soft[centre] == 0:  # carrier lost
                return None
            # Three samples around each centre: a clock 1.5 % off drifts a sample a byte.
            mark = soft[centre - 1] + soft[centre] + soft[centre + 1] > 0
            if (index == 0 and mark) or (index == 9 and not mark):
                return None
            if 0 < index < 9:
                value |= mark << (index - 1)
        return value
