"""Per-line settings of the analog ports: whose phone an FXS port feeds, how an FXO line
is answered, dialled and watched for the far end hanging up."""

from dataclasses import dataclass

SUPERVISION_METHODS = ("battery", "polarity", "busy", "silence")
OUTBOUND_ANSWER = ("immediate", "polarity")


@dataclass(frozen=True)
class FxsSettings:
    """An FXS port: the extension whose phone it feeds (its calls are that extension's,
    and calls to the extension ring it), and its timers."""

    extension: str = ""
    interdigit_timeout_s: float = 4.0  # a number that could go on is dialled after this
    off_hook_timeout_s: float = 20.0  # off-hook without dialling, or after a call: howler


@dataclass(frozen=True)
class FxoSettings:
    """An FXO port: a phone-company line.

    Calls in are answered on ring number `answer_ring` (1: at once; caller ID sent
    after the first ring needs 2) and go to `destination` ("ext:1001"); a line without
    one is not answered. Calls out come through outbound routes naming `group`: the
    line is seized, dial tone awaited (or `dial_delay_ms` waited), the number dialled
    as DTMF, and the call taken as answered when dialling ends (`outbound_answer`
    "immediate") or at the line's polarity reversal ("polarity"). The far end hanging
    up is recognised by the `supervision` methods: battery denial, polarity reversal,
    busy or congestion tone, and `silence_timeout_s` of silence.
    """

    destination: str = ""
    group: str = "fxo"
    answer_ring: int = 2
    dial_delay_ms: int = 0  # 0: wait for dial tone instead
    dial_tone_timeout_s: float = 3.0
    outbound_answer: str = "immediate"
    supervision: tuple[str, ...] = ("battery", "polarity", "busy")
    silence_timeout_s: float = 60.0
