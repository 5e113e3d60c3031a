"""How a phone company delivers caller ID on a ringing line: modem, moment, signals before it.

The moments follow hardware.md §3.1. countries.toml names each country's modem; where
in the ringing the exchange sends it is kept here, by delivery name, with the one
country whose exchanges are known to do otherwise (BT's SIN227 in the UK).
"""

from dataclasses import dataclass

import numpy as np

from board.dsp.caller_id import CallerId, encode_mdmf, encode_sdmf
from board.dsp.country import Country
from board.dsp.dtmf import DtmfGenerator
from board.dsp.dtmf_caller_id import encode_dtmf_caller_id
from board.dsp.fsk import FSK_STANDARDS
from board.dsp.fsk_caller_id import fsk_spill


@dataclass(frozen=True)
class CallerIdDelivery:
    """One way of sending caller ID.

    `modem` is "bell202", "v23" or "dtmf". Before the first ring, the exchange may
    reverse the idle line's polarity first and then play the alert tone; otherwise the
    data goes in the silence after the first ring. Times are in ms.
    """

    name: str
    modem: str
    before_first_ring: bool
    polarity_reversal: bool = False
    alert_tone: bool = False
    silence_before_ms: float = 600.0  # after the reversal, or after the first ring ends
    silence_after_alert_ms: float = 60.0
    silence_after_ms: float = 250.0  # from the end of the data to the first ring
    seizure_bits: int = 300
    mark_bits: int = 180


DELIVERIES = {
    delivery.name: delivery
    for delivery in (
        # Bellcore GR-30: 500 ms or more after the first ring, 200 ms or more before the second.
        CallerIdDelivery("bell202", "bell202", before_first_ring=False),
        # ETSI EN 300 659-1 allows several; this is its "after the first ring" option.
        CallerIdDelivery("v23", "v23", before_first_ring=False),
        # BT SIN227: reversal, >= 100 ms silence, 88-110 ms alert tone, >= 45 ms, then
        # 96-315 seizure bits and 55-90 marks; ringing >= 200 ms after the data.
        CallerIdDelivery(
            "v23-alert",
            "v23",
            before_first_ring=True,
            polarity_reversal=True,
            alert_tone=True,
            silence_before_ms=150.0,
            mark_bits=80,
        ),
        # DTMF CLIP: before the first ring, after a polarity reversal.
        CallerIdDelivery(
            "dtmf", "dtmf", before_first_ring=True, polarity_reversal=True, silence_before_ms=150.0
        ),
    )
}
_COUNTRY_DELIVERY = {"UK": "v23-alert"}
_UNKNOWN_METHOD_DELIVERY = "v23"  # where countries.toml says "auto": the commonest abroad


def default_delivery(country: Country) -> CallerIdDelivery:
    """How `country`'s exchanges send caller ID."""
    standard = country.caller_id.standard
    name = _COUNTRY_DELIVERY.get(country.code, standard)
    return DELIVERIES[_UNKNOWN_METHOD_DELIVERY if name == "auto" else name]


def caller_id_signal(
    delivery: CallerIdDelivery, caller: CallerId, country: Country, *, sdmf: bool = False
) -> np.ndarray:
    """The data part of a delivery (FSK spill or DTMF digits) as int16 PCM."""
    if delivery.modem == "dtmf":
        form = country.caller_id.dtmf_form or "A...C"
        digits = encode_dtmf_caller_id(caller, form)
        return DtmfGenerator(on_ms=60.0, off_ms=60.0).render(digits)
    message = encode_sdmf(caller) if sdmf else encode_mdmf(caller)
    return fsk_spill(
        message,
        FSK_STANDARDS[delivery.modem],
        seizure_bits=delivery.seizure_bits,
        mark_bits=delivery.mark_bits,
    )
