"""Transfers phones ask for with REFER, as the engine carries them. SIP thread only.

pjsua answers a REFER by itself: it accepts it (202), places the new call from the
engine's own account, and tells the transferor how that call goes in NOTIFYs. Its
call would show the engine as caller, and would send a Replaces to the wrong
place, so Callbox places the real call itself (pbx/transfer.py) and pjsua's call
only carries the news. Every call the engine places on purpose carries
PLACED_HEADER; pjsua's does not, so the edge sends it straight back to the engine
with TRANSFER_HEADER (kamailio.cfg, route TRANSFER_LOOP). The engine holds that
looped-back call and answers it as the loop reports the transfer's progress: 180
while the target rings, 200 once connected, the failure's code otherwise. pjsua
turns those answers into the transferor's NOTIFYs. Neither end of this messenger
call is a leg: nobody hears it, and it ends as soon as the final news is out.

(pjsua2 would let the messenger carry a Call-ID of our own choosing, but the
string it copies dies with the callback's parameters before pjsua uses it.)
"""

import logging
from collections.abc import Callable, Iterator

import pjsua2 as pj

from pbx.events import TransferRequested
from pbx.sip._uri import header, split_name_addr, uri_headers, uri_user
from pbx.sip.settings import TRANSFER_HEADER

logger = logging.getLogger(__name__)

_NOT_IMPLEMENTED = 501

Publish = Callable[[object], None]
Defer = Callable[[Callable[[], None]], None]


class _Messenger(pj.Call):
    """pjsua's call for a REFER (outbound), or the same call come back (inbound)."""

    def __init__(
        self,
        account: pj.Account,
        on_state: Callable[["_Messenger", int], None],
        call_id: int = pj.PJSUA_INVALID_ID,
    ) -> None:
        super().__init__(account, call_id)
        self._on_state = on_state
        self.ended = False

    def onCallState(self, prm: "pj.OnCallStateParam") -> None:
        state = self.getInfo().state
        self.ended = state == pj.PJSIP_INV_STATE_DISCONNECTED
        self._on_state(self, state)


class PjTransfer:
    """One accepted REFER: the messenger pjsua places, and the same call come back."""

    def __init__(
        self, transfer_id: int, account: pj.Account, defer: Defer, done: Callable[[int], None]
    ) -> None:
        self.transfer_id = transfer_id
        self._defer = defer
        self._done = done
        self.outbound = _Messenger(account, self._state_changed)
        self.inbound: _Messenger | None = None
        self._code = 0  # the latest progress reported (0: none yet)
        self._passed = 0  # the latest progress the inbound end passed on

    def call_id(self) -> str:
        """The messenger's SIP Call-ID ('' until pjsua has placed it)."""
        try:
            return self.outbound.getInfo().callIdString
        except pj.Error:
            return ""

    def arrived(self, account: pj.Account, pj_call_id: int) -> None:
        """The messenger came back through the edge as pjsua call `pj_call_id`."""
        self.inbound = _Messenger(account, self._state_changed, pj_call_id)
        self._pass_on()

    def report(self, status_code: int) -> None:
        """The transfer's progress: 180, 200 or a failure; the first final code stands."""
        if self._code < 200:
            self._code = status_code
        self._pass_on()
        if self._code >= 200 and not self.call_id():
            # pjsua could not place the messenger (it told the transferor so itself).
            self._done(self.transfer_id)

    def _pass_on(self) -> None:
        call, code = self.inbound, self._code
        if call is None or call.ended or code <= self._passed:
            return
        self._passed = code
        prm = pj.CallOpParam(True)
        prm.statusCode = code
        prm.opt.videoCount = prm.opt.textCount = 0
        if code < 300:
            call.answer(prm)
        else:
            call.hangup(prm)

    def _state_changed(self, call: _Messenger, state: int) -> None:
        # Within the messenger's own callback: act after it returns.
        if call is self.outbound and state == pj.PJSIP_INV_STATE_CONFIRMED:
            self._defer(self._hang_up)  # the transferor has its NOTIFY 200
        if self.outbound.ended and (self.inbound is None or self.inbound.ended):
            self._defer(lambda: self._done(self.transfer_id))

    def _hang_up(self) -> None:
        if not self.outbound.ended:
            try:
                self.outbound.hangup(pj.CallOpParam(True))
            except pj.Error as err:
                logger.debug("transfer %d: messenger hang-up: %s", self.transfer_id, err.reason)


class PjTransfers:
    """Every REFER the engine accepted, until its messenger has delivered the last news."""

    def __init__(self, publish: Publish, defer: Defer, ids: Iterator[int], enabled: bool) -> None:
        self._publish = publish
        self._defer = defer
        self._ids = ids
        self._enabled = enabled  # only with an edge to loop the messenger through
        self._transfers: dict[int, PjTransfer] = {}

    def requested(
        self,
        account: pj.Account,
        leg_id: int,
        prm: "pj.OnCallTransferRequestParam",
        leg_of_call_id: Callable[[str], int],
    ) -> None:
        """A REFER arrived on `leg_id`: accept it with a messenger, and tell the loop."""
        if not self._enabled:
            prm.statusCode = _NOT_IMPLEMENTED
            return
        transfer = PjTransfer(next(self._ids), account, self._defer, self._forget)
        self._transfers[transfer.transfer_id] = transfer
        prm.newCall = transfer.outbound  # pjsua places it once this callback returns
        target = split_name_addr(prm.dstUri)[1]
        replaces = uri_headers(target).get("replaces", "").split(";", 1)[0].strip()
        logger.info("leg %d asks to transfer its call to %s", leg_id, prm.dstUri)
        self._publish(
            TransferRequested(
                transfer.transfer_id,
                leg_id,
                uri_user(target),
                replaces,
                leg_of_call_id(replaces) if replaces else 0,
            )
        )

    def claim(self, account: pj.Account, prm: "pj.OnIncomingCallParam") -> bool:
        """True if an incoming call is a messenger come back (then it is taken care of)."""
        message = prm.rdata.wholeMsg
        if not header(message, TRANSFER_HEADER):
            return False
        call_id = header(message, "Call-ID")
        transfer = next((t for t in self._transfers.values() if t.call_id() == call_id), None)
        if transfer is None or transfer.inbound is not None:
            # Not one of ours: left without a Call object, pjsua2 refuses it (500).
            logger.warning("refusing a transfer messenger nobody sent: %s", call_id)
            return True
        transfer.arrived(account, prm.callId)
        return True

    def report(self, transfer_id: int, status_code: int) -> None:
        """Pass a transfer's progress on to its transferor (unknown ids are over already)."""
        if transfer := self._transfers.get(transfer_id):
            transfer.report(status_code)

    def clear(self) -> None:
        """Free every messenger (before the library goes)."""
        self._transfers.clear()

    def _forget(self, transfer_id: int) -> None:
        self._transfers.pop(transfer_id, None)
