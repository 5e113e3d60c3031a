"""Alerting an analog phone: ringing with the country's cadence, caller ID at the right moment."""

from collections.abc import Callable

from board.dsp.pcm import SAMPLE_RATE_HZ
from board.hal import Clock, FxsPort, LineFeed, RingSignal, TimerHandle
from pbx.lines.audio import LineAudio
from pbx.lines.caller_id import CallerIdSignal

SILENCE_TO_DATA_S = 0.6  # Bellcore: data 500 ms or more after the first ring ends
REVERSAL_TO_DATA_S = 0.15  # BT SIN227: 100 ms or more of silence after the reversal
DATA_TO_RING_S = 0.25


class Alerting:
    """Rings one phone until stopped (answer, cancel), presenting the caller ID.

    After the first ring (Bellcore, and ETSI's usual option): the first ring (every
    burst of the cadence before its long silence), on-hook transmission, the data
    0.6 s into the silence, then ringing again on time. Before the first ring (BT,
    the DTMF countries): polarity reversal, 150 ms, the data, 250 ms, then ringing.
    The line stays in on-hook transmission throughout, so the data reaches the phone.
    """

    def __init__(self, port: FxsPort, clock: Clock, audio: LineAudio, signal: RingSignal) -> None:
        self._port = port
        self._clock = clock
        self._audio = audio
        self._signal = signal
        self._timer: TimerHandle | None = None
        self._reversed = False

    def start(self, caller_id: CallerIdSignal | None) -> None:
        """Start alerting, with `caller_id` if given."""
        if caller_id is None:
            self._port.start_ringing(self._signal)
            return
        self._port.set_feed(LineFeed.ON_HOOK_TRANSMISSION)
        data_s = len(caller_id.samples) / SAMPLE_RATE_HZ
        if caller_id.before_ring:
            self._reversed = True
            self._port.set_polarity(True)
            self._steps(
                (REVERSAL_TO_DATA_S, lambda: self._audio.play(caller_id.samples)),
                (data_s + DATA_TO_RING_S, self._ring),
            )
            return
        cadence_s = [ms / 1000 for ms in self._signal.cadence_ms] or [2.0, 4.0]
        self._port.start_ringing(self._signal)
        self._steps(
            (sum(cadence_s[:-1]), self._port.stop_ringing),
            (SILENCE_TO_DATA_S, lambda: self._audio.play(caller_id.samples)),
            (cadence_s[-1] - SILENCE_TO_DATA_S, self._ring),
        )

    def stop(self) -> None:
        """Stop ringing and the caller ID; the line goes back to normal polarity."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._port.stop_ringing()
        self._audio.stop_playing()
        if self._reversed:
            self._reversed = False
            self._port.set_polarity(False)

    def _ring(self) -> None:
        self._port.start_ringing(self._signal)

    def _steps(self, *steps: tuple[float, Callable[[], None]]) -> None:
        """Run each action `delay_s` after the one before."""
        if not steps:
            self._timer = None
            return
        (delay_s, action), rest = steps[0], steps[1:]

        def run() -> None:
            action()
            self._steps(*rest)

        self._timer = self._clock.call_later(delay_s, run)
