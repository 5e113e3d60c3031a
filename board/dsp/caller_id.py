"""Caller-ID messages (Bellcore GR-30 / ETSI EN 300 659-3): SDMF and MDMF, with checksum."""

from dataclasses import dataclass

from board import BoardError

SDMF = 0x04
MDMF = 0x80
# MDMF parameter types.
DATE_TIME = 0x01
NUMBER = 0x02
NUMBER_ABSENT = 0x04
NAME = 0x07
NAME_ABSENT = 0x08

UNAVAILABLE = "O"  # out of area
PRIVATE = "P"


class CallerIdError(BoardError):
    """A caller-ID message that cannot be accepted: bad checksum, length or content."""


@dataclass(frozen=True)
class CallerId:
    """What a caller-ID spill says about a call.

    `date_time` is "MMDDHHMM". Where the number or name is withheld, `number_absence` or
    `name_absence` says why: "O" unavailable (out of area), "P" private.
    """

    number: str | None = None
    name: str | None = None
    date_time: str | None = None
    number_absence: str | None = None
    name_absence: str | None = None


def checksum(body: bytes) -> int:
    """Two's complement of the modulo-256 sum of every byte before it."""
    return -sum(body) & 0xFF


def _framed(message_type: int, payload: bytes) -> bytes:
    if len(payload) > 255:
        raise ValueError("caller-ID message longer than 255 bytes")
    body = bytes((message_type, len(payload))) + payload
    return body + bytes((checksum(body),))


def encode_sdmf(caller: CallerId) -> bytes:
    """Single data message format: date and time, then the number or "O"/"P"."""
    if caller.date_time is None:
        raise ValueError("SDMF always carries the date and time")
    number = caller.number if caller.number is not None else caller.number_absence or "O"
    return _framed(SDMF, (caller.date_time + number).encode("ascii"))


def encode_mdmf(caller: CallerId) -> bytes:
    """Multiple data message format: the parameters present, in the usual order."""
    params = [
        (DATE_TIME, caller.date_time),
        (NUMBER, caller.number),
        (NUMBER_ABSENT, caller.number_absence),
        (NAME, caller.name),
        (NAME_ABSENT, caller.name_absence),
    ]
    payload = b""
    for kind, value in params:
        if value is not None:
            data = value.encode("ascii")
            payload += bytes((kind, len(data))) + data
    return _framed(MDMF, payload)


def _text(data: bytes) -> str:
    """Printable ASCII only: anything else means the bytes were not a message."""
    if not all(0x20 <= b < 0x7F for b in data):
        raise CallerIdError("caller-ID text is not printable ASCII")
    return data.decode("ascii")


def _date_time(data: bytes) -> str:
    text = _text(data)
    if len(text) != 8 or not text.isdigit():
        raise CallerIdError(f"caller-ID date and time is not MMDDHHMM: {text!r}")
    return text


def _decode_sdmf(payload: bytes) -> CallerId:
    date_time, number = _date_time(payload[:8]), _text(payload[8:])
    if number in (UNAVAILABLE, PRIVATE):
        return CallerId(date_time=date_time, number_absence=number)
    return CallerId(number=number, date_time=date_time)


def _decode_mdmf(payload: bytes) -> CallerId:
    fields: dict[int, bytes] = {}
    position = 0
    while position < len(payload):
        if position + 2 > len(payload) or position + 2 + payload[position + 1] > len(payload):
            raise CallerIdError("MDMF parameter runs past the message")
        kind, size = payload[position], payload[position + 1]
        fields[kind] = payload[position + 2 : position + 2 + size]
        position += 2 + size
    texts = {kind: _text(value) for kind, value in fields.items()}  # unknown kinds too
    return CallerId(
        number=texts.get(NUMBER),
        name=texts.get(NAME),
        date_time=_date_time(fields[DATE_TIME]) if DATE_TIME in fields else None,
        number_absence=texts.get(NUMBER_ABSENT),
        name_absence=texts.get(NAME_ABSENT),
    )


def decode_message(data: bytes) -> CallerId:
    """The caller ID in one whole message (type, length, payload, checksum).

    Raises CallerIdError for a wrong checksum or length, a type other than SDMF or
    MDMF, or content that is not what those formats carry.
    """
    if len(data) < 3 or len(data) != data[1] + 3:
        raise CallerIdError("caller-ID message length does not match its length byte")
    if sum(data) & 0xFF:
        raise CallerIdError("caller-ID checksum does not match")
    payload = data[2:-1]
    if data[0] == SDMF and len(payload) >= 9:
        return _decode_sdmf(payload)
    if data[0] == MDMF:
        return _decode_mdmf(payload)
    raise CallerIdError(f"not a caller-ID message: type 0x{data[0]:02x}")
