"""Settings and errors of the SIP engine, free of pjsua2 so any layer may import them."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from pbx import PbxError

# Headers between the engine and the edge, for transfers (pbx/sip/_transfer.py).
# The engine marks every call it places on purpose; the edge sends an INVITE from
# the engine without the mark (one pjsua placed by itself, for a REFER) straight
# back, marked as a transfer's. The edge drops both marks from everything else.
PLACED_HEADER = "X-Callbox-Placed"
TRANSFER_HEADER = "X-Callbox-Transfer"


@dataclass(frozen=True)
class EngineSettings:
    """How the engine listens and sizes itself.

    `log_level` is pjsip's scale: 1 errors, 2 warnings, 3 info, 4-5 debug (5
    also logs every SIP message).

    `edge_uri` is the SIP edge on loopback (sip:127.0.0.1:5060): every call the
    engine places leaves through it, whatever its URI names, and transfers need it
    (see pbx/sip/_transfer.py). Empty: calls go where their URI says, and the
    engine refuses REFER.
    """

    address: str = "127.0.0.1"
    sip_port: int = 5080
    rtp_port_min: int = 20000
    rtp_port_max: int = 29999
    max_calls: int = 1024
    clock_rate_hz: int = 8000
    conference_threads: int = 1
    log_level: int = 1
    edge_uri: str = ""


class EngineError(PbxError):
    """The engine refused a command or could not start."""


class ListenError(EngineError):
    """The engine could not bind its SIP port."""

    def __init__(self, address: str, port: int, transport: str, reason: str) -> None:
        super().__init__(f"cannot listen on {address}:{port}/{transport}: {reason}")
        self.address, self.port, self.transport, self.reason = address, port, transport, reason


class LegGone(EngineError):
    """The call leg has ended (or never existed)."""

    def __init__(self, leg_id: int) -> None:
        super().__init__(f"call leg {leg_id} has ended")
        self.leg_id = leg_id


class RecorderFile(NamedTuple):
    """One WAV file to record: the legs whose own audio it hears (mixed), and the legs
    whatever is sent to it also hears (`hearing`: a caller's side of the call, however
    the call changes: a prompt, music, an agent, a supervisor barging in)."""

    path: str
    legs: Sequence[int]
    hearing: Sequence[int] = ()
