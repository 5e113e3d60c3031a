"""Supervision of live queue calls: listen, whisper to the agent, or barge in."""

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from pbx.bus import EventBus
from pbx.calls import CallService, Leg, wait_any
from pbx.dialer import CallRefused, ExtensionDialer
from pbx.events import DtmfReceived
from pbx.queues import QueueError
from pbx.queues.acd import Acd, Session
from pbx.sip import EngineError, LegGone, SipEngine

logger = logging.getLogger(__name__)

MODES = ("listen", "whisper", "barge")
# Keys a supervisor presses to change mode during the call (as Asterisk's ChanSpy).
MODE_KEYS = {"4": "listen", "5": "whisper", "6": "barge"}
NOT_FOUND = 404


Links = dict[tuple[int, int], float]  # (source leg, sink leg) -> gain


def _links(mode: str, supervisor: int, caller: int, agent: int) -> Links:
    """The audio paths of a mode, beyond caller and agent: who hears whom, and how loud.

    Every mode has the same paths and sets only the gains of the supervisor's
    own. A path at gain 0 is heard by nobody but keeps the supervisor's audio
    read by the bridge: left unread (nobody listening, as in listen mode) it
    would pile up in the jitter buffer, and the next whisper or barge would
    reach the agent up to half a second late and clipped for seconds.
    """
    return {
        (caller, supervisor): 1.0,
        (agent, supervisor): 1.0,
        (supervisor, agent): 1.0 if mode in ("whisper", "barge") else 0.0,
        (supervisor, caller): 1.0 if mode == "barge" else 0.0,
    }


@dataclass(frozen=True)
class Supervision:
    """A supervision under way: who supervises which agent, in which mode now."""

    supervisor: str
    agent: str
    mode: str


class SupervisorService:
    """Connects a supervisor's call to an agent's live queue call.

    - listen: the supervisor hears caller and agent; nobody hears the supervisor;
    - whisper: the agent hears the supervisor too, the caller does not;
    - barge: both hear the supervisor.

    Audio paths are conference links; the caller and agent's own bridge is never
    touched, so a supervisor leaving changes nothing for them. The supervision ends
    when either side hangs up.
    """

    def __init__(
        self,
        calls: CallService,
        engine: SipEngine,
        dialer: ExtensionDialer,
        acd: Acd,
        bus: EventBus,
    ) -> None:
        self._calls = calls
        self._engine = engine
        self._dialer = dialer
        self._acd = acd
        self._mode_requests: dict[int, asyncio.Queue] = {}  # supervisor leg -> keys pressed
        self._live: dict[int, Supervision] = {}  # supervisor leg -> its supervision
        self._tasks: set[asyncio.Future] = set()
        bus.subscribe(DtmfReceived, self._handle_dtmf)

    def session(self, agent: str) -> Session:
        """The agent's live queue call; QueueError if it has none."""
        session = self._acd.session_of(agent)
        if session is None:
            raise QueueError(f"agent {agent} is on no queue call")
        return session

    def supervisions(self) -> list[Supervision]:
        """The supervisions under way, each in the mode its links are in."""
        return list(self._live.values())

    async def supervise(self, supervisor: str, agent: str, mode: str) -> None:
        """Ring the supervisor's extension; once answered, supervise the agent's call."""
        if mode not in MODES:
            raise QueueError(f"mode must be one of {', '.join(MODES)}")
        self.session(agent)
        task = asyncio.ensure_future(self._ring_and_watch(supervisor, agent, mode))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _ring_and_watch(self, supervisor: str, agent: str, mode: str) -> None:
        stub = Leg(0, "inbound", "", f"{mode} {agent}")
        try:
            leg = await self._dialer.ring(stub, supervisor)
        except CallRefused as refused:
            logger.info("supervisor %s did not take the call: %d", supervisor, refused.status_code)
            return
        await self.watch(leg, agent, mode)

    async def watch(self, leg: Leg, agent: str, mode: str) -> None:
        """Supervise with an answered (or to be answered) leg until either call ends."""
        try:
            session = self.session(agent)
        except QueueError:
            with contextlib.suppress(LegGone, EngineError):
                await self._calls.hangup(leg.leg_id, NOT_FOUND)
            return
        keys: asyncio.Queue = asyncio.Queue()
        self._mode_requests[leg.leg_id] = keys
        links: Links = {}
        try:
            if leg.answered_at is None:
                await self._calls.answer(leg.leg_id)
            await self._calls.wait_media(leg.leg_id)
            while mode:
                links = await self._relink(links, _links(mode, leg.leg_id, *_legs(session)))
                self._live[leg.leg_id] = Supervision(leg.extension, agent, mode)
                logger.info("%s supervises agent %s (%s)", leg.extension or "?", agent, mode)
                mode = await self._next_mode(leg, session, keys)
        except (LegGone, EngineError) as err:
            logger.debug("supervision of %s ended: %s", agent, err)
        finally:
            self._mode_requests.pop(leg.leg_id, None)
            self._live.pop(leg.leg_id, None)
            await self._relink(links, {})
            with contextlib.suppress(LegGone, EngineError):
                await self._calls.hangup(leg.leg_id)

    async def _next_mode(self, leg: Leg, session: Session, keys: asyncio.Queue) -> str:
        """The mode asked for next, or "" once the supervisor or the queue call ends."""
        key_pressed = asyncio.ensure_future(keys.get())
        ended = asyncio.ensure_future(
            wait_any(leg.ended, session.caller.ended, session.agent_leg.ended)
        )
        try:
            await asyncio.wait({key_pressed, ended}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            key_pressed.cancel()
            ended.cancel()
        if ended.done() or not key_pressed.done() or key_pressed.cancelled():
            return ""  # a call ended (that wins over a key pressed at the same moment)
        return key_pressed.result()

    async def _relink(self, old: Links, new: Links) -> Links:
        """Go from the paths `old` to `new`: those gone, those added, gains changed."""
        for source, sink in old.keys() - new.keys():
            with contextlib.suppress(EngineError):
                await self._engine.disconnect(source, sink)
        for (source, sink), gain in new.items():
            if old.get((source, sink)) != gain:
                await self._engine.connect(source, sink, gain=gain)
        return new

    def _handle_dtmf(self, event: DtmfReceived) -> None:
        keys = self._mode_requests.get(event.leg_id)
        if keys is not None and event.digit in MODE_KEYS:
            keys.put_nowait(MODE_KEYS[event.digit])


def _legs(session: Session) -> tuple[int, int]:
    return session.caller.leg_id, session.agent_leg.leg_id
