"""pjsua2 subclasses whose callbacks become Callbox events. SIP thread only.

Every override is small on purpose: it reads what it needs from pj objects while
they are valid, builds a frozen event and hands it to the loop. pjsua2 may call
some of these from its media thread (end of file), so none of them touches the
engine's tables directly; they defer such work to the SIP thread.
"""

import logging
from collections.abc import Callable
from typing import Protocol

import pjsua2 as pj

from pbx.events import (
    CallAnswered,
    CallEnded,
    CallHeld,
    CallMediaReady,
    CallProgress,
    DtmfReceived,
    MediaStats,
    PlaybackFinished,
)

logger = logging.getLogger("pbx.sip.pjsip")

Publish = Callable[[object], None]

_PJ_TO_LOGGING = {0: logging.CRITICAL, 1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO}
_ANSWERED_STATES = (pj.PJSIP_INV_STATE_CONNECTING, pj.PJSIP_INV_STATE_CONFIRMED)
DTMF_METHODS = {"rfc4733": pj.PJSUA_DTMF_METHOD_RFC2833, "info": pj.PJSUA_DTMF_METHOD_SIP_INFO}
_DTMF_NAMES = {number: name for name, number in DTMF_METHODS.items()}


class PjLogWriter(pj.LogWriter):
    """Sends pjsip's log into Python logging (and from there to the journal)."""

    def write(self, entry: "pj.LogEntry") -> None:
        logger.log(_PJ_TO_LOGGING.get(entry.level, logging.DEBUG), "%s", entry.msg.rstrip())


class LegOwner(Protocol):
    """What a leg tells the engine core about itself."""

    def leg_gone(self, leg_id: int) -> None: ...

    def media_changed(self, leg_id: int) -> None: ...

    def transfer_requested(self, leg_id: int, prm: "pj.OnCallTransferRequestParam") -> None: ...


class PjCall(pj.Call):
    """One call leg. `leg_id` is Callbox's id; pjsua's own call ids are reused."""

    def __init__(
        self,
        account: pj.Account,
        leg_id: int,
        publish: Publish,
        owner: "LegOwner",
        call_id: int = pj.PJSUA_INVALID_ID,
    ) -> None:
        super().__init__(account, call_id)
        self.account = account  # a transfer's call must come from the same account
        self.leg_id = leg_id
        self._publish = publish
        self._owner = owner
        self._media_announced = False
        self._answer_announced = False
        self._held = False
        self.media_stats = MediaStats()

    def audio(self) -> "pj.AudioMedia":
        """The leg's conference port (the call's active audio stream)."""
        return self.getAudioMedia(-1)

    def onCallState(self, prm: "pj.OnCallStateParam") -> None:
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_EARLY and info.role == pj.PJSIP_ROLE_UAC:
            self._publish(CallProgress(self.leg_id, info.lastStatusCode, info.lastReason))
        elif info.state in _ANSWERED_STATES and not self._answer_announced:
            # A call is answered once the 200 OK is sent or received (CONNECTING),
            # not only once the ACK confirms it: a hang-up in between still
            # leaves an answered call behind.
            self._answer_announced = True
            self._publish(CallAnswered(self.leg_id))
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self._publish(
                CallEnded(self.leg_id, info.lastStatusCode, info.lastReason, self.media_stats)
            )
            self._owner.leg_gone(self.leg_id)

    def onCallMediaState(self, prm: "pj.OnCallMediaStateParam") -> None:
        # Keep the CallInfo alive while reading it: SWIG vectors point into it.
        info = self.getInfo()
        statuses = [m.status for m in info.media if m.type == pj.PJMEDIA_TYPE_AUDIO]
        self._owner.media_changed(self.leg_id)
        if pj.PJSUA_CALL_MEDIA_ACTIVE in statuses and not self._media_announced:
            self._media_announced = True
            self._publish(CallMediaReady(self.leg_id))
        held = pj.PJSUA_CALL_MEDIA_REMOTE_HOLD in statuses
        if held != self._held and self._media_announced:
            self._held = held
            self._publish(CallHeld(self.leg_id, held))

    def onStreamDestroyed(self, prm: "pj.OnStreamDestroyedParam") -> None:
        # The last moment the stream's RTP counters can be read.
        try:
            rtcp = self.getStreamStat(prm.streamIdx).rtcp
            info = self.getStreamInfo(prm.streamIdx)
        except pj.Error:
            return
        codec = f"{info.codecName}/{info.codecClockRate}"
        self.media_stats = MediaStats(rtcp.rxStat.pkt, rtcp.txStat.pkt, rtcp.rxStat.loss, codec)

    def onDtmfDigit(self, prm: "pj.OnDtmfDigitParam") -> None:
        method = _DTMF_NAMES.get(prm.method, "unknown")
        self._publish(DtmfReceived(self.leg_id, prm.digit, method))

    def onCallTransferRequest(self, prm: "pj.OnCallTransferRequestParam") -> None:
        self._owner.transfer_requested(self.leg_id, prm)


class PjAccount(pj.Account):
    """The engine's one local account: every INVITE from the edge lands here."""

    def __init__(self, on_incoming: Callable[["pj.OnIncomingCallParam"], None]) -> None:
        super().__init__()
        self._on_incoming = on_incoming

    def onIncomingCall(self, prm: "pj.OnIncomingCallParam") -> None:
        self._on_incoming(prm)


class PjPlaylist(pj.AudioMediaPlayer):
    """Files played in a loop, to any number of legs at once (music on hold)."""

    def __init__(self, player_id: int) -> None:
        super().__init__()
        self.player_id = player_id
        self.leg_id = 0  # belongs to no leg: it outlives them all


class PjPlayer(pj.AudioMediaPlayer):
    """A file played to one leg."""

    def __init__(
        self,
        player_id: int,
        leg_id: int,
        publish: Publish,
        defer: Callable[[Callable[[], None]], None],
        on_done: Callable[[int], None],
    ) -> None:
        super().__init__()
        self.player_id = player_id
        self.leg_id = leg_id
        self._publish = publish
        self._defer = defer
        self._on_done = on_done

    def onEof2(self) -> None:
        # May run on the media clock thread: destroying the player here would
        # pull the port out from under the bridge, so the SIP thread does it.
        self._publish(PlaybackFinished(self.player_id, self.leg_id))
        self._defer(lambda: self._on_done(self.player_id))
