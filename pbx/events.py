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
    line: str = ""  # the analog line the call came in on (fxs1: a phone dialled; fxo1: it rang)


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
    """A digit arrived on a leg (RFC 4733, SIP INFO, or "inband" on an analog line)."""

    leg_id: int
    digit: str
    method: str


@dataclass(frozen=True)
class PlaybackFinished:
    """A file played to a leg reached its end (never sent for looped files)."""

    player_id: int
    leg_id: int


@dataclass(frozen=True)
class TransferRequested:
    """A phone asked to transfer its call: a REFER arrived on leg `leg_id` (the transferor's).

    The engine has accepted it (202); the transferor learns how it goes from
    `SipEngine.report_transfer`, which every request must end with a final code.
    `target` is the number to transfer to. For an attended transfer, `replaces` is
    the Call-ID the Refer-To's Replaces names (the transferor's other call) and
    `replaces_leg` the engine's leg of that dialog (0 if no leg has it).
    """

    transfer_id: int
    leg_id: int
    target: str
    replaces: str = ""
    replaces_leg: int = 0


@dataclass(frozen=True)
class FlashTransferRequested:
    """An analog phone hung up to transfer: it had `held_leg` on hold and dialled
    `consult_leg` from there, which rings or is answered.

    The box connects the held call's other side with the consultation's, once that
    answers, and ends both legs, `held_leg` first. If the consultation fails, the box
    ends it and leaves `held_leg` alone: the line gives it back to its phone.
    """

    held_leg: int
    consult_leg: int


@dataclass(frozen=True)
class TransferCompleted:
    """A transfer connected the transferee with the target; the transferor's legs end.

    `kind` is "blind" (the target was rung for the transferee), "attended" (the
    transferor's other call took the place of the transferor) or "flash" (an analog
    phone's, by hook flash; `transfer_id` is 0). `target_leg` is now part of the
    transferee's call (its call_uid).
    """

    transfer_id: int
    kind: str
    transferor_leg: int
    transferee_leg: int
    target_leg: int


@dataclass(frozen=True)
class TransferFailed:
    """A transfer did not happen; `status_code` is what the transferor was told.

    `transferee_leg` is 0 if the transferor's call had no other side. After a
    failed blind transfer the transferee goes back to the transferor (see
    pbx.transfer).
    """

    transfer_id: int
    kind: str
    transferor_leg: int
    transferee_leg: int
    status_code: int


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


@dataclass(frozen=True)
class LegsBridged:
    """Two legs now hear each other (CallService.bridge). `leg_a` is the caller's side."""

    leg_a: int
    leg_b: int


@dataclass(frozen=True)
class LegsUnbridged:
    """Two bridged legs were parted (CallService.unbridge), e.g. by a transfer."""

    leg_a: int
    leg_b: int


@dataclass(frozen=True)
class RecordingAlarm:
    """A recording alarm was raised or cleared; `kind` is e.g. "disk-full"."""

    kind: str
    raised: bool
    detail: str


@dataclass(frozen=True)
class LinesBusy:
    """Every working FXO line became busy (True), or one became free again (False)."""

    every_line_busy: bool
