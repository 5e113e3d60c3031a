"""Dial patterns in the notation PBX admins know: _9NXXXXXX, _00., _[2-8]XX."""

import re
from dataclasses import dataclass, field

from pbx import PbxError

_CLASSES = {"X": "[0-9]", "Z": "[1-9]", "N": "[2-9]"}
_MAX_LENGTH = 40


class PatternError(PbxError):
    """A dial pattern is malformed; the text says where."""


def _translate(pattern: str, text: str) -> tuple[list[str], str]:
    """`pattern` (without its "_") as one regular expression per fixed position, and the
    expression of its final "." or "!" ("" if none); errors quote `text`."""
    parts, tail, i = [], "", 0
    while i < len(pattern):
        char = pattern[i]
        if char in _CLASSES:
            parts.append(_CLASSES[char])
        elif char.isdigit() or char in "*#":
            parts.append(re.escape(char))
        elif char == "+" and i == 0:
            parts.append(r"\+")
        elif char == "[":
            end = pattern.find("]", i)
            body = pattern[i + 1 : end] if end > i else ""
            if not body or not re.fullmatch(r"[0-9]([0-9-]*[0-9])?", body):
                raise PatternError(
                    f"dial pattern {text!r}: a [...] holds digits and ranges like [2-5]"
                )
            parts.append(f"[{body}]")
            i = end
        elif char in ".!" and i == len(pattern) - 1:
            tail = "[0-9*#]+" if char == "." else "[0-9*#]*"
        else:
            raise PatternError(
                f"dial pattern {text!r}: {char!r} at position {i + 1} is not a digit, "
                "X, Z, N, [..], or a final . or !"
            )
        i += 1
    return parts, tail


@dataclass(frozen=True)
class DialPattern:
    """One pattern: digits match themselves, X any digit, Z 1-9, N 2-9, [1-4] a set,
    and a final "." one or more further digits ("!" zero or more). A leading "_"
    is optional."""

    text: str
    _regex: re.Pattern = field(init=False, repr=False, compare=False)
    _positions: tuple[re.Pattern, ...] = field(init=False, repr=False, compare=False)
    _open_ended: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        body = self.text.removeprefix("_")
        if not body or len(body) > _MAX_LENGTH:
            raise PatternError(f"a dial pattern has 1 to {_MAX_LENGTH} characters: {self.text!r}")
        parts, tail = _translate(body.upper(), self.text)
        object.__setattr__(self, "_regex", re.compile("".join(parts) + tail))
        object.__setattr__(self, "_positions", tuple(re.compile(p) for p in parts))
        object.__setattr__(self, "_open_ended", bool(tail))

    def matches(self, number: str) -> bool:
        """Whether the whole of `number` fits the pattern."""
        return self._regex.fullmatch(number) is not None

    def could_extend(self, number: str) -> bool:
        """Whether `number` followed by more digits could fit the pattern (a phone that
        dials digit by digit asks this to know whether to wait for the next one)."""
        fixed = self._positions
        if len(number) >= len(fixed) and not self._open_ended:
            return False
        return all(p.fullmatch(c) for p, c in zip(fixed, number, strict=False))
