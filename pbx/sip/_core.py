"""The engine's pjsua2 state: endpoint, transports, account, legs, players. SIP thread only."""

import contextlib
import ctypes
import logging
from collections.abc import Callable, Iterator

import _pjsua2
import pjsua2 as pj

from pbx.events import CallOffered
from pbx.sip._analog_port import PjAnalogPort
from pbx.sip._pjobjects import (
    DTMF_METHODS,
    PjAccount,
    PjCall,
    PjLogWriter,
    PjPlayer,
    PjPlaylist,
    Publish,
)
from pbx.sip._recording import PjRecorders, transmit
from pbx.sip._retired import RetiredPlayers
from pbx.sip._transfer import PjTransfers
from pbx.sip._uri import header, request_uri, split_name_addr, uri_user
from pbx.sip.frame_queues import FrameQueues
from pbx.sip.settings import PLACED_HEADER, EngineSettings, LegGone, ListenError, RecorderFile

logger = logging.getLogger(__name__)

# Set by the edge on calls from phones it authenticated; it strips the header
# from everything else, so only the edge can vouch for a caller.
AUTHENTICATED_HEADER = "X-Callbox-Ext"
TRUNK_HEADER = "X-Callbox-Trunk"  # set by the edge on calls from a provider's address

# Codec preference for the offers the engine makes and answers: G.711 first (the
# trunks and the analog side speak it, no transcoding), then wideband. Speex
# and L16 stay off: no phone or provider a small office has wants them.
_CODEC_PRIORITIES = {
    "PCMA/8000/1": 200,
    "PCMU/8000/1": 200,
    "G722/16000/1": 190,
    "opus/48000/2": 180,
    "GSM/8000/1": 100,
}


def _quiet_until_configured(level: int) -> None:
    """Apply the log level before libCreate, which logs to stdout before any config.

    pjsua2 does not wrap pj_log_set_level; the binding links pjlib statically, so
    the symbol is in its own module.
    """
    try:
        ctypes.CDLL(_pjsua2.__file__).pj_log_set_level(level)
    except (OSError, AttributeError):
        logger.debug("pj_log_set_level not found; early pjlib lines go to stdout")


def _call_param(status_code: int) -> "pj.CallOpParam":
    """Call options: audio only. pjsua also offers real-time text by default, and
    some providers refuse an INVITE whose SDP carries a media line they do not know."""
    prm = pj.CallOpParam(True)
    prm.statusCode = status_code
    prm.opt.videoCount = 0
    prm.opt.textCount = 0
    return prm


