"""Per-line settings of the analog ports: whose phone an FXS port feeds, how an FXO line
is answered, dialled and watched for the far end hanging up."""

from dataclasses import dataclass

from pbx import PbxError
from pbx.extensions import check_number
from pbx.trunks import check_name, parse_destination

SUPERVISION_METHODS = ("battery", "polarity", "busy", "silence")
OUTBOUND_ANSWER = ("immediate", "polarity")


def _positive(problems: dict[str, str], key: str, value: float) -> None:
    if value <= 0:
        problems[key] = f"must be above 0; got {value}"


@dataclass(frozen=True)
class FxsSettings:
    """An FXS port: the extension whose phone it feeds (its calls are that extension's,
    and calls to the extension ring it), its timers, and whether a second call waits
    (the call-waiting tone) while the phone is in a call, or is refused as busy."""

    extension: str = ""
    interdigit_timeout_s: float = 4.0  # a number that could go on is dialled after this
    off_hook_timeout_s: float = 20.0  # off-hook without dialling, or after a call: howler
    call_waiting: bool = True

    def problems(self) -> dict[str, str]:
        """What is wrong, by setting name (empty: nothing)."""
        problems: dict[str, str] = {}
        if self.extension:
            try:
                check_number(self.extension)
            except PbxError as err:
                problems["extension"] = str(err)
        _positive(problems, "interdigit_timeout_s", self.interdigit_timeout_s)
        _positive(problems, "off_hook_timeout_s", self.off_hook_timeout_s)
        return problems


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

    def problems(self) -> dict[str, str]:
        """What is wrong, by setting name (empty: nothing)."""
        problems: dict[str, str] = {}
        for key, check in (("destination", parse_destination), ("group", _group)):
            value = getattr(self, key)
            try:
                if value:
                    check(value)
            except PbxError as err:
                problems[key] = str(err)
        if not 1 <= self.answer_ring <= 20:
            problems["answer_ring"] = f"must be between 1 and 20; got {self.answer_ring}"
        if not 0 <= self.dial_delay_ms <= 10_000:
            problems["dial_delay_ms"] = f"must be between 0 and 10000; got {self.dial_delay_ms}"
        if self.outbound_answer not in OUTBOUND_ANSWER:
            problems["outbound_answer"] = f"must be one of {', '.join(OUTBOUND_ANSWER)}"
        unknown = set(self.supervision) - set(SUPERVISION_METHODS)
        if unknown:
            problems["supervision"] = f"methods are {', '.join(SUPERVISION_METHODS)}"
        _positive(problems, "dial_tone_timeout_s", self.dial_tone_timeout_s)
        _positive(problems, "silence_timeout_s", self.silence_timeout_s)
        return problems


def _group(name: str) -> str:
    return check_name("line group", name)
