"""Caller ID sent as DTMF digits (ETSI EN 300 659 annex forms): encode, decode, receive.

Forms (hardware.md section 3.1):

- "A...C": `A<number>C`, withheld as `B00C` (unavailable) or `B10C` (private); a
  `D<redirecting number>` may follow the number (Saudi Arabia, the Nordics, ...);
- "D...C": `D<number>C` (Taiwan, Kuwait);
- "A...#": `A<number>#`, withheld as `D1#` (private), `D2#` or `D3#` (unavailable).
"""

import re

from board.dsp.caller_id import PRIVATE, UNAVAILABLE, CallerId, CallerIdError
from board.dsp.dtmf import DtmfDetector
from board.dsp.pcm import Frame

FORMS = ("A...C", "D...C", "A...#")
_INFO_CODES = {"00": UNAVAILABLE, "10": PRIVATE}
_HASH_ABSENCE = {"1": PRIVATE, "2": UNAVAILABLE, "3": UNAVAILABLE}
_A_C = re.compile(r"A(\d+)(?:D\d+)?(?:B\d\d)?")
_MAX_DIGITS = 40  # a start symbol and this many digits without an end is not caller ID
_MAX_GAP_MS = 1000.0  # between two digits of one spill


def encode_dtmf_caller_id(caller: CallerId, form: str = "A...C") -> str:
    """The digit string that sends `caller` in `form`."""
    absence = caller.number_absence if caller.number is None else None
    if form == "A...C":
        if absence is not None:
            return "B" + {PRIVATE: "10"}.get(absence, "00") + "C"
        return f"A{caller.number}C"
    if form == "A...#":
        if absence is not None:
            return "D1#" if absence == PRIVATE else "D3#"
        return f"A{caller.number}#"
    if form == "D...C" and absence is None:
        return f"D{caller.number}C"
    raise ValueError(f"form {form!r} cannot send {caller}")


def _digits(text: str) -> str:
    if not text.isdigit():
        raise CallerIdError(f"DTMF caller ID number is not digits: {text!r}")
    return text


def _decode_a_c(body: str) -> CallerId:
    """`A<number>[D<redirecting number>][B<info>]`, the final C taken off."""
    match = _A_C.fullmatch(body)
    if match is None:
        raise CallerIdError(f"not an A...C caller ID: {body!r}C")
    return CallerId(number=match[1])


def decode_dtmf_caller_id(digits: str) -> CallerId:
    """The caller ID in one whole digit string, from start symbol to end symbol."""
    if len(digits) < 3:
        raise CallerIdError(f"DTMF caller ID too short: {digits!r}")
    start, body, end = digits[0], digits[1:-1], digits[-1]
    if end == "C" and start == "A":
        return _decode_a_c(digits[:-1])
    if end == "C" and start == "B" and body in _INFO_CODES:
        return CallerId(number_absence=_INFO_CODES[body])
    if end == "C" and start == "D":
        return CallerId(number=_digits(body))
    if end == "#" and start == "A":
        return CallerId(number=_digits(body))
    if end == "#" and start == "D" and body in _HASH_ABSENCE:
        return CallerId(number_absence=_HASH_ABSENCE[body])
    raise CallerIdError(f"not a DTMF caller ID: {digits!r}")


class DtmfCallerIdReceiver:
    """Streaming receiver: frames in, CallerId out, whichever of the forms is sent.

    Digits are gathered from a start symbol (A, B or D) to an end symbol (C or #);
    a gap over a second between digits drops what was gathered. Strings that do
    not decode are counted in `rejected`.
    """

    def __init__(self, detector: DtmfDetector | None = None) -> None:
        self._detector = detector or DtmfDetector()
        self._digits = ""
        self._last_ms = 0.0
        self.rejected = 0

    def feed(self, frame: Frame) -> list[CallerId]:
        """Caller IDs whose end symbol arrived in the samples fed so far."""
        found = []
        for digit in self._detector.feed(frame):
            if digit.start_ms - self._last_ms > _MAX_GAP_MS or len(self._digits) > _MAX_DIGITS:
                self._digits = ""
            self._last_ms = digit.start_ms
            if not self._digits and digit.digit not in "ABD":
                continue
            self._digits += digit.digit
            if digit.digit in "C#":
                caller = self._decode(self._digits)
                self._digits = ""
                if caller is not None:
                    found.append(caller)
        return found

    def _decode(self, digits: str) -> CallerId | None:
        try:
            return decode_dtmf_caller_id(digits)
        except CallerIdError:
            self.rejected += 1
            return None
