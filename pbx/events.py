"""Events the telephony engine delivers to the event loop, as frozen dataclasses.

Each event carries plain values only (ids, strings, numbers): no engine object
ever leaves `pbx.sip`, so a handler can keep an event as long as it likes.
Leg ids are Callbox's own, never reused while the daemon runs.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CallOffered:
    """A new inbound leg is waiting to be answered, rung or refused."""

    leg_id: int
    dialled: str
    caller_number: str
    caller_name: str
    remote_uri: str
    extension: str = ""  # the caller's extension, as the edge authenticated it
    trunk: str = ""  # the trunk the call came in on, as the edge recognised it


@dataclass(frozen=True)
class CallProgress:
    """An outbound leg got a provisional answer (180 ringing, 183 early media)."""

    leg_id: int
    status_code: int
    reason: str


@dataclass(frozen=True)
class CallAnswered:
    """A leg is answered: its 200 OK was sent or received."""

    leg_id: int


@dataclass(frozen=True)
class CallMediaReady:
    """A leg's audio is flowing and can be bridged, played to or recorded."""

    leg_id: int


@dataclass(frozen=True)
class MediaStats:
    """RTP counters of one leg's audio stream, read as the stream closed."""

    rx_packets: int = 0
    tx_packets: int = 0
    rx_lost: int = 0
    codec: str = ""  # e.g. "PCMA/8000", "opus/48000"


@dataclass(frozen=True)
class CallHeld:
    """The far end of a leg put it on hold (`held`) or took it off hold."""

    leg_id: int
    held: bool


@dataclass(frozen=True)
class CallEnded:
    """A leg is gone; `status_code` and `reason` are the SIP cause of the end."""

    leg_id: int
    status_code: int
    reason: str
    media: MediaStats


@dataclass(frozen=True)
class DtmfReceived:
    """A digit arrived on a leg (RFC 4733 or SIP INFO)."""

    leg_id: int
    digit: str
    method: str


@dataclass(frozen=True)
class PlaybackFinished:
    """A file played to a leg reached its end (never sent for looped files)."""

    player_id: int
    leg_id: int


@dataclass(frozen=True)
class SecurityEvent:
    """The edge saw an attack or a failed login: scanner, flood, bad secret, ban."""

    kind: str
    source: str
    user: str = ""


@dataclass(frozen=True)
class EdgeRestarted:
    """The SIP edge died and was started again."""

    exit_code: int
    restarts: int
