"""Automatic call distribution: callers wait in queues and are offered to free agents."""

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pbx.background import BackgroundWork
from pbx.bus import EventBus
from pbx.calls import CallService, Leg
from pbx.dialer import ExtensionDialer
from pbx.events import CallAnswered, CallEnded, CallHeld, DtmfReceived, TransferCompleted
from pbx.moh import MusicOnHold
from pbx.queues import QueueError
from pbx.queues.agents import AgentBoard
from pbx.queues.announcer import Announcer
from pbx.queues.call_queue import CallQueue, Entry
from pbx.queues.callback import CallbackDialer
from pbx.queues.journal import QueueJournal
from pbx.queues.prompts import PromptPlayer, QueuePrompts
from pbx.queues.ringing import NoAnswer, Ringer
from pbx.queues.settings import QueueSettings
from pbx.queues.strategy import choose
from pbx.sip import EngineError, LegGone

logger = logging.getLogger(__name__)

NOT_FOUND = 404
CALLER_LEFT = 487  # a ring cancelled because the caller went: not the agent's miss
Route = Callable[[Leg, str], Awaitable[None]]
# Records a caller of the named queue as the queue's recording policy says, from now on.
CallerRecording = Callable[[Leg, str], Awaitable[None]]


async def _not_recorded(leg: Leg, queue: str) -> None:
    """Where no recording is wired (tests of the queues alone)."""


@dataclass
class Session:
    """A queue call connected to an agent, while it lasts."""

    queue: str
    caller: Leg
    agent: str
    agent_leg: Leg
    started: float
    hold_s: float = 0.0
    held_since: float | None = None
    ended_by: str = ""  # "caller" or "agent": who hung up first
    transferred: bool = False

    def hold(self, held: bool, now: float) -> None:
        if held and self.held_since is None:
            self.held_since = now
        elif not held and self.held_since is not None:
            self.hold_s += now - self.held_since
            self.held_since = None


@dataclass(frozen=True)
class AcdParts:
    """What the distributor works with (built by the composition root)."""

    calls: CallService
    dialer: ExtensionDialer
    moh: MusicOnHold
    prompts: QueuePrompts
    player: PromptPlayer
    journal: QueueJournal
    callbacks: CallbackDialer
    route: Route  # sends a caller on to a destination ("ext:1001" ...)
    record: CallerRecording = _not_recorded


