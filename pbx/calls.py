"""The call service: call legs as the rest of the PBX sees them, and what can be done to them."""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from pbx.background import BackgroundWork
from pbx.bus import EventBus
from pbx.events import (
    CallAnswered,
    CallEnded,
    CallMediaReady,
    CallOffered,
    CallProgress,
    DtmfReceived,
    LegsBridged,
    LegsUnbridged,
    MediaStats,
)
from pbx.loop_guard import LoopGuard
from pbx.sip import EngineError, LegGone, SipEngine
from pbx.store import CdrEntry, CdrStore

logger = logging.getLogger(__name__)

NOT_FOUND = 404
DTMF_RELAY_GAP_S = 0.1  # between relayed digits: faster than anyone presses keys
SERVER_ERROR = 500
LINE_SCHEME = "line:"  # "line:fxs1", "line:fxo2;dial=5551234": a leg on an analog line


def _now() -> datetime:
    return datetime.now(UTC)


def _new_uid() -> str:
    return uuid.uuid4().hex


@dataclass
class Leg:
    """One call leg (one side of a call) while it lasts. Loop thread only."""

    leg_id: int
    direction: str  # "inbound" (offered to the box) or "outbound" (placed by it)
    caller_number: str = ""
    caller_name: str = ""
    dialled: str = ""
    remote_uri: str = ""
    state: str = "offered"
    extension: str = ""  # the extension this leg belongs to (caller or callee)
    trunk: str = ""  # the trunk this leg came in on or goes out through
    line: str = ""  # the analog line (fxs1, fxo2) this leg is on
    ending: bool = False  # a hang-up was asked for
    uid: str = field(default_factory=_new_uid)
    call_uid: str = ""  # the call this leg belongs to (the first leg's uid)
    started_at: datetime = field(default_factory=_now)
    answered_at: datetime | None = None
    end_code: int = 0
    progress: asyncio.Event = field(default_factory=asyncio.Event)
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    media_ready: asyncio.Event = field(default_factory=asyncio.Event)
    bridged: asyncio.Event = field(default_factory=asyncio.Event)  # hears its partner now
    ended: asyncio.Event = field(default_factory=asyncio.Event)


