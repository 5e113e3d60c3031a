"""A far end's ear: names the country's call-progress tones, measures what sounds, hears DTMF."""

from collections import deque
from dataclasses import dataclass

import numpy as np

from board.dsp.busy_cadence import CadenceDetector
from board.dsp.country import Country
from board.dsp.dtmf import DtmfDetector
from board.dsp.level import dbm0_of_power, power_of_dbm0
from board.dsp.pcm import FRAME_MS, FRAME_SAMPLES
from board.dsp.tone_bank import ToneBank

_MIN_LEVEL_DBM0 = -40.0  # quieter than this is not a tone anyone is meant to hear
_MIN_TONE_FRACTION = 0.6  # the tone's frequencies carry this much of a frame's power
_SPECTRUM_SAMPLES = 1024  # the last 128 ms: what "sounding now" means
_SPECTRUM_PADDED = 8192  # about 1 Hz per bin
_PEAK_FLOOR_DB = 20.0  # peaks this far below the strongest are window sidelobes
_PEAK_MERGE_HZ = 50.0  # a tone cut by its cadence spreads; one tone, one peak
_LONG_PERIOD_MS = 3000
_HEARD_KEPT = 100
_CONTINUOUS_MIN_MS = 400.0


@dataclass(frozen=True)
class ToneHeard:
    """A call-progress tone recognised: `kind` as countries.toml names it, and since when."""

    kind: str
    at_s: float


@dataclass(frozen=True)
class Hearing:
    """What a far end hears on its line now.

    `tone` is the country's tone recognised and still sounding (its silences included),
    `freqs_hz` the frequencies sounding over the last 128 ms, strongest first, and
    `level_dbm0` their level (-inf for silence). `digits` are the DTMF digits heard
    since the ear was last cleared.
    """

    tone: str | None
    freqs_hz: tuple[int, ...]
    level_dbm0: float
    digits: str

    def has(self, freq_hz: float, tolerance_hz: float = 10.0) -> bool:
        """Whether a tone of `freq_hz` is sounding."""
        return any(abs(f - freq_hz) <= tolerance_hz for f in self.freqs_hz)


class Ear:
    """Listens to a line one 20 ms frame at a time.

    Continuous tones (dial tone) are named once present for longer than any cadenced
    tone of the same frequencies stays on (at least 400 ms), dated from their onset;
    cadenced ones (busy, ringback, congestion, call waiting) by the board's cadence
    detector after two whole cycles, or one for tones slower than 3 s a cycle (ringback,
    call waiting). DTMF goes through the board's DTMF receiver.
    """

    def __init__(self, country: Country):
        self.country = country
        tones = country.tones
        cadenced = {kind: tone for kind, tone in tones.items() if tone.cadence_ms}
        # Busy and congestion repeat within a second or two and are named after two
        # cycles; ringback and call waiting take 4-10 s a cycle, so one must do.
        self._cadences = [
            CadenceDetector(
                {k: t for k, t in cadenced.items() if (t.period_ms > _LONG_PERIOD_MS) == long},
                cycles=1 if long else 2,
                min_level_dbm0=_MIN_LEVEL_DBM0,
            )
            for long in (False, True)
        ]
        self._banks = {kind: ToneBank(tone.freqs_hz, FRAME_SAMPLES) for kind, tone in tones.items()}
        self._confirm_s = {kind: self._continuous_confirm_s(kind) for kind in tones}
        self._gap_s = {
            kind: (max(tone.cadence_ms[1::2], default=0) + 150) / 1000
            for kind, tone in tones.items()
        }
        self._dtmf = DtmfDetector()
        self._recent = np.zeros(_SPECTRUM_SAMPLES)
        self._min_power = power_of_dbm0(_MIN_LEVEL_DBM0)
        self._present_since: dict[str, float | None] = dict.fromkeys(tones)
        self._last_present_s: dict[str, float] = {}
        self._named_onset: dict[str, float] = {}
        self._now_s = 0.0
        self.heard: deque[ToneHeard] = deque(maxlen=_HEARD_KEPT)
        self.digits = ""

    def _continuous_confirm_s(self, kind: str) -> float:
        freqs = self.country.tones[kind].freqs_hz
        lookalikes = [
            max(tone.cadence_ms[::2])
            for tone in self.country.tones.values()
            if tone.cadence_ms and tone.freqs_hz == freqs
        ]
        return max(_CONTINUOUS_MIN_MS, 1.1 * max(lookalikes, default=0)) / 1000

    def listen(self, frame: np.ndarray, end_s: float) -> None:
        """One frame of the line, ending at `end_s` on the clock."""
        self._now_s = end_s
        samples = frame.astype(np.float64)
        self._recent = np.concatenate((self._recent[len(samples) :], samples))
        self.digits += "".join(d.digit for d in self._dtmf.feed(samples))
        for cadence in self._cadences:
            self.heard += [ToneHeard(match.kind, end_s) for match in cadence.feed(samples)]
        windows = samples[None, :FRAME_SAMPLES] if len(samples) >= FRAME_SAMPLES else None
        for kind, bank in self._banks.items():
            present = windows is not None and bool(
                bank.presence(windows, self._min_power, _MIN_TONE_FRACTION)[0]
            )
            self._track_presence(kind, present, end_s)

    def _track_presence(self, kind: str, present: bool, end_s: float) -> None:
        if not present:
            self._present_since[kind] = None
            return
        self._last_present_s[kind] = end_s
        since = self._present_since[kind]
        if since is None:
            self._present_since[kind] = since = end_s - FRAME_MS / 1000
        continuous = not self.country.tones[kind].cadence_ms
        confirmed = end_s - since >= self._confirm_s[kind]
        if continuous and confirmed and self._named_onset.get(kind) != since:
            self._named_onset[kind] = since  # once per stretch of tone
            self.heard.append(ToneHeard(kind, since))

    def hearing(self) -> Hearing:
        """What sounds now."""
        freqs, level = self._spectrum()
        return Hearing(self._current_tone(), freqs, level, self.digits)

    def _current_tone(self) -> str | None:
        for heard in reversed(self.heard):
            last_s = self._last_present_s.get(heard.kind)
            if last_s is not None and self._now_s - last_s <= self._gap_s[heard.kind]:
                return heard.kind
        return None

    def _spectrum(self) -> tuple[tuple[int, ...], float]:
        power = float(np.mean(self._recent**2))
        if power < self._min_power:
            return (), dbm0_of_power(power)
        window = np.hanning(_SPECTRUM_SAMPLES)
        magnitude = np.abs(np.fft.rfft(self._recent * window, _SPECTRUM_PADDED))
        sine_power = 2 * (magnitude / window.sum()) ** 2
        peaks = np.flatnonzero(
            (sine_power[1:-1] > sine_power[:-2]) & (sine_power[1:-1] >= sine_power[2:])
        )
        peaks += 1
        floor = max(self._min_power, sine_power.max() / 10 ** (_PEAK_FLOOR_DB / 10))
        peaks = peaks[sine_power[peaks] >= floor]
        kept: list[float] = []
        for index in peaks[np.argsort(-sine_power[peaks])]:
            freq_hz = index * 8000 / _SPECTRUM_PADDED
            if all(abs(freq_hz - other) > _PEAK_MERGE_HZ for other in kept):
                kept.append(freq_hz)
        return tuple(round(f) for f in kept), dbm0_of_power(power)
