"""The SIP engine: pjsua2 on its own thread, driven from the event loop by commands."""

import asyncio
import concurrent.futures
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import pjsua2 as pj

from pbx.bus import EventBus
from pbx.sip._core import PjCore
from pbx.sip.frame_queues import FrameQueues
from pbx.sip.settings import EngineError, EngineSettings, RecorderFile

logger = logging.getLogger(__name__)

T = TypeVar("T")
_POLL_MS = 10  # longest a command waits for the SIP thread to pick it up


class SipEngine:
    """pjsua2 as a B2BUA and media engine, owned by one dedicated thread.

    The thread is pj's "main thread" from libCreate to libDestroy: it polls
    libHandleEvents and runs commands the loop sends. Every public coroutine
    here is such a command; its result (or EngineError) comes back as a future.
    Engine callbacks reach the loop as events on the bus. Nothing here hands a
    pj object out: legs and players are known by integer ids.
    """

    def __init__(self, settings: EngineSettings, bus: EventBus) -> None:
        self._settings = settings
        self._bus = bus
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._grace_s = 0.0
        self._core: PjCore | None = None
        self._heartbeat = time.monotonic()
        self._ids = itertools.count(1)  # leg and player ids, never reused while running

    # --- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        """Start the thread and wait until SIP listens; raises ListenError/EngineError."""
        started: concurrent.futures.Future = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._run, args=(started,), name="sip")
        self._thread.start()
        try:
            await asyncio.wrap_future(started)
        except BaseException:
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join)
            self._thread = None
            raise

    async def stop(self, grace_s: float = 2.0) -> None:
        """Hang up what is left, give BYEs `grace_s` to complete, then destroy pjsua2."""
        if self._thread is None:
            return
        self._grace_s = grace_s
        self._stopping.set()
        thread, self._thread = self._thread, None
        await asyncio.get_running_loop().run_in_executor(None, thread.join)

    def heartbeat_age_s(self) -> float:
        """Seconds since the SIP thread last completed a poll; the watchdog reads it."""
        return time.monotonic() - self._heartbeat

    @property
    def running(self) -> bool:
        """True between a successful start and stop."""
        return self._thread is not None and not self._stopping.is_set()

    def _run(self, started: concurrent.futures.Future) -> None:
        core = PjCore(self._settings, self._bus.publish_threadsafe, self._defer, self._ids)
        try:
            core.start()
        except BaseException as exc:
            started.set_exception(_translate(exc))
            return
        self._core = core
        logger.info(
            "SIP engine listening on %s:%d", self._settings.address, self._settings.sip_port
        )
        started.set_result(None)
        try:
            while not self._stopping.is_set():
                self._poll(core)
            self._wind_down(core)
        finally:
            self._core = None
            core.stop()
            self._fail_pending()
            logger.info("SIP engine stopped")

    def _poll(self, core: PjCore) -> None:
        core.handle_events(_POLL_MS)
        self._drain()
        self._heartbeat = time.monotonic()

    def _wind_down(self, core: PjCore) -> None:
        core.hangup_all()
        deadline = time.monotonic() + self._grace_s
        while core.leg_count() and time.monotonic() < deadline:
            self._poll(core)
        if core.leg_count():
            logger.warning(
                "%d call legs did not end within %.1f s", core.leg_count(), self._grace_s
            )

    # --- commands ------------------------------------------------------------------

    def _defer(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the SIP thread at its next poll (callable from any thread)."""
        self._commands.put((fn, None))

    def _queued(self):
        """Take every command queued so far."""
        while True:
            try:
                yield self._commands.get_nowait()
            except queue.Empty:
                return

    def _drain(self) -> None:
        for fn, future in self._queued():
            if future is not None and not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn()
            except Exception as exc:  # dispatch boundary: one bad command stops nothing
                if future is None:
                    logger.exception("deferred engine work failed")
                else:
                    future.set_exception(_translate(exc))
            else:
                if future is not None:
                    future.set_result(result)

    def _fail_pending(self) -> None:
        for _, future in self._queued():
            if future is not None and future.set_running_or_notify_cancel():
                future.set_exception(EngineError("the SIP engine has stopped"))

    async def _command(self, fn: Callable[[PjCore], T]) -> T:
        if not self.running:
            raise EngineError("the SIP engine is not running")
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._commands.put((lambda: fn(self._core), future))
        return await asyncio.wrap_future(future)

    # --- the command set -----------------------------------------------------------

    async def answer(self, leg_id: int, status_code: int = 200) -> None:
        """Answer an offered leg (200), or send it a provisional 180/183."""
        await self._command(lambda core: core.answer(leg_id, status_code))

    async def hangup(self, leg_id: int, status_code: int = 0) -> None:
        """End a leg. `status_code` refuses an unanswered one (486 busy, 404 ...)."""
        await self._command(lambda core: core.hangup(leg_id, status_code))

    async def hangup_all(self) -> None:
        """End every leg."""
        await self._command(lambda core: core.hangup_all())

    def new_leg_id(self) -> int:
        """Reserve the id of a leg about to be placed (callable from any thread).

        The caller records the leg under this id before `place`, so no news of
        the leg (a fast 180, say) can reach the loop before the leg is known.
        """
        return next(self._ids)

    async def place(
        self,
        leg_id: int,
        uri: str,
        headers: dict[str, str] | None = None,
        from_uri: str = "",
        trunk: str = "",
    ) -> None:
        """Call `uri` as leg `leg_id` (from `new_leg_id`), presenting `from_uri` as caller,
        answering authentication challenges with `trunk`'s credentials if given.

        Progress comes as events.
        """
        await self._command(lambda core: core.place(leg_id, uri, headers or {}, from_uri, trunk))

    async def set_trunk(self, trunk: str, username: str, secret: str, proxy: str) -> None:
        """Set (or replace) how calls through `trunk` leave: by `proxy` (a SIP URI with
        ;lr), authenticating with these credentials (none if `secret` is empty).
        Calls in progress carry on."""
        await self._command(lambda core: core.set_trunk(trunk, username, secret, proxy))

    async def send_dtmf(self, leg_id: int, digits: str, method: str = "rfc4733") -> None:
        """Send digits on a leg: method "rfc4733" (RTP events) or "info" (SIP INFO)."""
        await self._command(lambda core: core.send_dtmf(leg_id, digits, method))

    async def add_analog_port(self, leg_id: int, name: str, queues: FrameQueues) -> None:
        """Put an analog channel's leg `leg_id` (from `new_leg_id`) on the conference bridge.

        The port exchanges 20 ms frames (8 kHz, 16-bit mono) with the channel through
        `queues`, on pjmedia's clock thread. From then on the leg is connected, played
        to and unbridged by its id like any SIP leg, until `remove_analog_port`.
        """
        await self._command(lambda core: core.add_analog_port(leg_id, name, queues))

    async def remove_analog_port(self, leg_id: int) -> None:
        """Take an analog leg's port off the bridge (its connections and players go too)."""
        await self._command(lambda core: core.remove_analog_port(leg_id))

    async def connect(self, source_leg: int, sink_leg: int, *, gain: float = 1.0) -> None:
        """Send one leg's audio to another (the same leg twice makes an echo).

        `gain` scales it: 1.0 as it is, 0.0 silent. A silent connection still
        makes the bridge read the source: pjmedia stops reading a leg nothing
        listens to, and its jitter buffer then fills with audio up to half a
        second old, which whoever is connected to it next hears first. Connecting
        a connected pair again changes its gain.
        """
        if not 0.0 <= gain <= 1.0:
            raise ValueError(f"gain must be between 0.0 and 1.0, not {gain}")
        await self._command(lambda core: core.connect(source_leg, sink_leg, gain))

    async def disconnect(self, source_leg: int, sink_leg: int) -> None:
        """Stop sending one leg's audio to another."""
        await self._command(lambda core: core.disconnect(source_leg, sink_leg))

    async def play(self, leg_id: int, path: str, *, loop: bool = False) -> int:
        """Play a WAV file to a leg; returns a player id. PlaybackFinished marks the end."""
        return await self._command(lambda core: core.play(leg_id, path, loop))

    async def stop_player(self, player_id: int) -> None:
        """Stop a player and free it (a caller's key cut a prompt short); gone ones are fine."""
        await self._command(lambda core: core.stop_player(player_id))

    async def playlist(self, paths: list[str]) -> int:
        """A looping player of WAV files, shared by any legs that listen; returns its id."""
        return await self._command(lambda core: core.playlist(paths))

    async def listen(self, player_id: int, leg_id: int, *, listening: bool = True) -> None:
        """Let a leg hear a shared player (or, with listening=False, stop it hearing)."""
        await self._command(lambda core: core.listen(player_id, leg_id, listening))

    async def record(self, files: Sequence[RecorderFile]) -> list[int]:
        """Record to WAV files: one recorder per file, hearing its legs mixed, and what its
        `hearing` legs hear (kept up as that changes: prompts, music, another party).

        Returns the recorders' ids. The recorders start together (within one
        20 ms frame) and write 16-bit mono at the bridge's clock rate; a file
        grows only while something is connected to it.
        """
        wanted = [RecorderFile(f.path, tuple(f.legs), tuple(f.hearing)) for f in files]
        return await self._command(lambda core: core.record(wanted))

    async def stop_recording(self, recorder_ids: Sequence[int]) -> None:
        """Stop recorders. Each file is complete (header sizes written) a frame or two later."""
        await self._command(lambda core: core.stop_recording(list(recorder_ids)))

    async def report_transfer(self, transfer_id: int, status_code: int) -> None:
        """Tell the phone that asked for a transfer (TransferRequested) how it goes.

        180 while the target rings, 200 once connected, or the failure's code
        (486, 480, 404 ...); the phone gets each as a NOTIFY. The first final code
        stands, and every transfer must get one.
        """
        await self._command(lambda core: core.report_transfer(transfer_id, status_code))


def _translate(exc: BaseException) -> BaseException:
    """pj.Error carries its text in attributes; callers get an EngineError instead."""
    if isinstance(exc, pj.Error):
        logger.debug("pjsua2 error in %s: %s", exc.title, exc.reason)
        return EngineError(exc.reason)
    return exc
