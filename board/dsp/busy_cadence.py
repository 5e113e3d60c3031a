"""Busy and congestion tone recognition by cadence, for FXO disconnect supervision."""

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from board.dsp.country import Country
from board.dsp.level import power_of_dbm0
from board.dsp.pcm import SAMPLE_RATE_HZ, Frame, to_samples
from board.dsp.tone_bank import ToneBank
from board.dsp.tones import Tone
from board.dsp.window_stream import WindowStream

_BLOCK_SAMPLES = 80  # 10 ms: the resolution of every on and off time measured
_BLOCK_MS = _BLOCK_SAMPLES * 1000 / SAMPLE_RATE_HZ


@dataclass(frozen=True)
class CadenceMatch:
    """A cadenced tone recognised (`kind` as given, e.g. "busy"), at `at_ms` into the stream."""

    kind: str
    at_ms: float


class _CadenceTracker:
    """On/off segments of one tone, and the test of the last few against its cadence."""

    def __init__(self, kind: str, tone: Tone, detector: "CadenceDetector") -> None:
        if not tone.cadence_ms:
            raise ValueError(f"{kind}: a continuous tone has no cadence to recognise")
        self.kind = kind
        self.pattern = tone.cadence_ms
        self.bank = ToneBank(tone.freqs_hz, _BLOCK_SAMPLES)
        self.detector = detector
        size = detector.cycles * len(self.pattern)
        self._segments: deque[tuple[bool, float]] = deque(maxlen=size)
        self._state: bool | None = None
        self._partial = True  # the first segment began before the stream did
        self._length = 0  # blocks in the current state
        self._contrary = 0  # blocks in a row that disagree with it

    def track(self, present: np.ndarray, first_block: int) -> list[CadenceMatch]:
        """Advance by one chunk of blocks (True where the tone is on)."""
        found = []
        for index, on in enumerate(present):
            if self._step(bool(on)) and self._matches():
                found.append(CadenceMatch(self.kind, (first_block + index + 1) * _BLOCK_MS))
                self._segments.clear()  # the next report needs as many new cycles
        return found

    def _step(self, on: bool) -> bool:
        """One block; True when it completed a segment."""
        if self._state is None:
            self._state = on
        if on == self._state:
            self._length += 1 + self._contrary  # a dropout shorter than the debounce
            self._contrary = 0
            return False
        self._contrary += 1
        if self._contrary < self.detector.debounce_blocks:
            return False
        # The change holds: the contrary blocks belong to the new segment.
        completed = (self._state, self._length * _BLOCK_MS)
        self._state, self._length, self._contrary = on, self._contrary, 0
        if self._partial:  # the stream began inside this one: its length means nothing
            self._partial = False
            return False
        self._segments.append(completed)
        return True

    def _matches(self) -> bool:
        """Whether the last segments are `cycles` whole cycles of the pattern."""
        if len(self._segments) < self._segments.maxlen:
            return False
        period = len(self.pattern)
        # On segments must meet on times: even offsets into the pattern when the
        # oldest segment is on, odd ones when it is off.
        offsets = range(0 if self._segments[0][0] else 1, period, 2)
        return any(
            all(
                self.detector.close(ms, self.pattern[(offset + i) % period])
                for i, (_, ms) in enumerate(self._segments)
            )
            for offset in offsets
        )


class CadenceDetector:
    """Recognises cadenced tones in a stream after `cycles` whole cycles of each.

    Each 10 ms block is "on" for a tone when its frequencies reach `min_level_dbm0`
    and carry `min_tone_fraction` of the block's power, so speech is "off". On and
    off times must each be within `tolerance` (relative) of the cadence, plus 20 ms
    for the 10 ms resolution at either end. A change of state counts after
    `debounce_blocks` blocks, so a click or a dropout does not split a segment.
    """

    def __init__(
        self,
        tones: Mapping[str, Tone],
        *,
        cycles: int = 3,
        tolerance: float = 0.10,
        min_level_dbm0: float = -45.0,
        min_tone_fraction: float = 0.6,
        debounce_blocks: int = 3,
    ) -> None:
        self.cycles = cycles
        self.tolerance = tolerance
        self.min_power = power_of_dbm0(min_level_dbm0)
        self.min_tone_fraction = min_tone_fraction
        self.debounce_blocks = debounce_blocks
        self._trackers = [_CadenceTracker(kind, tone, self) for kind, tone in tones.items()]
        self._stream = WindowStream(_BLOCK_SAMPLES, _BLOCK_SAMPLES)

    def close(self, measured_ms: float, nominal_ms: float) -> bool:
        """Whether a measured on or off time fits a nominal one."""
        return abs(measured_ms - nominal_ms) <= self.tolerance * nominal_ms + 2 * _BLOCK_MS

    def feed(self, frame: Frame) -> list[CadenceMatch]:
        """Tones recognised in the samples fed so far."""
        blocks, first_start = self._stream.push(to_samples(frame))
        if not len(blocks):
            return []
        found = []
        for tracker in self._trackers:
            present = tracker.bank.presence(blocks, self.min_power, self.min_tone_fraction)
            found += tracker.track(present, first_start // _BLOCK_SAMPLES)
        return found


def disconnect_detector(country: Country, cycles: int = 3) -> CadenceDetector:
    """Busy and congestion tone recognition for an FXO line in `country`."""
    kinds = ("busy", "congestion")
    return CadenceDetector({kind: country.tones[kind] for kind in kinds}, cycles=cycles)
