"""Caller ID on analog lines: the signal an FXS port sends its phone, the receivers an FXO
port listens with, both as the country's phone company does it (board/dsp/countries.toml)."""

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from board.dsp.alert_tone import alert_signal
from board.dsp.caller_id import PRIVATE, CallerId, encode_mdmf
from board.dsp.country import Country
from board.dsp.dtmf import DtmfGenerator
from board.dsp.dtmf_caller_id import DtmfCallerIdReceiver, encode_dtmf_caller_id
from board.dsp.fsk import FSK_STANDARDS, V23
from board.dsp.fsk_caller_id import FskCallerIdReceiver, fsk_spill
from board.dsp.pcm import Frame, samples_of_ms

ALERT_TO_DATA_MS = 60  # BT SIN227: data 45 ms or more after the alert tone
_DTMF = DtmfGenerator(on_ms=60.0, off_ms=60.0)  # ETSI DTMF caller ID: 50-70 ms each


@dataclass(frozen=True)
class CallerIdSignal:
    """What an FXS port plays to present a caller: `samples`, before the first ring (after
    a polarity reversal) if `before_ring`, else in the silence after the first ring."""

    samples: np.ndarray
    before_ring: bool


def caller_of(number: str, name: str, now: datetime | None = None) -> CallerId:
    """The caller ID to show for a caller; an empty or anonymous number is shown as private."""
    when = (now or datetime.now()).strftime("%m%d%H%M")
    if not number or number == "anonymous":
        return CallerId(date_time=when, number_absence=PRIVATE, name=name or None)
    return CallerId(number=number, name=name or None, date_time=when)


def caller_id_signal(country: Country, caller: CallerId) -> CallerIdSignal:
    """Caller ID for `country`'s phones. Where the method is unknown ("auto"), V.23 FSK
    after the first ring, the ETSI default."""
    method = country.caller_id
    if method.standard == "dtmf":
        digits = encode_dtmf_caller_id(caller, method.dtmf_form or "A...C")
        return CallerIdSignal(_DTMF.render(digits), method.before_ring)
    standard = FSK_STANDARDS.get(method.standard, V23)
    if method.alert_tone:
        spill = fsk_spill(encode_mdmf(caller), standard, mark_bits=80)
        gap = np.zeros(samples_of_ms(ALERT_TO_DATA_MS), dtype=np.int16)
        return CallerIdSignal(np.concatenate((alert_signal(), gap, spill)), method.before_ring)
    return CallerIdSignal(fsk_spill(encode_mdmf(caller), standard), method.before_ring)


class CallerIdListener:
    """Receives caller ID on an FXO line the way `country` sends it (every way if unknown)."""

    def __init__(self, country: Country) -> None:
        standard = country.caller_id.standard
        receivers: list[FskCallerIdReceiver | DtmfCallerIdReceiver] = []
        if standard in ("dtmf", "auto"):
            receivers.append(DtmfCallerIdReceiver())
        if standard == "auto":
            receivers += [FskCallerIdReceiver(s) for s in FSK_STANDARDS.values()]
        elif standard in FSK_STANDARDS:
            receivers.append(FskCallerIdReceiver(FSK_STANDARDS[standard]))
        self._receivers = receivers

    def feed(self, frame: Frame) -> list[CallerId]:
        """Caller IDs completed by this frame."""
        return [caller for receiver in self._receivers for caller in receiver.feed(frame)]