class Acd:
    """Queues, their callers and the offering of calls to agents. Loop thread only.

    A caller joins (the join rule and `max_callers` permitting), is answered and
    hears music and announcements. Free agents are offered callers in the order
    they joined, chosen by the queue's strategy; an agent who does not answer
    within `ring_timeout_s` is passed over and, after `retry_s`, the next is
    rung. The wait ends connected, abandoned, by `max_wait_s`, by a key, by the
    leave rule, or in a callback that keeps the caller's place.
    """

    def __init__(self, parts: AcdParts, agents: AgentBoard, bus: EventBus) -> None:
        self._p = parts
        self.agents = agents
        agents.on_change = self.kick
        self._ringer = Ringer(parts.calls, parts.dialer)
        self._announcer = Announcer(parts.moh, parts.player, parts.prompts)
        self._queues: dict[str, CallQueue] = {}
        self._waiting_legs: dict[int, Entry] = {}
        self._sessions: dict[str, Session] = {}  # by agent extension
        self._session_legs: dict[int, Session] = {}  # by caller and agent leg
        self._work = BackgroundWork("queue work")
        self._kicked = False
        self.rng = random.Random()
        bus.subscribe(DtmfReceived, self._handle_dtmf)
        bus.subscribe(CallEnded, self._handle_ended)
        bus.subscribe(CallAnswered, self._handle_answered)
        bus.subscribe(CallHeld, self._handle_held)
        bus.subscribe(TransferCompleted, self._handle_transfer)

    # --- configuration -------------------------------------------------------------

    def configure(self, settings: QueueSettings) -> None:
        """Add a queue or change one; callers waiting keep their places."""
        if settings.name in self._queues:
            self._queues[settings.name].settings = settings
        else:
            self._queues[settings.name] = CallQueue(settings)
        self.kick()

    def remove(self, name: str) -> None:
        """Remove a queue; refused while callers wait in it."""
        queue = self.queue(name)
        if queue.entries:
            raise QueueError(f"queue {name} has {len(queue.entries)} callers; try again later")
        del self._queues[name]

    def queue(self, name: str) -> CallQueue:
        """A live queue; QueueError if there is none."""
        try:
            return self._queues[name]
        except KeyError:
            raise QueueError(f"no queue {name}") from None

    def queues(self) -> list[CallQueue]:
        return [self._queues[n] for n in sorted(self._queues)]

    def session_of(self, agent: str) -> Session | None:
        """The queue call an agent is on, if any."""
        return self._sessions.get(agent)

    # --- a caller's stay ---------------------------------------------------------

    async def take(self, leg: Leg, name: str) -> None:
        """Queue a caller (the `queue:<name>` destination) and see the call through."""
        queue = self._queues.get(name)
        if queue is None:
            logger.warning("call %d sent to queue %s, which does not exist", leg.leg_id, name)
            await self._p.calls.hangup(leg.leg_id, NOT_FOUND)
            return
        journal = self._p.journal
        if refusal := queue.refusal(self.agents):
            journal.record("refused", queue=name, caller_number=leg.caller_number, reason=refusal)
            await self._send_on(leg, queue.settings.exit_destination)
            return
        entry = Entry(
            leg.caller_number,
            leg.caller_name,
            time.monotonic(),
            leg,
            trunk=leg.trunk,
            extension=leg.extension,
            call_uid=leg.call_uid,
        )
        queue.entries.append(entry)
        journal.record(
            "join",
            queue=name,
            caller_number=entry.number,
            entry=entry.uid,
            position=queue.position(entry),
        )
        await self._serve(queue, entry)

    async def _serve(self, queue: CallQueue, entry: Entry) -> None:
        """From the caller's answer to the end of their wait, and what follows it."""
        leg = entry.leg
        self._waiting_legs[leg.leg_id] = entry
        company = timer = None
        try:
            if leg.answered_at is None:
                await self._p.calls.answer(leg.leg_id)
            await self._p.calls.wait_media(leg.leg_id)
            await self._p.record(leg, queue.name)  # before the first announcement
            entry.state = "waiting"
            company = asyncio.ensure_future(self._announcer.accompany(queue, entry, leg.leg_id))
            limit_s = queue.settings.max_wait_s
            if limit_s and not entry.callback_attempts:
                remaining_s = max(0.0, entry.joined_at + limit_s - time.monotonic())
                timer = asyncio.get_running_loop().call_later(remaining_s, entry.decide, "timeout")
            self.kick()
            outcome, detail = await entry.decided
        except (LegGone, EngineError):
            entry.decide("abandon")
            outcome, detail = await entry.decided
        finally:
            self._waiting_legs.pop(leg.leg_id, None)
            if timer is not None:
                timer.cancel()
            await _cancelled(company)
        await self._after_wait(queue, entry, outcome, detail)

    async def _after_wait(self, queue: CallQueue, entry: Entry, outcome: str, detail) -> None:
        if outcome != "connected":
            await _cancelled(entry.offer)
        if outcome == "connected":
            await self._talk(queue, entry, *detail)
            return
        if outcome == "callback":
            await self._await_callback(queue, entry)
            return
        wait_s = time.monotonic() - entry.joined_at
        self._p.journal.record(
            outcome,
            queue=queue.name,
            caller_number=entry.number,
            entry=entry.uid,
            wait_s=wait_s,
            position=queue.position(entry),
        )
        queue.entries.remove(entry)
        self.kick()
        if outcome == "abandon":
            return
        with contextlib.suppress(EngineError):
            await self._p.moh.stop(entry.leg.leg_id, queue.settings.music_class)
        s = queue.settings
        await self._send_on(
            entry.leg, s.exit_key_destination if outcome == "exit-key" else s.exit_destination
        )

    async def _send_on(self, leg: Leg, destination: str) -> None:
        with contextlib.suppress(LegGone, EngineError):
            if destination:
                await self._p.route(leg, destination)
            else:
                await self._p.calls.hangup(leg.leg_id, 480 if leg.answered_at is None else 0)

    # --- offering callers to agents -------------------------------------------------

    def kick(self) -> None:
        """Look for callers to offer to free agents, soon (once however often asked)."""
        if not self._kicked:
            self._kicked = True
            asyncio.get_running_loop().call_soon(self._dispatch_all)

    def _dispatch_all(self) -> None:
        self._kicked = False

        # The queue whose first caller has waited longest gets first pick of shared agents.
        def oldest(queue: CallQueue) -> float:
            return min((e.joined_at for e in queue.waiting()), default=float("inf"))

        for queue in sorted(self._queues.values(), key=oldest):
            self._dispatch(queue)

    def _dispatch(self, queue: CallQueue) -> None:
        if queue.must_leave(self.agents):
            for entry in queue.waiting():
                if entry.state in ("waiting", "retry") and entry.leg is not None:
                    entry.decide("exit-empty")
        free = {m for m in queue.members() if self.agents.is_free(m)}
        budget = len(free)  # callbacks under way each hold one free agent
        for entry in queue.waiting():
            if budget <= 0:
                return
            if entry.state == "calling-back":
                budget -= 1
            elif entry.state == "callback":
                budget -= 1
                entry.state = "calling-back"
                self._work.spawn(self._call_back(queue, entry))
            elif entry.state == "retry":
                return  # its place comes first: the next agent rings after retry_s
            elif entry.state == "waiting":
                chosen = self._choose(queue, entry, free)
                if not chosen:
                    return
                budget -= len(chosen)
                free -= set(chosen)
                self._offer_to(queue, entry, chosen)

    def _choose(self, queue: CallQueue, entry: Entry, free: set[str]) -> list[str]:
        candidates = queue.candidates(self.agents, free, entry.tried)
        if not candidates and entry.tried:
            entry.tried.clear()  # every free agent was tried: a new round
            candidates = queue.candidates(self.agents, free, set())
        chosen = choose(queue.settings.strategy, candidates, queue.last_offered_order, self.rng)
        if chosen:
            queue.last_offered_order = chosen[-1].order
        return [c.extension for c in chosen]

    def _offer_to(self, queue: CallQueue, entry: Entry, extensions: list[str]) -> None:
        entry.state = "ringing"
        for extension in extensions:
            self.agents.agent(extension).ringing = True
        entry.offer = self._work.spawn(self._offer(queue, entry, extensions))

    async def _offer(self, queue: CallQueue, entry: Entry, extensions: list[str]) -> None:
        s = queue.settings
        answered = None
        try:
            answered = await self._ringer.first_answer(entry.leg, extensions, s.ring_timeout_s)
        except NoAnswer as failed:
            self._missed(queue, entry, failed.codes)
        finally:
            for extension in extensions:
                self.agents.agent(extension).ringing = False
            self.kick()
        if answered is None:
            if not entry.decided.done():
                entry.state = "retry"
                asyncio.get_running_loop().call_later(s.retry_s, self._retry, entry)
        elif not entry.decide("connected", answered):
            with contextlib.suppress(EngineError):
                await self._p.calls.hangup(answered[0].leg_id)

    def _missed(self, queue: CallQueue, entry: Entry, codes: dict[str, int]) -> None:
        for extension, code in codes.items():
            entry.tried.add(extension)
            if code == CALLER_LEFT or entry.decided.done():
                continue
            self._p.journal.record(
                "ring-no-answer",
                queue=queue.name,
                agent=extension,
                caller_number=entry.number,
                entry=entry.uid,
                reason=str(code),
            )
            self.agents.missed(extension, queue.settings.missed_rings_before_pause)

    def _retry(self, entry: Entry) -> None:
        if entry.state == "retry":
            entry.state = "waiting"
            self.kick()

    # --- connected -----------------------------------------------------------------

    async def _talk(self, queue: CallQueue, entry: Entry, agent_leg: Leg, agent: str) -> None:
        now = time.monotonic()
        wait_s = now - entry.joined_at
        position = queue.position(entry)
        entry.state = "connected"
        queue.entries.remove(entry)
        queue.answered(agent, wait_s)
        self.agents.answered(agent)
        journal = self._p.journal
        ids = {"queue": queue.name, "agent": agent, "caller_number": entry.number}
        journal.record("connect", **ids, entry=entry.uid, wait_s=wait_s, position=position)
        caller = entry.leg
        with contextlib.suppress(EngineError):
            await self._p.moh.stop(caller.leg_id, queue.settings.music_class)
        session = Session(queue.name, caller, agent, agent_leg, now)
        self._sessions[agent] = session
        self._session_legs[caller.leg_id] = self._session_legs[agent_leg.leg_id] = session
        try:
            await self._p.dialer.connect(caller, agent_leg)
        finally:
            for key in (caller.leg_id, agent_leg.leg_id):
                self._session_legs.pop(key, None)
            self._sessions.pop(agent, None)
            end = time.monotonic()
            session.hold(False, end)
            queue.last_call_end[agent] = end
            wrapup_s = queue.settings.wrapup_s
            self.agents.wrap_up(agent, wrapup_s)
            journal.record(
                "transfer" if session.transferred else "complete",
                **ids,
                entry=entry.uid,
                talk_s=end - session.started - session.hold_s,
                hold_s=session.hold_s,
                wrapup_s=wrapup_s,
                reason=session.ended_by,
            )
            self.kick()

    # --- callbacks -----------------------------------------------------------------

    async def _await_callback(self, queue: CallQueue, entry: Entry) -> None:
        """The caller asked to be called back: thank them, hang up, keep the place."""
        leg, entry.leg = entry.leg, None
        entry.state = "callback"
        self._p.journal.record(
            "callback-request",
            queue=queue.name,
            caller_number=entry.number,
            entry=entry.uid,
            wait_s=time.monotonic() - entry.joined_at,
            position=queue.position(entry),
        )
        with contextlib.suppress(EngineError):
            await self._p.moh.stop(leg.leg_id, queue.settings.music_class)
            thanks = await self._p.prompts.files(["queue-thankyou"], queue.settings.language)
            await self._p.player.play(leg.leg_id, thanks)
        with contextlib.suppress(LegGone, EngineError):
            await self._p.calls.hangup(leg.leg_id)
        self.kick()

    async def _call_back(self, queue: CallQueue, entry: Entry) -> None:
        """The caller's turn has come: call them back; once they answer, an agent rings."""
        entry.callback_attempts += 1
        ids = {"queue": queue.name, "caller_number": entry.number, "entry": entry.uid}
        self._p.journal.record("callback-attempt", **ids, position=queue.position(entry))
        leg = await self._p.callbacks.call(entry, queue.settings)
        if leg is None:
            if entry.callback_attempts >= queue.settings.callback_attempts:
                queue.entries.remove(entry)
                self._p.journal.record("callback-failed", **ids)
            else:
                entry.state = "callback-retry"
                delay_s = queue.settings.callback_retry_s
                asyncio.get_running_loop().call_later(delay_s, self._callback_due, entry)
            self.kick()
            return
        # The agent is shown the customer, not the queue the callback came from.
        leg.caller_number, leg.caller_name = entry.number, entry.name
        entry.leg = leg
        entry.decided = asyncio.get_running_loop().create_future()
        entry.tried.clear()
        await self._serve(queue, entry)

    def _callback_due(self, entry: Entry) -> None:
        if entry.state == "callback-retry":
            entry.state = "callback"
            self.kick()

    # --- engine news ---------------------------------------------------------------

    def _handle_dtmf(self, event: DtmfReceived) -> None:
        entry = self._waiting_legs.get(event.leg_id)
        if entry is None or entry.state not in ("waiting", "ringing", "retry"):
            return
        queue = next((q for q in self._queues.values() if entry in q.entries), None)
        if queue is None:
            return
        if event.digit == queue.settings.exit_key:
            entry.decide("exit-key")
        elif event.digit == queue.settings.callback_key:
            entry.decide("callback")

    def _handle_ended(self, event: CallEnded) -> None:
        if entry := self._waiting_legs.get(event.leg_id):
            entry.decide("abandon")
        if (session := self._session_legs.get(event.leg_id)) and not session.ended_by:
            session.ended_by = "caller" if event.leg_id == session.caller.leg_id else "agent"
        self.agents.calls_ended()

    def _handle_answered(self, event: CallAnswered) -> None:
        with contextlib.suppress(LegGone):
            extension = self._p.calls.leg(event.leg_id).extension
            if extension:
                self.agents.call_answered(extension)

    def _handle_held(self, event: CallHeld) -> None:
        if session := self._session_legs.get(event.leg_id):
            session.hold(event.held, time.monotonic())

    def _handle_transfer(self, event: TransferCompleted) -> None:
        session = self._session_legs.get(event.transferor_leg)
        if session is not None and session.agent_leg.leg_id == event.transferor_leg:
            session.transferred = True


async def _cancelled(task: asyncio.Future | None) -> None:
    """Cancel a task and wait until it has stopped."""
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