async def wait_any(*events: asyncio.Event, timeout_s: float | None = None) -> bool:
    """Wait until one of `events` is set; False if `timeout_s` passed first."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        done, _ = await asyncio.wait(
            waiters, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        for waiter in waiters:
            waiter.cancel()
    return bool(done)


@dataclass(frozen=True)
class CallStats:
    """Counts since the daemon started."""

    active_legs: int
    peak_legs: int
    total_legs: int


class LegControl(Protocol):
    """Signalling for legs, whatever carries them: the SIP engine, or the analog lines.

    Both report what happens to their legs with the same events on the bus
    (CallOffered, CallProgress, CallAnswered, CallMediaReady, CallEnded,
    DtmfReceived), and both put their legs' audio on the engine's conference bridge
    under the leg's id, so bridging, playing and echo work on either alike.
    """

    async def answer(self, leg_id: int, status_code: int = 200) -> None:
        """Answer an offered leg (200), or tell its caller it rings (180)."""
        ...

    async def hangup(self, leg_id: int, status_code: int = 0) -> None:
        """End a leg; `status_code` refuses one not yet answered."""
        ...

    async def hangup_all(self) -> None:
        """End every leg."""
        ...

    async def place(
        self, leg_id: int, uri: str, headers: dict[str, str], from_uri: str, trunk: str
    ) -> None:
        """Start outbound leg `leg_id` to `uri`, presenting `from_uri` as the caller."""
        ...

    async def send_dtmf(self, leg_id: int, digits: str, method: str = "rfc4733") -> None:
        """Send digits on a leg."""
        ...


def line_of(uri: str) -> str:
    """The analog line a "line:" URI names ("fxo1" of "line:fxo1;dial=123"), else ""."""
    if not uri.startswith(LINE_SCHEME):
        return ""
    return uri.removeprefix(LINE_SCHEME).partition(";")[0]


# An offer handler claims a new inbound leg by returning True (and then owns it);
# the first to claim wins. Routing, IVRs and queues plug in here.
OfferHandler = Callable[[Leg], Awaitable[bool]]


def _disposition(leg: Leg, status_code: int) -> str:
    if leg.answered_at is not None:
        return "answered"
    if status_code in (486, 600):
        return "busy"
    if status_code == 487:
        return "cancelled"
    if status_code in (408, 480):
        return "no-answer"
    return "failed"


class CallService:
    """Answers, places, bridges and ends call legs, and keeps their records.

    All methods run on the event loop. Engine commands are awaited; engine news
    arrives through the bus and updates the legs here before anyone else sees it.
    """

    def __init__(self, engine: SipEngine, bus: EventBus, cdrs: CdrStore, guard: LoopGuard) -> None:
        self._engine = engine
        self._lines: LegControl | None = None
        self._bus = bus
        self._cdrs = cdrs
        self._guard = guard
        self._legs: dict[int, Leg] = {}
        self._offer_handlers: list[OfferHandler] = []
        self._partners: dict[int, int] = {}  # bridged legs, both ways
        self._dtmf_relays: dict[int, asyncio.Future] = {}  # last digit sent on each leg
        self._background = BackgroundWork("call service background work")
        self._peak = 0
        self._total = 0
        self._idle = asyncio.Event()
        self._idle.set()
        bus.subscribe(CallOffered, self._handle_offered)
        bus.subscribe(CallProgress, self._handle_progress)
        bus.subscribe(CallAnswered, self._handle_answered)
        bus.subscribe(CallMediaReady, self._handle_media_ready)
        bus.subscribe(CallEnded, self._handle_ended)
        bus.subscribe(DtmfReceived, self._handle_dtmf)

    def add_offer_handler(self, handler: OfferHandler) -> None:
        """Let `handler` claim new inbound legs; unclaimed ones are refused with 404."""
        self._offer_handlers.append(handler)

    def set_line_control(self, lines: LegControl) -> None:
        """Let `lines` carry the legs on analog lines: those offered with a line, and
        those placed to "line:" URIs. Every other leg is the SIP engine's."""
        self._lines = lines

    def _control(self, leg_id: int) -> LegControl:
        leg = self._legs.get(leg_id)
        if leg is not None and leg.line and self._lines is not None:
            return self._lines
        return self._engine

    # --- commands --------------------------------------------------------------------

    async def answer(self, leg_id: int) -> None:
        """Answer an inbound leg."""
        await self._control(leg_id).answer(leg_id, 200)

    async def ring(self, leg_id: int) -> None:
        """Tell an inbound caller the call is ringing (180); nothing once it is answered
        (a queue or IVR sending its caller on), as SIP has no ringing after the answer."""
        leg = self._legs.get(leg_id)
        if leg is None or leg.answered_at is None:
            await self._control(leg_id).answer(leg_id, 180)

    async def hangup(self, leg_id: int, status_code: int = 0) -> None:
        """End a leg; `status_code` refuses one not yet answered (486, 404, ...).

        Asking twice does nothing more: the first hang-up's cause stands.
        """
        leg = self._legs.get(leg_id)
        if leg is None:
            raise LegGone(leg_id)
        if leg.ending:
            return
        leg.ending = True
        await self._control(leg_id).hangup(leg_id, status_code)

    async def place(
        self,
        uri: str,
        dialled: str,
        *,
        from_uri: str = "",
        extension: str = "",
        for_leg: Leg | None = None,
        headers: dict[str, str] | None = None,
        trunk: str = "",
    ) -> Leg:
        """Call `uri`, presenting `from_uri` as the caller; returns the new outbound leg.

        `for_leg` is the leg this call is placed for: the new leg joins its call
        and its record names the same caller. A call through `trunk` answers the
        provider's challenges with the trunk's credentials.
        """
        caller = for_leg or Leg(0, "")
        leg = self._add_leg(
            Leg(
                self._engine.new_leg_id(),
                "outbound",
                caller.caller_number,
                caller.caller_name,
                dialled,
                uri,
                state="dialling",
                extension=extension,
                trunk=trunk,
                line=line_of(uri),
                call_uid=caller.call_uid,
            )
        )
        try:
            await self._control(leg.leg_id).place(leg.leg_id, uri, headers or {}, from_uri, trunk)
        except EngineError as err:
            self._handle_ended(CallEnded(leg.leg_id, 0, str(err), MediaStats()))
            raise
        return leg

    async def bridge(self, leg_a: int, leg_b: int) -> None:
        """Connect two legs both ways (both must have media): audio, and DTMF.

        Digits do not travel through the mixer, so each one received on a leg is
        sent again on its partner, by the method it came (RFC 4733 or SIP INFO).
        `leg_a` is the caller's side: recording puts it in the left channel.
        LegsBridged tells the rest of the box (recording).
        """
        self.pair(leg_a, leg_b)
        await self._engine.connect(leg_a, leg_b)
        await self._engine.connect(leg_b, leg_a)
        self._mark_bridged((leg_a, leg_b), True)
        self._bus.publish(LegsBridged(leg_a, leg_b))

    def pair(self, leg_a: int, leg_b: int) -> None:
        """Relay DTMF between two legs from now on (`bridge` does this too).

        Pair before answering a caller: a key pressed the instant the call
        connects must reach the other side. A leg paired anew (a transfer) leaves
        its old partner unpaired.
        """
        self._unpair(leg_a)
        self._unpair(leg_b)
        self._partners[leg_a], self._partners[leg_b] = leg_b, leg_a

    async def unbridge(self, leg_a: int, leg_b: int) -> None:
        """Undo `bridge`: no more audio or DTMF between two legs (either may have ended)."""
        if self._partners.get(leg_a) == leg_b:
            self._unpair(leg_a)
        for source, sink in ((leg_a, leg_b), (leg_b, leg_a)):
            with contextlib.suppress(EngineError):
                await self._engine.disconnect(source, sink)
        self._mark_bridged((leg_a, leg_b), False)
        self._bus.publish(LegsUnbridged(leg_a, leg_b))

    def _mark_bridged(self, leg_ids: tuple[int, int], bridged: bool) -> None:
        for leg_id in leg_ids:
            if leg := self._legs.get(leg_id):
                (leg.bridged.set if bridged else leg.bridged.clear)()

    def join_call(self, leg_id: int, call_uid: str) -> None:
        """Make a leg part of another call from now on (a transfer joined them)."""
        leg = self.leg(leg_id)
        leg.call_uid = call_uid
        self._background.track(self._cdrs.updated(leg.uid, call_uid=call_uid))

    def _unpair(self, leg_id: int) -> None:
        partner = self._partners.pop(leg_id, None)
        if partner is not None and self._partners.get(partner) == leg_id:
            del self._partners[partner]

    async def send_dtmf(self, leg_id: int, digits: str, method: str = "rfc4733") -> None:
        """Send digits on a leg: "rfc4733" (RTP events) or "info" (SIP INFO); analog
        lines play them as tones whatever the method."""
        await self._control(leg_id).send_dtmf(leg_id, digits, method)

    async def echo(self, leg_id: int) -> None:
        """Send a leg's audio straight back to it."""
        await self._engine.connect(leg_id, leg_id)

    async def play(self, leg_id: int, path: str, *, loop: bool = False) -> int:
        """Play a WAV file (8 or 16 kHz, 16-bit mono) to a leg; returns the player id."""
        return await self._engine.play(leg_id, path, loop=loop)

    async def wait_media(self, leg_id: int) -> None:
        """Return once the leg's audio flows; raise LegGone if the leg ends first."""
        leg = self.leg(leg_id)
        await wait_any(leg.media_ready, leg.ended)
        if not leg.media_ready.is_set():
            raise LegGone(leg_id)

    def leg(self, leg_id: int) -> Leg:
        """The live leg with this id; LegGone once it has gone."""
        try:
            return self._legs[leg_id]
        except KeyError:
            raise LegGone(leg_id) from None

    def partner_of(self, leg_id: int) -> int | None:
        """The leg bridged (or paired) with this one, if any."""
        return self._partners.get(leg_id)

    def legs_of(self, extension: str) -> int:
        """Live legs belonging to an extension (its own calls and calls ringing it)."""
        return sum(1 for leg in self._legs.values() if leg.extension == extension)

    def legs_on(self, trunk: str) -> int:
        """Live legs using a trunk, in either direction."""
        return sum(1 for leg in self._legs.values() if leg.trunk == trunk)

    def stats(self) -> CallStats:
        """Active, peak and total legs since start."""
        return CallStats(len(self._legs), self._peak, self._total)

    async def shutdown(self, timeout_s: float) -> None:
        """Hang up every leg, wait up to `timeout_s` for them to end, flush records."""
        if self._legs and self._engine.running:
            logger.info("hanging up %d call legs", len(self._legs))
            await self._engine.hangup_all()
            if self._lines is not None:
                await self._lines.hangup_all()
            try:
                await asyncio.wait_for(self._idle.wait(), timeout_s)
            except TimeoutError:
                logger.warning("%d legs still up after %.1f s", len(self._legs), timeout_s)
        await self._background.settle()

    # --- engine news ---------------------------------------------------------------

    def _add_leg(self, leg: Leg) -> Leg:
        self._legs[leg.leg_id] = leg
        self._idle.clear()
        self._total += 1
        self._peak = max(self._peak, len(self._legs))
        leg.call_uid = leg.call_uid or leg.uid
        entry = CdrEntry(
            leg.uid,
            leg.direction,
            leg.caller_number,
            leg.caller_name,
            leg.dialled,
            leg.remote_uri,
            leg.started_at,
            call_uid=leg.call_uid,
            trunk=leg.trunk,
            line=leg.line,
        )
        self._background.track(self._cdrs.started(entry))
        return leg

    def _handle_offered(self, event: CallOffered) -> None:
        self._guard.check("CallService._handle_offered")
        leg = self._add_leg(
            Leg(
                event.leg_id,
                "inbound",
                event.caller_number,
                event.caller_name,
                event.dialled,
                event.remote_uri,
                extension=event.extension,
                trunk=event.trunk,
                line=event.line,
            )
        )

        logger.info("call %d from %s to %s", leg.leg_id, leg.caller_number or "?", leg.dialled)
        self._background.spawn(self._offer(leg))

    async def _offer(self, leg: Leg) -> None:
        refusal = NOT_FOUND
        for handler in self._offer_handlers:
            try:
                if await handler(leg):
                    return
            except LegGone:
                return
            except Exception:
                logger.exception("offer handler %r failed on leg %d", handler, leg.leg_id)
                refusal = SERVER_ERROR
                break
        with contextlib.suppress(LegGone):
            await self.hangup(leg.leg_id, refusal)

    def _handle_progress(self, event: CallProgress) -> None:
        if leg := self._legs.get(event.leg_id):
            leg.state = "ringing" if event.status_code == 180 else "early-media"
            leg.progress.set()

    def _handle_answered(self, event: CallAnswered) -> None:
        if leg := self._legs.get(event.leg_id):
            leg.state = "answered"
            leg.answered_at = _now()
            leg.answered.set()
            self._background.track(self._cdrs.updated(leg.uid, answered_at=leg.answered_at))

    def _handle_media_ready(self, event: CallMediaReady) -> None:
        if leg := self._legs.get(event.leg_id):
            leg.media_ready.set()

    def _handle_dtmf(self, event: DtmfReceived) -> None:
        partner = self._partners.get(event.leg_id)
        logger.debug(
            "DTMF %s (%s) on leg %d, relayed to %s",
            event.digit,
            event.method,
            event.leg_id,
            partner,
        )
        if partner is not None:
            self._background.track(
                asyncio.ensure_future(
                    self.send_dtmf(
                        partner,
                        event.digit,
                        event.method if event.method in ("rfc4733", "info") else "rfc4733",
                    )
                )
            )

    def _handle_ended(self, event: CallEnded) -> None:
        self._guard.check("CallService._handle_ended")
        leg = self._legs.pop(event.leg_id, None)
        self._unpair(event.leg_id)
        self._dtmf_relays.pop(event.leg_id, None)
        if leg is None:
            return
        leg.state = "ended"
        leg.end_code = event.status_code
        leg.ended.set()
        if not self._legs:
            self._idle.set()
        media = event.media
        self._background.track(
            self._cdrs.updated(
                leg.uid,
                ended_at=_now(),
                disposition=_disposition(leg, event.status_code),
                status_code=event.status_code,
                reason=event.reason,
                rtp_rx_packets=media.rx_packets,
                rtp_tx_packets=media.tx_packets,
                rtp_rx_lost=media.rx_lost,
                codec=media.codec,
            )
        )
