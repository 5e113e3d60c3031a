"""Queue prompts: position and hold-time announcements as playlists in a queue's
language, and a player that plays such a list to one leg.

Prompt names are Asterisk's (queue-youarenext, queue-thereare ...), so Debian's
asterisk-core-sounds sets serve as they are. The prompt library finds each prompt
in the language or its fallbacks and reads numbers and durations by the language's
rules; a prompt found nowhere is left out, never a reason to fail a call.
"""

import asyncio
import contextlib
import logging
import math
import struct
import wave
from collections.abc import Sequence
from pathlib import Path

from pbx.bus import EventBus
from pbx.events import CallEnded, PlaybackFinished
from pbx.prompts import PromptLibrary
from pbx.sip import EngineError, SipEngine

logger = logging.getLogger(__name__)
_RATE_HZ = 8000


class QueuePrompts:
    """A queue's announcements, found in the prompt library.

    `language` is the queue's ("": the box's language).
    """

    def __init__(self, library: PromptLibrary) -> None:
        self._library = library

    async def files(self, names: Sequence[str], language: str) -> list[str]:
        """The files of the prompts found, in order."""
        return await self._library.files(list(names), language)

    async def position(self, position: int, language: str) -> list[str]:
        """ "You are next", or "there are <n> calls waiting" (calls ahead, as Asterisk)."""
        if position <= 1:
            return await self.files(["queue-youarenext"], language)
        return [
            *await self.files(["queue-thereare"], language),
            *await self._library.say_number(position, language),
            *await self.files(["queue-callswaiting"], language),
        ]

    async def hold_time(self, seconds: float, language: str) -> list[str]:
        """ "The estimated hold time is [less than] <n> minutes"."""
        minutes = max(1, math.ceil(seconds / 60))
        opening = ["queue-holdtime"] + (["queue-less-than"] if minutes == 1 else [])
        return [
            *await self.files(opening, language),
            *await self._library.say_duration(minutes * 60, language),
        ]


def write_tone(path: Path, hz: float, seconds: float, level: float = 0.3) -> None:
    """A sine WAV (8 kHz, 16-bit mono): a beep where no recorded prompt is wanted."""
    count = round(seconds * _RATE_HZ)
    peak = round(32767 * level)
    frames = b"".join(
        struct.pack("<h", round(peak * math.sin(2 * math.pi * hz * n / _RATE_HZ)))
        for n in range(count)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(_RATE_HZ)
        out.writeframes(frames)
    partial.replace(path)


class PromptPlayer:
    """Plays lists of files to legs, one file after another.

    Cancelling `play` stops the file being played at once: a caller connected
    to an agent in the middle of an announcement must not hear the rest of it.
    """

    def __init__(self, engine: SipEngine, bus: EventBus) -> None:
        self._engine = engine
        self._waiting: dict[int, asyncio.Future] = {}  # player id -> its end
        self._by_leg: dict[int, set[int]] = {}
        bus.subscribe(PlaybackFinished, self._handle_finished)
        bus.subscribe(CallEnded, self._handle_leg_ended)

    async def play(self, leg_id: int, paths: list[str]) -> None:
        """Play `paths` in order to a leg; returns when the last one ends (or the leg does)."""
        for path in paths:
            player_id = await self._engine.play(leg_id, path)
            done = asyncio.get_running_loop().create_future()
            self._waiting[player_id] = done
            self._by_leg.setdefault(leg_id, set()).add(player_id)
            try:
                if not await done:
                    return  # the leg ended
            finally:
                self._forget(leg_id, player_id)
                if not done.done():
                    with contextlib.suppress(EngineError):
                        await self._engine.stop_player(player_id)

    def _forget(self, leg_id: int, player_id: int) -> None:
        self._waiting.pop(player_id, None)
        players = self._by_leg.get(leg_id, set())
        players.discard(player_id)
        if not players:
            self._by_leg.pop(leg_id, None)

    def _handle_finished(self, event: PlaybackFinished) -> None:
        done = self._waiting.get(event.player_id)
        if done is not None and not done.done():
            done.set_result(True)

    def _handle_leg_ended(self, event: CallEnded) -> None:
        for player_id in self._by_leg.get(event.leg_id, ()):
            done = self._waiting.get(player_id)
            if done is not None and not done.done():
                done.set_result(False)
