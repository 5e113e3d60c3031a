"""A scripted SIP phone for integration tests, run as its own process.

    python tests/sip_phone.py --port 7001 [--name alice] [--rtp-port N] [--bind 127.0.0.1]
        [--transport udp|tcp|tls] [--registrar sip:127.0.0.1:5060 --user 1001 --secret S
        [--display-name Alice] [--no-register]]

It speaks JSON lines: commands on stdin, events on stdout (see `SipPhone` for
the list). Everything pjsip prints goes to stderr: the process moves its real
stdout to a private descriptor before pjsua2 starts, so a stray log line can
never corrupt the protocol.

One SIP transport (UDP, TCP or TLS) on <bind>:<port>, one account, one
"current call" at a time; as on a handset, a held call can wait while a second
one is made, and then be transferred to it. Without --registrar the account is local (no
registration; calls go to full URIs). With --registrar the account registers
there with digest credentials and uses it as outbound proxy, so a bare number
can be dialled.

All pj objects live on the main thread; the callbacks only read state and emit
events, and objects are freed from the main loop, never inside a callback of
the object itself.
"""

import argparse
import contextlib
import json
import math
import os
import select
import struct
import sys
import tempfile
import threading
import time
import wave
from typing import Any, TextIO

import pjsua2 as pj

CLOCK_RATE = 8000
RTP_PORT_RANGE = 20
TONE_DBFS = -10.0
_STATE_NAMES = {
    pj.PJSIP_INV_STATE_NULL: "NULL",
    pj.PJSIP_INV_STATE_CALLING: "CALLING",
    pj.PJSIP_INV_STATE_INCOMING: "INCOMING",
    pj.PJSIP_INV_STATE_EARLY: "EARLY",
    pj.PJSIP_INV_STATE_CONNECTING: "CONNECTING",
    pj.PJSIP_INV_STATE_CONFIRMED: "CONFIRMED",
    pj.PJSIP_INV_STATE_DISCONNECTED: "DISCONNECTED",
}
_DTMF_METHODS = {"rfc4733": pj.PJSUA_DTMF_METHOD_RFC2833, "info": pj.PJSUA_DTMF_METHOD_SIP_INFO}
# G.711 first so the phone talks like the trunks and handsets Callbox serves.
_CODEC_PRIORITIES = {"PCMU/8000/1": 255, "PCMA/8000/1": 254}
_TRANSPORTS = {
    "udp": pj.PJSIP_TRANSPORT_UDP,
    "tcp": pj.PJSIP_TRANSPORT_TCP,
    "tls": pj.PJSIP_TRANSPORT_TLS,
}
REG_TIMEOUT_SEC = 300
REG_RETRY_SEC = 2


class CommandError(Exception):
    """A command could not be carried out; its text goes into the error event."""


