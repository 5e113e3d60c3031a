"""The bench serial protocol's words: reply fields, errors and events, as both ends write them.

docs/bench-protocol.md is the specification; this module is what the emulator's bench
channel and the host's client share of it.
"""

import shlex
from dataclasses import dataclass

from board import BoardError
from board.dsp.caller_id import PRIVATE, UNAVAILABLE, CallerId

PROTOCOL_VERSION = 1
MAX_LINE_CHARS = 200
SIDES = ("fxs", "fxo")
WITHHELD = {"private": PRIVATE, "unavailable": UNAVAILABLE}  # how a withheld number is written


class BenchError(BoardError):
    """A command the bench refused: `code` is the protocol's error code, `message` says why."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def line(self) -> str:
        """The reply line that carries this error."""
        return f"error {self.code} {self.message}"


def quote(text: str) -> str:
    """A value as the protocol writes it: bare if it is one word, else in double quotes."""
    if text and all(c.isalnum() or c in "+-.#*_:/" for c in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def word(value: object) -> str:
    """A field's value: yes/no for booleans, none for None, numbers without needless digits."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:.1f}"
    return quote(str(value))


def fields(**values: object) -> str:
    """`key=value` pairs for a reply; keys are written with hyphens (rings_before: rings-before)."""
    return " ".join(f"{key.replace('_', '-')}={word(value)}" for key, value in values.items())


def parse_fields(text: str) -> dict[str, str]:
    """The `key=value` pairs of a reply (quoted values unquoted); bare words map to ""."""
    pairs = {}
    for item in shlex.split(text):
        key, _, value = item.partition("=")
        pairs[key] = value
    return pairs


@dataclass(frozen=True)
class BenchEvent:
    """An `event` line: the port it is about (side and number), what happened, its words."""

    side: str
    number: int
    kind: str
    args: tuple[str, ...] = ()


def parse_event(line: str) -> BenchEvent:
    """`event fxs 1 cid 5551234 "Pat Caller"` as a BenchEvent."""
    words = shlex.split(line)
    if len(words) < 4 or words[0] != "event" or words[1] not in SIDES or not words[2].isdigit():
        raise ValueError(f"not an event line: {line!r}")
    return BenchEvent(words[1], int(words[2]), words[3], tuple(words[4:]))


def caller_number(caller: CallerId) -> str | None:
    """A caller's number as the protocol writes it: the digits, `private` or `unavailable`."""
    if caller.number is not None:
        return caller.number
    return next((word for word, code in WITHHELD.items() if code == caller.number_absence), None)


def describe_caller(caller: CallerId) -> str:
    """A caller in an event line: the number (or why it is withheld), then the quoted name."""
    number = caller_number(caller) or "unknown"
    return f"{number} {quote(caller.name)}" if caller.name else number
