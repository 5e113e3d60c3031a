"""Steady-tone recognition: a continuous tone (dial tone) present for long enough."""

from board.dsp.country import Country
from board.dsp.level import power_of_dbm0
from board.dsp.pcm import SAMPLE_RATE_HZ, Frame, to_samples
from board.dsp.tone_bank import ToneBank, window_power
from board.dsp.tones import Tone
from board.dsp.window_stream import WindowStream

# 80 ms windows every 20 ms: with the Hann taper a tone's main lobe is 25 Hz wide, so a
# 425 Hz dial tone stays out of a 350+440 one's filters and 413+438 Hz come apart.
_WINDOW_SAMPLES = 640
_HOP_SAMPLES = 160
_HOP_MS = _HOP_SAMPLES * 1000 / SAMPLE_RATE_HZ


class SteadyToneDetector:
    """Says when `tone`'s frequencies have sounded without a break for `min_ms`.

    A window counts when each frequency reaches `min_level_dbm0`, none is more than
    `max_twist_db` below the strongest, and together they carry `min_tone_fraction`
    of the window's power, so speech and other countries' tones do not; any window
    that does not count starts the wait again.
    """

    def __init__(
        self,
        tone: Tone,
        *,
        min_ms: float = 300.0,
        min_level_dbm0: float = -40.0,
        max_twist_db: float = 10.0,
        min_tone_fraction: float = 0.6,
    ) -> None:
        self._bank = ToneBank(tone.freqs_hz, _WINDOW_SAMPLES, taper=True)
        self._stream = WindowStream(_WINDOW_SAMPLES, _HOP_SAMPLES)
        self._min_windows = max(1, round(min_ms / _HOP_MS))
        self._min_power = power_of_dbm0(min_level_dbm0)
        self._max_twist = 10 ** (max_twist_db / 10)
        self._min_fraction = min_tone_fraction
        self._run = 0

    def feed(self, frame: Frame) -> bool:
        """True once the tone has lasted `min_ms` (and for as long as it goes on)."""
        windows, _ = self._stream.push(to_samples(frame))
        if len(windows):
            power = self._bank.sine_power(self._bank.measure(windows))
            weakest, strongest = power.min(axis=1), power.max(axis=1)
            present = (
                (weakest >= self._min_power)
                & (strongest <= weakest * self._max_twist)
                & (power.sum(axis=1) >= self._min_fraction * window_power(windows))
            )
            for window_present in present:
                self._run = self._run + 1 if window_present else 0
        return self._run >= self._min_windows


def dial_tone_detector(country: Country) -> SteadyToneDetector:
    """Recognises `country`'s dial tone: present for longer than any other of its tones on
    the same frequencies stays on (ringback or busy), and 300 ms at least."""
    dial = country.tones["dial"]
    others_on_ms = [
        max(tone.cadence_ms[::2])
        for kind, tone in country.tones.items()
        if kind != "dial" and tone.cadence_ms and set(tone.freqs_hz) == set(dial.freqs_hz)
    ]
    return SteadyToneDetector(dial, min_ms=max([300.0, *(ms + 100.0 for ms in others_on_ms)]))
