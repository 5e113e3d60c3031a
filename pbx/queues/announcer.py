"""What a waiting caller hears: music, position and hold time, periodic announcements."""

import asyncio
import contextlib
import math
import time
from collections.abc import Callable

from pbx.moh import MusicOnHold
from pbx.queues.call_queue import CallQueue, Entry
from pbx.queues.prompts import PromptPlayer, QueuePrompts
from pbx.sip import EngineError


class Announcer:
    """Keeps a waiting caller company until cancelled.

    Music plays between announcements. The caller's position and the queue's
    estimated hold time are announced at once on joining and then every
    `announce_frequency_s`; the periodic announcement every `periodic_frequency_s`.
    Cancelling stops an announcement mid-word and leaves the music off: the
    caller is being connected.
    """

    def __init__(
        self,
        moh: MusicOnHold,
        player: PromptPlayer,
        prompts: QueuePrompts,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._moh = moh
        self._player = player
        self._prompts = prompts
        self._clock = clock

    async def accompany(self, queue: CallQueue, entry: Entry, leg_id: int) -> None:
        """Music and announcements for one caller (run as a task; cancel to stop)."""
        s = queue.settings
        now = self._clock()
        next_position = now if s.announce_frequency_s else math.inf
        periodic = s.periodic_frequency_s if s.periodic_announce else 0
        next_periodic = now + periodic if periodic else math.inf
        await self._music(queue, leg_id, on=True)
        while (due := min(next_position, next_periodic)) < math.inf:
            await asyncio.sleep(max(0.0, due - self._clock()))
            if next_position <= next_periodic:
                files = await self._position_files(queue, entry)
                next_position = self._clock() + s.announce_frequency_s
            else:
                files = await self._prompts.files([s.periodic_announce], s.language)
                next_periodic = self._clock() + periodic
            if files:
                await self._music(queue, leg_id, on=False)
                await self._player.play(leg_id, files)
                await self._music(queue, leg_id, on=True)

    async def _position_files(self, queue: CallQueue, entry: Entry) -> list[str]:
        s = queue.settings
        files = []
        if s.announce_position:
            files += await self._prompts.position(queue.position(entry), s.language)
        estimate_s = queue.estimated_wait_s()
        if s.announce_hold_time and estimate_s > 0:
            files += await self._prompts.hold_time(estimate_s, s.language)
        return files

    async def _music(self, queue: CallQueue, leg_id: int, *, on: bool) -> None:
        with contextlib.suppress(EngineError):
            if on:
                await self._moh.start(leg_id, queue.settings.music_class)
            else:
                await self._moh.stop(leg_id, queue.settings.music_class)