class EventOut:
    """Writes one JSON object per line to the protocol stream, flushed at once."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def emit(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields})
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()


def take_stdout() -> TextIO:
    """Move the real stdout to a private descriptor; fd 1 then points at stderr."""
    sys.stdout.flush()
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(protocol_fd, "w", encoding="utf-8", buffering=1)


def op_param(code: int | None = None) -> "pj.CallOpParam":
    """Call operation parameters: audio only (pjsua also offers T.140 text by default)."""
    prm = pj.CallOpParam(True)
    prm.opt.textCount = 0
    if code is not None:
        prm.statusCode = code
    return prm


def wav_is_complete(path: str) -> bool:
    """The WAV writer fills in the RIFF size only when it closes the file."""
    try:
        with open(path, "rb") as wav:
            header = wav.read(12)
            size = os.fstat(wav.fileno()).st_size
    except OSError:
        return False
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        return False
    return struct.unpack("<I", header[4:8])[0] == size - 8


def write_tone_wav(path: str, hz: float, seconds: float) -> None:
    """A 16-bit mono sine at CLOCK_RATE, peak TONE_DBFS relative to full scale."""
    count = max(1, round(seconds * CLOCK_RATE))
    peak = 32767 * 10 ** (TONE_DBFS / 20)
    step = 2 * math.pi * hz / CLOCK_RATE
    frames = struct.pack(f"<{count}h", *(round(peak * math.sin(step * i)) for i in range(count)))
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(CLOCK_RATE)
        out.writeframes(frames)


def uri_host(uri: str) -> str:
    """The host of a SIP URI, without user, port or parameters: sip:u@h:5060;x=y -> h."""
    rest = uri.strip().strip("<>")
    rest = rest.split(":", 1)[1] if rest.lower().startswith(("sip:", "sips:")) else rest
    rest = rest.split(";", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    if rest.startswith("["):  # IPv6 reference: keep the brackets
        return rest[: rest.index("]") + 1] if "]" in rest else rest
    return rest.split(":", 1)[0]


def caller_parts(name_addr: str) -> tuple[str, str]:
    """Display name and user part of a name-addr: '"Alice" <sip:1001@h>' -> ("Alice", "1001")."""
    text = name_addr.strip()
    name, uri = "", text
    if "<" in text:
        name, uri = text.split("<", 1)
        uri = uri.split(">", 1)[0]
        name = name.strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    else:
        uri = text.split(";", 1)[0]  # a bare addr-spec: parameters belong to the header
    scheme, _, rest = uri.partition(":")
    if not rest:
        return name, ""
    if scheme.lower() == "tel":
        return name, rest.split(";", 1)[0]
    user = rest.rsplit("@", 1)[0] if "@" in rest else ""
    return name, user.split(";", 1)[0].split(":", 1)[0]


class PhoneCall(pj.Call):
    """One call; reports its state changes, media and DTMF to the phone."""

    def __init__(self, phone: "SipPhone", call_key: int, call_id: int = pj.PJSUA_INVALID_ID):
        super().__init__(phone.account, call_id)
        self.phone = phone
        self.key = call_key
        self.audio_active = False
        self.confirmed = False
        self.early_media_announced = False
        self.media_announced = False
        self.disconnected = False
        self.held = False
        self.quiet = False  # a caller refused as busy: its events would mislead tests

    def onCallState(self, prm: "pj.OnCallStateParam") -> None:
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.disconnected = True
            self.phone.forget_call_later(self.key)
        if self.quiet:
            return
        self.phone.out.emit(
            "state",
            state=_STATE_NAMES.get(info.state, str(info.state)),
            code=info.lastStatusCode,
            reason=info.lastReason,
            call=self.key,
        )
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.confirmed = True
            self._announce_media()

    def onCallMediaState(self, prm: "pj.OnCallMediaStateParam") -> None:
        info = self.getInfo()  # keep it alive: the SWIG vector points into it
        self.audio_active = any(
            m.type == pj.PJMEDIA_TYPE_AUDIO and m.status == pj.PJSUA_CALL_MEDIA_ACTIVE
            for m in info.media
        )
        early = info.state == pj.PJSIP_INV_STATE_EARLY and info.role == pj.PJSIP_ROLE_UAC
        if self.audio_active:
            # A re-INVITE (hold, resume) can give the call a new conference port:
            # plug the tone back in, as a handset reconnects its microphone.
            self.phone.reattach_player(self.key)
        if self.quiet:
            return
        if self.audio_active and early and not self.early_media_announced:
            self.early_media_announced = True
            self.phone.out.emit("early_media", call=self.key)
        self._announce_media()

    def _announce_media(self) -> None:
        # pjsua activates audio just before CONFIRMED (or while EARLY, for early
        # media); "media" always follows "state CONFIRMED" so tests can wait for
        # both in that order.
        if self.audio_active and self.confirmed and not self.media_announced:
            self.media_announced = True
            self.phone.out.emit("media", call=self.key)

    def onDtmfDigit(self, prm: "pj.OnDtmfDigitParam") -> None:
        if not self.quiet:
            method = {v: k for k, v in _DTMF_METHODS.items()}.get(prm.method, "other")
            self.phone.out.emit("dtmf", digit=prm.digit, method=method, call=self.key)

    def onCallTransferStatus(self, prm: "pj.OnCallTransferStatusParam") -> None:
        code, final = int(prm.statusCode), bool(prm.finalNotify)
        self.phone.out.emit(
            "transfer_status", code=code, reason=prm.reason, final=final, call=self.key
        )
        if final and code // 100 == 2 and self.phone.args.hangup_after_transfer:
            # A handset hangs up a call it transferred; not inside the callback.
            self.phone.hang_up_later(self.key)


class PhoneAccount(pj.Account):
    """The phone's one account: incoming INVITEs land here; registration is reported."""

    def __init__(self, phone: "SipPhone") -> None:
        super().__init__()
        self.phone = phone

    def onIncomingCall(self, prm: "pj.OnIncomingCallParam") -> None:
        self.phone.incoming(prm.callId)

    def onRegState(self, prm: "pj.OnRegStateParam") -> None:
        info = self.getInfo()  # keep it alive while its fields are read
        active = bool(info.regIsActive)
        expires = int(info.regExpiresSec)
        # pjsip reports "not specified" (0xFFFFFFFF or -1) while unregistered.
        if not active or expires < 0 or expires >= 0xFFFFFFFF:
            expires = 0
        self.phone.out.emit(
            "registration",
            code=int(info.regStatus),
            reason=info.regStatusText,
            active=active,
            expires=expires,
        )