class PjCore:
    """Owns every pj object of the engine. Created, used and stopped on one thread."""

    def __init__(
        self,
        settings: EngineSettings,
        publish: Publish,
        defer: Callable[[Callable[[], None]], None],
        ids: Iterator[int],
    ) -> None:
        self._settings = settings
        self._publish = publish
        self._defer = defer
        self._ids = ids  # shared with the loop, which reserves ids for legs it places
        self._ep: pj.Endpoint | None = None
        self._account: PjAccount | None = None
        # One account per trunk, holding the credentials its provider challenges for.
        self._trunk_accounts: dict[str, PjAccount] = {}
        self._log_writer = PjLogWriter()
        # Strong references: pj objects must be freed on this thread, never by
        # the garbage collector somewhere else.
        self._legs: dict[int, PjCall] = {}
        self._players: dict[int, PjPlayer] = {}
        self._retired = RetiredPlayers()  # stopped players, freed a moment later
        self._analog_ports: dict[int, PjAnalogPort] = {}  # analog channels' legs
        # Wanted conference connections, kept so they can be made again when a
        # re-INVITE (hold, codec change) gives a leg a new stream and port.
        self._links: dict[tuple[int, int], float] = {}  # (source leg, sink leg) -> gain
        self._listens: set[tuple[int, int]] = set()  # (player, leg)
        self._recorders = PjRecorders()
        self._transfers = PjTransfers(publish, defer, ids, enabled=bool(settings.edge_uri))

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> None:
        """Create the endpoint, listen for SIP, and open the local account."""
        _quiet_until_configured(self._settings.log_level)
        self._ep = pj.Endpoint()
        self._ep.libCreate()
        try:
            self._ep.libInit(self._endpoint_config())
            self._ep.audDevManager().setNullDev()
            for kind, name in ((pj.PJSIP_TRANSPORT_UDP, "udp"), (pj.PJSIP_TRANSPORT_TCP, "tcp")):
                self._listen(kind, name)
            for codec in self._ep.codecEnum2():
                self._ep.codecSetPriority(codec.codecId, _CODEC_PRIORITIES.get(codec.codecId, 0))
            self._ep.libStart()
            self._account = PjAccount(self._incoming)
            self._account.create(self._local_account_config(), True)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Free every pj object, then the library."""
        self._transfers.clear()
        self._recorders.clear()
        self._retired.clear()
        self._players.clear()
        self._analog_ports.clear()
        self._legs.clear()
        for account in self._trunk_accounts.values():
            account.shutdown()
        self._trunk_accounts.clear()
        if self._account is not None:
            self._account.shutdown()
            self._account = None
        if self._ep is not None:
            self._ep.libDestroy()
            self._ep = None

    def handle_events(self, timeout_ms: int) -> None:
        """Run SIP timers, network events and queued callbacks for up to `timeout_ms`."""
        self._ep.libHandleEvents(timeout_ms)
        self._retired.free_due()

    def _endpoint_config(self) -> "pj.EpConfig":
        s = self._settings
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = s.max_calls
        cfg.uaConfig.userAgent = ""  # never advertise the product or its version
        # pjsua2 hands the writer exactly what it would print on the console.
        cfg.logConfig.level = cfg.logConfig.consoleLevel = s.log_level
        cfg.logConfig.decor = pj.PJ_LOG_HAS_SENDER | pj.PJ_LOG_HAS_INDENT
        cfg.logConfig.msgLogging = s.log_level >= 5
        cfg.logConfig.writer = self._log_writer
        med = cfg.medConfig
        med.clockRate = med.sndClockRate = s.clock_rate_hz
        med.channelCount = 1
        med.threadCnt = 1
        med.confThreads = s.conference_threads
        med.ecTailLen = 0  # legs are on a LAN or analog lines with their own hybrid
        med.noVad = True  # keep RTP flowing so NATs and the edge see live media
        # maxMediaPorts keeps its default, the compile-time PJSUA_MAX_CONF_PORTS: every
        # leg, player and recorder takes a port, and pjsua reads anything under
        # maxCalls (0 included) as maxCalls + 2, room for the calls alone.
        # The null device is the bridge's clock: keep it ticking between calls, or
        # the first DTMF and prompt of the next call wait for it to reopen.
        med.sndAutoCloseTime = -1
        return cfg

    def _listen(self, kind: int, name: str) -> None:
        cfg = pj.TransportConfig()
        cfg.boundAddress = self._settings.address
        cfg.port = self._settings.sip_port
        try:
            self._ep.transportCreate(kind, cfg)
        except pj.Error as err:
            raise ListenError(
                self._settings.address, self._settings.sip_port, name, err.reason
            ) from None

    def _account_config(self, user: str = "engine") -> "pj.AccountConfig":
        s = self._settings
        cfg = pj.AccountConfig()
        cfg.idUri = f"sip:{user}@{s.address}:{s.sip_port}"
        media = cfg.mediaConfig
        media.transportConfig.boundAddress = s.address
        media.transportConfig.port = s.rtp_port_min
        media.transportConfig.portRange = s.rtp_port_max - s.rtp_port_min + 1
        media.srtpUse = pj.PJMEDIA_SRTP_DISABLED  # loopback to the edge only
        return cfg

    def _local_account_config(self) -> "pj.AccountConfig":
        cfg = self._account_config()
        if self._settings.edge_uri:
            # Calls pjsua places itself (for a REFER) go to the edge too, whatever
            # host the phone's Refer-To names.
            cfg.sipConfig.proxies.append(f"{self._settings.edge_uri};lr")
        return cfg

    # --- legs ----------------------------------------------------------------------

    def _incoming(self, prm: "pj.OnIncomingCallParam") -> None:
        if self._transfers.claim(self._account, prm):
            return
        leg_id = next(self._ids)
        call = PjCall(self._account, leg_id, self._publish, self, prm.callId)
        self._legs[leg_id] = call
        info = call.getInfo()
        message = prm.rdata.wholeMsg
        caller_name, caller_uri = split_name_addr(info.remoteUri)
        dialled = uri_user(request_uri(message)) or uri_user(split_name_addr(info.localUri)[1])
        self._publish(
            CallOffered(
                leg_id,
                dialled,
                uri_user(caller_uri),
                caller_name,
                caller_uri,
                header(message, AUTHENTICATED_HEADER),
                header(message, TRUNK_HEADER),
            )
        )

    def leg_gone(self, leg_id: int) -> None:
        """A leg's DISCONNECTED callback: forget it after the callback returns."""
        # Called from the leg's own DISCONNECTED callback: freeing it there would
        # delete the object pjsua2 is still running, so forget it afterwards.
        self._defer(lambda: self._forget_leg(leg_id))

    def _forget_leg(self, leg_id: int) -> None:
        self._legs.pop(leg_id, None)
        self._analog_ports.pop(leg_id, None)
        # Its prompts first, while the recorders still know who heard what the leg heard.
        for player_id in [p.player_id for p in self._players.values() if p.leg_id == leg_id]:
            self._retire(player_id)
        self._links = {link: gain for link, gain in self._links.items() if leg_id not in link}
        self._listens = {(p, leg) for p, leg in self._listens if leg != leg_id}
        self._recorders.forget_leg(leg_id)

    # --- transfers (pbx/sip/_transfer.py) ------------------------------------------

    def transfer_requested(self, leg_id: int, prm: "pj.OnCallTransferRequestParam") -> None:
        """A REFER arrived on a leg (its own callback): accept it and tell the loop."""
        account = self._leg(leg_id).account
        self._transfers.requested(account, leg_id, prm, self._leg_of_call_id)

    def report_transfer(self, transfer_id: int, status_code: int) -> None:
        """Tell a transfer's transferor how it goes (180, 200, or a failure code)."""
        self._transfers.report(transfer_id, status_code)

    def _leg_of_call_id(self, call_id: str) -> int:
        for leg_id, call in self._legs.items():
            if call.getInfo().callIdString == call_id:
                return leg_id
        return 0

    def _leg(self, leg_id: int) -> PjCall:
        try:
            return self._legs[leg_id]
        except KeyError:
            raise LegGone(leg_id) from None

    def leg_count(self) -> int:
        """Legs the engine holds, in any state."""
        return len(self._legs)

    def answer(self, leg_id: int, status_code: int) -> None:
        """Send a final or provisional answer (200, 180, 183, or a refusal)."""
        self._leg(leg_id).answer(_call_param(status_code))

    def hangup(self, leg_id: int, status_code: int) -> None:
        """End a leg: BYE, CANCEL or a refusal with `status_code`, as its state needs."""
        self._leg(leg_id).hangup(_call_param(status_code))

    def hangup_all(self) -> None:
        """End every leg at once."""
        self._ep.hangupAllCalls()

    def set_trunk(self, trunk: str, username: str, secret: str, proxy: str) -> None:
        """Calls placed through `trunk` go by `proxy` (the edge) and answer the provider's
        challenges with these credentials.

        An empty `secret` leaves the trunk without credentials. Trunk accounts are
        changed in place, never deleted while running: calls placed through one
        may still be up, and pjsua would orphan them.
        """
        cfg = self._account_config(f"trunk-{trunk}")
        cfg.sipConfig.proxies.append(proxy)
        if secret:
            cfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", username, 0, secret))
        account = self._trunk_accounts.get(trunk)
        if account is not None:
            account.modify(cfg)
            return
        account = PjAccount(self._incoming)
        account.create(cfg, False)
        self._trunk_accounts[trunk] = account

    def place(
        self, leg_id: int, uri: str, headers: dict[str, str], from_uri: str, trunk: str = ""
    ) -> None:
        """Start outbound leg `leg_id` to `uri` (From: `from_uri` if given), with the
        credentials of `trunk` if given; news comes later."""
        account = self._trunk_accounts[trunk] if trunk else self._account
        call = PjCall(account, leg_id, self._publish, self)
        prm = _call_param(0)
        if from_uri:
            prm.txOption.localUri = from_uri
        for name, value in {**headers, PLACED_HEADER: "1"}.items():
            header = pj.SipHeader()
            header.hName, header.hValue = name, value
            prm.txOption.headers.append(header)
        call.makeCall(uri, prm)
        self._legs[leg_id] = call

    def send_dtmf(self, leg_id: int, digits: str, method: str) -> None:
        """Send digits on a leg as RFC 4733 events or SIP INFO."""
        prm = pj.CallSendDtmfParam()
        prm.digits = digits
        prm.method = DTMF_METHODS[method]
        self._leg(leg_id).sendDtmf(prm)

    # --- media ---------------------------------------------------------------------

    def _media(self, leg_id: int) -> "pj.AudioMedia":
        """A leg's conference port: a SIP call's audio stream, or an analog channel's port."""
        port = self._analog_ports.get(leg_id)
        return port if port is not None else self._leg(leg_id).audio()

    def add_analog_port(self, leg_id: int, name: str, queues: FrameQueues) -> None:
        """Give an analog channel's leg a port on the bridge, exchanging frames via `queues`."""
        port = PjAnalogPort(leg_id, queues)
        port.create(name)
        self._analog_ports[leg_id] = port

    def remove_analog_port(self, leg_id: int) -> None:
        """Take an analog leg's port off the bridge, with its connections and players."""
        if leg_id in self._analog_ports:
            self._forget_leg(leg_id)

    def connect(self, source_leg: int, sink_leg: int, gain: float) -> None:
        """Send `source_leg`'s audio to `sink_leg` (the same leg twice: an echo) at
        `gain` (1.0 as it is, 0.0 silent); a connected pair gets the new gain."""
        source, sink = self._media(source_leg), self._media(sink_leg)
        if self._links.get((source_leg, sink_leg), gain) != gain:
            # pjsua2 cannot change a connection's level: remake it. The bridge
            # applies both at its next frame, or at worst one frame apart.
            source.stopTransmit(sink)
            self._recorders.overhear(source, sink_leg, None)
        transmit(source, sink, gain)
        self._links[(source_leg, sink_leg)] = gain
        self._recorders.overhear(source, sink_leg, gain)

    def disconnect(self, source_leg: int, sink_leg: int) -> None:
        """Stop sending `source_leg`'s audio to `sink_leg`."""
        self._links.pop((source_leg, sink_leg), None)
        source = self._media(source_leg)
        source.stopTransmit(self._media(sink_leg))
        self._recorders.overhear(source, sink_leg, None)

    def media_changed(self, leg_id: int) -> None:
        """A leg's media was (re)negotiated: make its wanted connections again."""
        try:
            for (source, sink), gain in [item for item in self._links.items() if leg_id in item[0]]:
                transmit(self._media(source), self._media(sink), gain)
                if source == leg_id:  # its new port, for the recorders overhearing the sink
                    self._recorders.overhear(self._media(source), sink, gain)
            for player, leg in [item for item in self._listens if item[1] == leg_id]:
                self._players[player].startTransmit(self._media(leg))
            self._recorders.relink(leg_id, self._media(leg_id))
        except (pj.Error, LegGone, KeyError) as err:
            # No active audio (held both ways, or ending): nothing to connect now.
            logger.debug("leg %d media changed, links not remade: %s", leg_id, err)

    def play(self, leg_id: int, path: str, loop: bool) -> int:
        """Play a WAV file to a leg; returns the player's id."""
        sink = self._media(leg_id)
        player_id = next(self._ids)
        player = PjPlayer(player_id, leg_id, self._publish, self._defer, self._forget_player)
        player.createPlayer(path, 0 if loop else pj.PJMEDIA_FILE_NO_LOOP)
        player.startTransmit(sink)
        self._players[player_id] = player
        self._recorders.overhear(player, leg_id, 1.0)
        return player_id

    def playlist(self, paths: list[str]) -> int:
        """A looping player of `paths` (same format each), on no leg yet; returns its id."""
        player_id = next(self._ids)
        player = PjPlaylist(player_id)
        files = pj.StringVector()
        for path in paths:
            files.append(path)
        player.createPlaylist(files, f"playlist{player_id}", 0)
        self._players[player_id] = player
        return player_id

    def listen(self, player_id: int, leg_id: int, listening: bool) -> None:
        """Let a leg hear a player, or stop it hearing it."""
        player, sink = self._players[player_id], self._media(leg_id)
        if listening:
            player.startTransmit(sink)
            self._listens.add((player_id, leg_id))
        else:
            self._listens.discard((player_id, leg_id))
            player.stopTransmit(sink)
        self._recorders.overhear(player, leg_id, 1.0 if listening else None)

    def stop_player(self, player_id: int) -> None:
        """Stop a player and free it; one already gone (its file ended) needs nothing."""
        self._retire(player_id)

    def _forget_player(self, player_id: int) -> None:
        # Its end has been reported, and pjmedia reports it once: nothing can call the
        # player any more, so it is freed at once (retiring each ended prompt for a
        # second would hold hundreds more players against PJSUA_MAX_PLAYERS).
        self._players.pop(player_id, None)

    def _retire(self, player_id: int) -> None:
        """Take a player off every leg and recorder hearing it, to be freed once safe."""
        player = self._players.pop(player_id, None)
        if player is None:
            return
        legs = {leg for p, leg in self._listens if p == player_id}
        if player.leg_id:  # a prompt's leg; music on hold belongs to none
            legs.add(player.leg_id)
        self._listens = {(p, leg) for p, leg in self._listens if p != player_id}
        sinks = []
        for leg_id in legs:
            with contextlib.suppress(pj.Error):
                self._recorders.overhear(player, leg_id, None)
            with contextlib.suppress(LegGone, pj.Error):  # ended, or its audio gone
                sinks.append(self._media(leg_id))
        self._retired.add(player, sinks)

    # --- recording (pbx/sip/_recording.py) -------------------------------------------

    def record(self, files: list[RecorderFile]) -> list[int]:
        """Start a WAV recorder per (path, legs); returns their ids."""
        ids = [next(self._ids) for _ in files]
        self._recorders.start(ids, files, self._media, self._heard_by)
        return ids

    def _heard_by(self, leg_id: int) -> list[tuple[pj.AudioMedia, float]]:
        """The ports sending to a leg now, and at what gain: legs, shared players, its
        own prompts."""
        heard = [
            (self._media(s), gain) for (s, sink), gain in self._links.items() if sink == leg_id
        ]
        heard += [(self._players[p], 1.0) for p, leg in self._listens if leg == leg_id]
        heard += [(p, 1.0) for p in self._players.values() if p.leg_id == leg_id]
        return heard

    def stop_recording(self, recorder_ids: list[int]) -> None:
        """Stop recorders; their files are closed once the bridge lets go of them."""
        self._recorders.stop(recorder_ids)
