"""The call recorder: records bridged calls as their policy says, linked to their CDRs."""

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pbx.background import BackgroundWork
from pbx.bus import EventBus
from pbx.calls import CallService, Leg, wait_any
from pbx.events import DtmfReceived, LegsBridged, LegsUnbridged
from pbx.recording.closing import ClosedFiles, close_files
from pbx.recording.disk_watch import DiskWatch
from pbx.recording.feature_code import FeatureCode
from pbx.recording.policy import RecordingMode, RecordingPolicies, RecordingPolicy, Scope
from pbx.recording.storage import RecordingFiles, RecordingStorage, files_for
from pbx.recording.wav_file import WavError
from pbx.sip import EngineError, LegGone, RecorderFile, SipEngine
from pbx.store import RecordingEntry, RecordingStore

logger = logging.getLogger(__name__)

CLOSE_WAIT_S = 2.0  # the engine closes a stopped recorder's file within a frame or two


def cdr_status(status: str) -> str:
    """What a call record says of a recording that ended with `status`."""
    return "recorded" if status == "complete" else status


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Recording:
    entry: RecordingEntry
    files: RecordingFiles
    recorder_ids: list[int]


@dataclass(eq=False)  # sessions are compared and hashed by identity
class _Session:
    """Two bridged legs, from the bridge until either ends or they are parted; or
    a caller alone (`b` None), from joining a queue until the caller hangs up."""

    a: Leg  # the caller's side: the left channel
    b: Leg | None
    policy: RecordingPolicy | None = None
    over: asyncio.Event = field(default_factory=asyncio.Event)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    current: _Recording | None = None

    @property
    def legs(self) -> list[Leg]:
        return [self.a] if self.b is None else [self.a, self.b]

    @property
    def leg_uids(self) -> list[str]:
        return [leg.uid for leg in self.legs]