class SipPhone:
    """The phone: pjsua2 endpoint, account, calls, player, recorder, command loop.

    Commands (stdin), each answered by {"event": "ok", "cmd": ...} or
    {"event": "error", "cmd": ..., "message": ...}:
      call {uri} (its reply carries the new call's key) | answer {code=200}
      hangup {code?, call?} | play_tone {hz, seconds=1.0} | stop_tone
      record {path, seconds?} | stop_record | dtmf {digits, method=rfc4733|info}
      hold {call?} | unhold {call?} (that call becomes the current one)
      transfer {uri, call?} (blind) | transfer_replaces {call} (attended: the held
      call `call` to the current one)
      register | unregister (only with --registrar) | quit
    `call` in a command names a call by its key; without it, the current call.
    A call waits on hold while another is made; after a transfer succeeds (final
    2xx NOTIFY) the phone hangs the transferred call up, as handsets do, unless
    started with --keep-transferred.
    `call` takes a full URI, or with --registrar a bare number or user, which is
    dialled as sip:<number>@<registrar host> through the registrar.
    Events (stdout): ready {port}, incoming {from, to, caller_name, caller_number,
      call}, busy {from, caller_name, caller_number, call}, state {state, code,
      reason, call}, early_media {call}, media {call} (after state CONFIRMED),
      dtmf {digit, method, call}, recorded {path}, registration {code, reason, active,
      expires}, transfer_status {code, reason, final, call} (each NOTIFY of a transfer).
    """

    def __init__(self, args: argparse.Namespace, out: EventOut) -> None:
        self.args = args
        self.out = out
        self.ep = pj.Endpoint()
        self.account: PhoneAccount | None = None
        self.calls: dict[int, PhoneCall] = {}
        self.current: PhoneCall | None = None
        self.next_key = 1
        self.to_forget: list[int] = []
        self.to_hang_up: list[int] = []
        self.player: pj.AudioMediaPlayer | None = None
        self.player_call: int | None = None
        self.recorder: pj.AudioMediaRecorder | None = None
        self.record_path = ""
        self.record_deadline: float | None = None
        # Recorders destroyed but maybe not yet closed: path -> give-up time.
        self.closing_wavs: dict[str, float] = {}
        self.tone_dir = tempfile.TemporaryDirectory(prefix="sip_phone_")
        self.running = True
        self.stdin_buffer = b""

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> None:
        self.ep.libCreate()
        self.ep.libInit(self._endpoint_config())
        self.ep.audDevManager().setNullDev()
        transport = pj.TransportConfig()
        transport.boundAddress = self.args.bind
        transport.port = self.args.port
        if self.args.transport == "tls":
            transport.tlsConfig.verifyServer = False  # the box has a self-signed certificate
        self.ep.transportCreate(_TRANSPORTS[self.args.transport], transport)
        only = self.args.codecs.split(",") if self.args.codecs else None
        for codec in self.ep.codecEnum2():
            if only is not None:  # a phone that speaks just these codecs
                priority = 255 - only.index(codec.codecId) if codec.codecId in only else 0
                self.ep.codecSetPriority(codec.codecId, priority)
            elif codec.codecId in _CODEC_PRIORITIES:
                self.ep.codecSetPriority(codec.codecId, _CODEC_PRIORITIES[codec.codecId])
        self.ep.libStart()
        self.account = PhoneAccount(self)
        self.account.create(self._account_config(), True)
        self.out.emit("ready", port=self.args.port)

    def _endpoint_config(self) -> "pj.EpConfig":
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = 8
        cfg.uaConfig.userAgent = "callbox-test-phone"
        cfg.logConfig.level = self.args.log_level
        cfg.logConfig.consoleLevel = self.args.log_level
        cfg.medConfig.clockRate = CLOCK_RATE
        cfg.medConfig.ecTailLen = 0
        cfg.medConfig.noVad = True
        # Keep the (null) sound device, hence the conference clock, running: when
        # pjsua closes an idle device, streams stop sending RTP and DTMF.
        cfg.medConfig.sndAutoCloseTime = -1
        return cfg

    def _account_config(self) -> "pj.AccountConfig":
        args = self.args
        cfg = pj.AccountConfig()
        if args.registrar:
            self._registrar_config(cfg)
        else:
            cfg.idUri = f'"{args.name}" <sip:{args.name}@{args.bind}:{args.port}>'
        media = cfg.mediaConfig.transportConfig
        media.boundAddress = args.bind
        media.port = args.rtp_port
        media.portRange = RTP_PORT_RANGE
        cfg.mediaConfig.srtpUse = pj.PJMEDIA_SRTP_DISABLED
        return cfg

    def _registrar_config(self, cfg: "pj.AccountConfig") -> None:
        """Identity user@registrar host, digest credentials, registrar as outbound proxy."""
        args = self.args
        uri = f"sip:{args.user}@{uri_host(args.registrar)}"
        if args.display_name:
            display = args.display_name.replace("\\", "\\\\").replace('"', '\\"')
            uri = f'"{display}" <{uri}>'
        cfg.idUri = uri
        cfg.regConfig.registrarUri = self.registrar_uri
        cfg.regConfig.timeoutSec = REG_TIMEOUT_SEC
        cfg.regConfig.retryIntervalSec = REG_RETRY_SEC
        if hasattr(cfg.regConfig, "firstRetryIntervalSec"):
            cfg.regConfig.firstRetryIntervalSec = 1
        cfg.regConfig.randomRetryIntervalSec = 0  # pjsua's default adds up to 10 s at random
        cfg.regConfig.registerOnAdd = args.register
        cred = pj.AuthCredInfo("digest", "*", args.user, 0, args.secret)
        cfg.sipConfig.authCreds.append(cred)
        cfg.sipConfig.proxies.append(self.registrar_uri + ";lr")

    @property
    def registrar_uri(self) -> str:
        """--registrar, with ;transport=tcp|tls when the phone does not use UDP."""
        uri, transport = self.args.registrar, self.args.transport
        if transport != "udp" and "transport=" not in uri.lower():
            uri += f";transport={transport}"
        return uri

    def run(self) -> None:
        """Pump pjsip and stdin until `quit` or end of input."""
        while self.running:
            self.ep.libHandleEvents(10)
            self._hang_up_calls()
            self._forget_calls()
            self._check_recordings()
            for line in self._read_lines():
                self.handle_line(line)
                if not self.running:
                    break

    def shutdown(self) -> None:
        """Hang up, free every pj object on this thread, then the library."""
        self.player = None
        self._drop_recorder()
        if self.calls:
            self.ep.hangupAllCalls()
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline and not all(
                c.disconnected for c in self.calls.values()
            ):
                self.ep.libHandleEvents(10)
        self.current = None
        self.calls.clear()
        self.to_forget.clear()
        if self.account is not None:
            self.account.shutdown()
            self.account = None
        self.ep.libDestroy()
        self.tone_dir.cleanup()

    def _read_lines(self) -> list[str]:
        if not select.select([0], [], [], 0)[0]:
            return []
        chunk = os.read(0, 65536)
        if not chunk:
            self.running = False  # EOF: the test side is gone
            return []
        self.stdin_buffer += chunk
        *lines, self.stdin_buffer = self.stdin_buffer.split(b"\n")
        return [line.decode("utf-8", "replace") for line in lines if line.strip()]

    # --- calls -----------------------------------------------------------------

    def _new_call(self, call_id: int = pj.PJSUA_INVALID_ID) -> PhoneCall:
        call = PhoneCall(self, self.next_key, call_id)
        self.calls[self.next_key] = call
        self.next_key += 1
        return call

    def incoming(self, call_id: int) -> None:
        call = self._new_call(call_id)
        info = call.getInfo()
        name, number = caller_parts(info.remoteUri)
        caller = {"caller_name": name, "caller_number": number}
        if self.current is not None and not self.current.disconnected:
            # One line only: a second caller hears busy, like a real handset.
            call.quiet = True
            fields = {"from": info.remoteUri, **caller}
            self.out.emit("busy", **fields, call=call.key)
            call.hangup(op_param(486))
            return
        self.current = call
        fields = {"from": info.remoteUri, "to": info.localUri, **caller}
        # A real handset starts ringing by itself: 180 at once, 200 when told.
        call.answer(op_param(180))
        self.out.emit("incoming", **fields, call=call.key)

    def forget_call_later(self, key: int) -> None:
        """Called from the call's own DISCONNECTED callback: free it from the loop."""
        self.to_forget.append(key)

    def hang_up_later(self, key: int) -> None:
        """Called from a call's callback: hang it up from the loop."""
        self.to_hang_up.append(key)

    def _hang_up_calls(self) -> None:
        while self.to_hang_up:
            call = self.calls.get(self.to_hang_up.pop())
            if call is not None and not call.disconnected:
                with contextlib.suppress(pj.Error):
                    call.hangup(op_param())

    def _forget_calls(self) -> None:
        while self.to_forget:
            key = self.to_forget.pop()
            if self.player_call == key:
                self.player, self.player_call = None, None
            call = self.calls.pop(key, None)
            if call is not None and call is self.current:
                self.current = None

    def _live_call(self) -> PhoneCall:
        if self.current is None or self.current.disconnected:
            raise CommandError("no current call")
        return self.current

    def _chosen_call(self, msg: dict) -> PhoneCall:
        """The call a command names by its key ("call"), else the current one."""
        if "call" not in msg:
            return self._live_call()
        call = self.calls.get(int(msg["call"]))
        if call is None or call.disconnected:
            raise CommandError(f"no call {msg['call']}")
        return call

    def _audio(self) -> "pj.AudioMedia":
        try:
            return self._live_call().getAudioMedia(-1)
        except pj.Error as err:
            raise CommandError(f"call has no active audio: {err.reason}") from None

    # --- commands ----------------------------------------------------------------

    def handle_line(self, line: str) -> None:
        try:
            msg = json.loads(line)
            name = msg["cmd"]
        except (ValueError, KeyError, TypeError):
            self.out.emit("error", cmd=None, message=f"bad command line: {line!r}")
            return
        handler = getattr(self, f"cmd_{name}", None) if isinstance(name, str) else None
        if handler is None:
            self.out.emit("error", cmd=name, message="unknown command")
            return
        try:
            result = handler(msg) or {}
        except pj.Error as err:
            self.out.emit("error", cmd=name, message=err.reason)
        except (CommandError, KeyError, ValueError, TypeError) as err:
            self.out.emit("error", cmd=name, message=str(err))
        else:
            self.out.emit("ok", cmd=name, **result)

    def _dial_target(self, uri: str) -> str:
        """A full URI as given; a bare number becomes sip:<number>@<registrar host>."""
        uri = uri.strip()
        if uri.lower().startswith(("sip:", "sips:", "tel:", "<", '"')):
            return uri
        if not self.args.registrar:
            raise CommandError(f"{uri!r} is not a SIP URI and the phone has no registrar")
        return f"sip:{uri}" if "@" in uri else f"sip:{uri}@{uri_host(self.args.registrar)}"

    def _registered_account(self) -> PhoneAccount:
        if not self.args.registrar or self.account is None:
            raise CommandError("the phone has no registrar (start it with --registrar)")
        return self.account

    def cmd_register(self, msg: dict) -> None:
        self._registered_account().setRegistration(True)

    def cmd_unregister(self, msg: dict) -> None:
        self._registered_account().setRegistration(False)

    def cmd_call(self, msg: dict) -> dict:
        if self.current is not None and not self.current.disconnected and not self.current.held:
            raise CommandError("a call is already in progress (hold it first)")
        target = self._dial_target(str(msg["uri"]))
        call = self._new_call()
        try:
            call.makeCall(target, op_param())
        except pj.Error:
            self.calls.pop(call.key, None)
            raise
        self.current = call
        return {"call": call.key}

    def cmd_answer(self, msg: dict) -> None:
        self._live_call().answer(op_param(int(msg.get("code", 200))))

    def cmd_hangup(self, msg: dict) -> None:
        code = msg.get("code")
        self._chosen_call(msg).hangup(op_param(None if code is None else int(code)))

    def cmd_play_tone(self, msg: dict) -> None:
        hz, seconds = float(msg["hz"]), float(msg.get("seconds", 1.0))
        sink = self._audio()
        path = os.path.join(self.tone_dir.name, f"tone_{hz:g}_{seconds:g}.wav")
        if not os.path.exists(path):
            write_tone_wav(path, hz, seconds)
        self.cmd_stop_tone({})
        player = pj.AudioMediaPlayer()
        player.createPlayer(path, 0)  # 0: loop
        player.startTransmit(sink)
        self.player, self.player_call = player, self._live_call().key

    def reattach_player(self, call_key: int) -> None:
        """Connect the playing tone to its call's current audio port again."""
        if self.player is not None and self.player_call == call_key:
            with contextlib.suppress(pj.Error):
                self.player.startTransmit(self.calls[call_key].getAudioMedia(-1))

    def cmd_stop_tone(self, msg: dict) -> None:
        if self.player is not None and self.player_call in self.calls:
            with contextlib.suppress(pj.Error):
                self.player.stopTransmit(self.calls[self.player_call].getAudioMedia(-1))
        self.player, self.player_call = None, None

    def cmd_record(self, msg: dict) -> None:
        path = str(msg["path"])
        seconds = msg.get("seconds")
        if path in self.closing_wavs:
            raise CommandError(f"{path} is still being closed; wait for its recorded event")
        source = self._audio()
        self._drop_recorder()
        recorder = pj.AudioMediaRecorder()
        recorder.createRecorder(path)
        source.startTransmit(recorder)
        self.recorder, self.record_path = recorder, path
        if seconds is not None:
            self.record_deadline = time.monotonic() + float(seconds)

    def cmd_stop_record(self, msg: dict) -> None:
        if self.recorder is None:
            raise CommandError("not recording")
        self._drop_recorder()

    def cmd_dtmf(self, msg: dict) -> None:
        prm = pj.CallSendDtmfParam()
        prm.digits = str(msg["digits"])
        prm.method = _DTMF_METHODS[msg.get("method", "rfc4733")]
        self._live_call().sendDtmf(prm)

    def cmd_hold(self, msg: dict) -> None:
        call = self._chosen_call(msg)
        call.setHold(op_param())
        call.held = True

    def cmd_unhold(self, msg: dict) -> None:
        call = self._chosen_call(msg)
        prm = op_param()
        prm.opt.flag = pj.PJSUA_CALL_UNHOLD
        call.reinvite(prm)
        call.held = False
        self.current = call

    def cmd_transfer(self, msg: dict) -> None:
        """Blind transfer: REFER the call (default: the current one) to a number or URI."""
        self._chosen_call(msg).xfer(self._dial_target(str(msg["uri"])), op_param())

    def cmd_transfer_replaces(self, msg: dict) -> None:
        """Attended transfer: REFER held call `call` to the current call (with Replaces)."""
        held = self._chosen_call(msg)
        if held is self.current:
            raise CommandError("the call to transfer must not be the current one")
        held.xferReplaces(self._live_call(), op_param())

    def cmd_quit(self, msg: dict) -> None:
        self.running = False

    def _check_recordings(self) -> None:
        """Stop a timed recording when due; report each WAV once its writer closed it."""
        now = time.monotonic()
        if self.record_deadline is not None and now >= self.record_deadline:
            self._drop_recorder()
        for path, give_up in list(self.closing_wavs.items()):
            if wav_is_complete(path):
                del self.closing_wavs[path]
                self.out.emit("recorded", path=path)
            elif now >= give_up:
                del self.closing_wavs[path]
                self.out.emit("error", cmd="record", message=f"{path} was never completed")

    def _drop_recorder(self) -> None:
        """Destroy the recorder; the bridge removes its port, then the WAV is closed."""
        if self.recorder is not None:
            self.recorder = None
            self.closing_wavs[self.record_path] = time.monotonic() + 3.0
        self.record_deadline = None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="SIP port on --bind")
    parser.add_argument(
        "--name", default="phone", help="user part and display name (without --registrar)"
    )
    parser.add_argument(
        "--bind", default="127.0.0.1", help="address of the SIP transport and RTP (127.0.0.1)"
    )
    parser.add_argument("--transport", choices=sorted(_TRANSPORTS), default="udp")
    parser.add_argument(
        "--codecs", default="", help="the only codecs to offer, e.g. PCMA/8000/1,G722/16000/1"
    )
    parser.add_argument("--registrar", help="registrar and outbound proxy: sip:127.0.0.1:5060")
    parser.add_argument("--user", help="SIP user (extension) to register, e.g. 1001")
    parser.add_argument("--secret", help="digest password of --user")
    parser.add_argument("--display-name", help="display name of the registered identity")
    parser.add_argument(
        "--no-register",
        dest="register",
        action="store_false",
        help="add the account without registering (send the register command later)",
    )
    parser.add_argument(
        "--rtp-port",
        type=int,
        default=None,
        help=f"first RTP port of a range of {RTP_PORT_RANGE}"
        " (default 10000 + (port %% 500) * 20, below the ephemeral ports)",
    )
    parser.add_argument(
        "--log-level", type=int, default=1, help="pjsip log level on stderr (1 errors .. 5)"
    )
    parser.add_argument(
        "--keep-transferred",
        dest="hangup_after_transfer",
        action="store_false",
        help="keep a call up after transferring it (handsets hang it up)",
    )
    args = parser.parse_args(argv)
    if args.registrar and (not args.user or args.secret is None):
        parser.error("--registrar needs --user and --secret")
    if args.registrar and not args.registrar.lower().startswith(("sip:", "sips:")):
        parser.error("--registrar must be a sip: URI, e.g. sip:127.0.0.1:5060")
    if args.rtp_port is None:
        args.rtp_port = 10000 + (args.port % 500) * RTP_PORT_RANGE
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    phone = SipPhone(args, EventOut(take_stdout()))
    try:
        phone.start()
        phone.run()
    except pj.Error as err:
        print(f"sip_phone: {err.info()}", file=sys.stderr)
        return 1
    finally:
        phone.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
