"""An analog phone's caller-ID display: the board's receivers for its country's method."""

from dataclasses import dataclass

import numpy as np

from board.dsp.alert_tone import AlertToneDetector
from board.dsp.caller_id import CallerId
from board.dsp.country import Country
from board.dsp.dtmf_caller_id import DtmfCallerIdReceiver
from board.dsp.fsk import FSK_STANDARDS
from board.dsp.fsk_caller_id import FskCallerIdReceiver

_METHODS = {"bell202": ("bell202",), "v23": ("v23",), "dtmf": ("dtmf",)}
_EVERY_METHOD = ("bell202", "v23", "dtmf")


@dataclass(frozen=True)
class CallerIdShown:
    """A caller ID the phone displayed.

    `method` is how it came ("bell202", "v23", "dtmf"); `rings_before` counts the ring
    bursts of this call before it (0: sent before the first ring); `alerted` says an
    alert tone (2130 + 2750 Hz) came first, as BT SIN227 sends it.
    """

    caller: CallerId
    method: str
    rings_before: int
    alerted: bool
    at_s: float


class CallerIdDisplay:
    """Decodes caller ID from the line while the phone is on-hook.

    A phone sold in a country decodes that country's method ("auto" countries: every
    method), with the board's own receivers, and notes the alert tone that may precede
    a spill.
    """

    def __init__(self, country: Country):
        self.methods = _METHODS.get(country.caller_id.standard, _EVERY_METHOD)
        self._receivers = {
            method: DtmfCallerIdReceiver()
            if method == "dtmf"
            else FskCallerIdReceiver(FSK_STANDARDS[method])
            for method in self.methods
        }
        self._alert = AlertToneDetector()
        self.alerted = False

    def listen(self, frame: np.ndarray) -> list[tuple[str, CallerId]]:
        """One frame of line audio; the caller IDs completed in it, with their method."""
        if self._alert.feed(frame):
            self.alerted = True
        return [
            (method, caller)
            for method, receiver in self._receivers.items()
            for caller in receiver.feed(frame)
        ]