class CallRecorder:
    """Records every bridge (CallService.bridge) as its policy says. Loop thread only.

    A bridge's policy comes from the scopes of its call: those attached to the
    call (a route or a queue it passed) and the extensions of both legs. With
    "always" a recording starts at the bridge; with "on-demand" a party on an
    extension starts and stops one by keying the feature code, each segment a
    recording of its own. A recording ends with the bridge. Its row is written
    before its file exists, so a cut leaves no file the start-up repair cannot
    find; the call records of both legs name it and say how it went.
    """

    def __init__(
        self,
        engine: SipEngine,
        calls: CallService,
        bus: EventBus,
        store: RecordingStore,
        storage: RecordingStorage,
        *,
        policies: RecordingPolicies,
        disk: DiskWatch,
        code: FeatureCode,
        rate_hz: int,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._engine = engine
        self._calls = calls
        self._store = store
        self._storage = storage
        self._policies = policies
        self._disk = disk
        self._code = code
        self._rate_hz = rate_hz
        self._clock = clock
        self._sessions: dict[int, _Session] = {}  # by each of its legs
        self._scopes: dict[str, list[Scope]] = {}  # by call_uid
        self._work = BackgroundWork("recording work")
        self.outcomes: Counter = Counter()  # recordings by how the CDRs say they went
        bus.subscribe(LegsBridged, self._handle_bridged)
        bus.subscribe(LegsUnbridged, self._handle_unbridged)
        bus.subscribe(DtmfReceived, self._handle_dtmf)

    def attach_scope(self, leg: Leg, scope: Scope) -> None:
        """Make a scope's policy count for `leg`'s call (a route or queue it passes).

        Attach before the call is bridged. It holds until a bridge of the call
        ends with both its legs, or until `leg` ends never bridged (a caller who
        gives up in a queue or hangs up in a menu).
        """
        if leg.call_uid not in self._scopes:
            self._work.spawn(self._forget_unbridged(leg))
        self._scopes.setdefault(leg.call_uid, []).append(scope)

    def detach_scopes(self, call_uid: str) -> None:
        """Forget the scopes attached to a call."""
        self._scopes.pop(call_uid, None)

    async def record_caller(self, leg: Leg) -> None:
        """Record `leg`'s call from now until the leg ends, with all it hears (music,
        announcements, the agent, anyone after a transfer), if its call's policy says
        "always": a queue's callers are recorded from the moment they join. Bridges of
        the leg are then not recorded apart; their other legs' CDRs name this recording.
        Attach the call's scopes first.
        """
        if leg.leg_id in self._sessions:
            return
        session = _Session(leg, None)
        session.policy = await self._policies.resolve(self._scopes_of(session))
        if leg.leg_id in self._sessions:
            return
        if session.policy.mode is not RecordingMode.ALWAYS:
            return
        self._sessions[leg.leg_id] = session
        self._work.spawn(self._follow(session))

    async def _forget_unbridged(self, leg: Leg) -> None:
        await leg.ended.wait()
        if leg.leg_id not in self._sessions:  # else its bridge's session lets them go
            self.detach_scopes(leg.call_uid)

    def active(self) -> int:
        """Recordings running now."""
        return sum(1 for s in set(self._sessions.values()) if s.current is not None)

    async def stop_all(self, status: str) -> None:
        """Stop every running recording, marking it `status` (the disk is full)."""
        sessions = {s for s in self._sessions.values() if s.current is not None}
        await asyncio.gather(*(self._stop(s, status) for s in sessions))

    async def shutdown(self) -> None:
        """Wait for the recordings of the calls just hung up to be closed."""
        await self._work.settle()

    # --- bus ------------------------------------------------------------------------

    def _handle_bridged(self, event: LegsBridged) -> None:
        if self._joins_caller_recording(event.leg_a, event.leg_b):
            return
        try:
            session = _Session(self._calls.leg(event.leg_a), self._calls.leg(event.leg_b))
        except LegGone:
            return
        self._sessions[event.leg_a] = self._sessions[event.leg_b] = session
        self._work.spawn(self._follow(session))

    def _joins_caller_recording(self, leg_a: int, leg_b: int) -> bool:
        """A bridge of a caller recorded alone: its other leg's CDR names that recording."""
        for caller, other in ((leg_a, leg_b), (leg_b, leg_a)):
            session = self._sessions.get(caller)
            if session is not None and session.b is None:
                with contextlib.suppress(LegGone):
                    self._work.spawn(self._mark_joined(session, self._calls.leg(other)))
                return True
        return False

    async def _mark_joined(self, session: _Session, leg: Leg) -> None:
        async with session.lock:
            if session.current is not None:
                uid = session.current.entry.uid
                await self._store.mark_legs(
                    [leg.uid], recording_uid=uid, recording_status="recording"
                )
                if leg.extension:  # the agent (or whoever) who took the queued caller
                    await self._store.updated(uid, agent=leg.extension)

    def _handle_unbridged(self, event: LegsUnbridged) -> None:
        session = self._sessions.get(event.leg_a)
        if session is not None and session.b is not None and event.leg_b == session.b.leg_id:
            session.over.set()

    def _handle_dtmf(self, event: DtmfReceived) -> None:
        session = self._sessions.get(event.leg_id)
        if session is None or session.policy is None:
            return
        keyed_on = session.b if session.b and session.b.leg_id == event.leg_id else session.a
        if (
            session.policy.mode is RecordingMode.ON_DEMAND
            and keyed_on.extension  # the box's own phones, not outside callers
            and self._code.feed(event.leg_id, event.digit)
        ):
            self._work.spawn(self._toggle(session))

    # --- a bridge's life ----------------------------------------------------------------

    def _scopes_of(self, session: _Session) -> list[Scope]:
        scopes = list(self._scopes.get(session.a.call_uid, ()))
        scopes += [Scope("extension", leg.extension) for leg in session.legs]
        return [scope for scope in scopes if scope.key]

    async def _follow(self, session: _Session) -> None:
        legs = session.legs
        try:
            if session.policy is None:
                session.policy = await self._policies.resolve(self._scopes_of(session))
            if session.policy.mode is RecordingMode.ALWAYS:
                await self._start(session)
            await wait_any(*(leg.ended for leg in legs), session.over)
        finally:
            session.over.set()  # no feature code may start another one now
            await self._stop(session, "complete")
            for leg in legs:
                if self._sessions.get(leg.leg_id) is session:
                    del self._sessions[leg.leg_id]
                    self._code.forget(leg.leg_id)
            if all(leg.ended.is_set() for leg in legs):
                self.detach_scopes(session.a.call_uid)

    async def _toggle(self, session: _Session) -> None:
        if session.current is None:
            await self._start(session)
        else:
            await self._stop(session, "complete")

    # --- recordings ---------------------------------------------------------------------

    def _new_recording(self, session: _Session) -> tuple[RecordingEntry, RecordingFiles]:
        uid, started_at = uuid.uuid4().hex, self._clock()
        files = files_for(uid, started_at, session.policy.two_channel)
        entry = RecordingEntry(
            uid,
            session.a.call_uid,
            files.mono,
            started_at,
            cdr_uid=session.a.uid,
            caller=session.a.caller_number,
            callee=(session.b.dialled or session.b.extension) if session.b else session.a.dialled,
            policy=session.policy.name,
            two_channel_path=files.two_channel,
            queue=next((s.key for s in self._scopes_of(session) if s.kind == "queue"), ""),
            agent=session.b.extension if session.b else "",
        )
        return entry, files

    def _targets(self, session: _Session, files: RecordingFiles) -> list[RecorderFile]:
        """A bridge: what each leg says. A caller alone: what it says and what it hears."""
        a = session.a.leg_id
        heard = (session.b.leg_id,) if session.b else ()
        hearing = () if session.b else (a,)
        targets = [RecorderFile(str(self._storage.path(files.mono)), (a, *heard), hearing)]
        if files.two_channel:
            targets += [RecorderFile(str(self._storage.path(files.left)), (a,))]
            targets += [RecorderFile(str(self._storage.path(files.right)), heard, hearing)]
        return targets

    async def _start(self, session: _Session) -> None:
        async with session.lock:
            if session.current is not None or session.over.is_set():
                return
            if self._disk.full():
                self.outcomes["skipped-disk-full"] += 1
                await self._store.mark_legs(session.leg_uids, recording_status="skipped-disk-full")
                return
            entry, files = self._new_recording(session)
            loop = asyncio.get_running_loop()
            try:
                await loop.run_in_executor(None, self._storage.prepare, files)
                await self._store.started(entry)
                ids = await self._engine.record(self._targets(session, files))
            except (OSError, EngineError) as err:
                logger.error("call %s: recording could not start: %s", entry.call_uid, err)
                self.outcomes["failed"] += 1
                await self._store.updated(entry.uid, status="failed", ended_at=self._clock())
                await self._store.mark_legs(session.leg_uids, recording_status="failed")
                return
            session.current = _Recording(entry, files, ids)
            logger.info("call %s: recording %s started", entry.call_uid, entry.uid)
            await self._store.mark_legs(
                session.leg_uids, recording_uid=entry.uid, recording_status="recording"
            )

    async def _stop(self, session: _Session, status: str) -> None:
        async with session.lock:
            current, session.current = session.current, None
            if current is None:
                return
            with contextlib.suppress(EngineError):  # a stopped engine has closed it already
                await self._engine.stop_recording(current.recorder_ids)
            uid = current.entry.uid
            try:
                closed = await asyncio.get_running_loop().run_in_executor(
                    None, close_files, self._storage, current.files, self._rate_hz, CLOSE_WAIT_S
                )
            except (OSError, WavError) as err:
                logger.error("recording %s could not be closed: %s", uid, err)
                status, closed = "failed", ClosedFiles(0.0, 0, repaired=False)
            self.outcomes[cdr_status(status)] += 1
            await self._store.closed(
                uid,
                status,
                cdr_status(status),
                ended_at=self._clock(),
                duration_ms=round(closed.duration_s * 1000),
                size_bytes=closed.size_bytes,
            )
            logger.info("recording %s %s", uid, status)
