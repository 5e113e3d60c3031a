"""Music on hold: what a caller hears while the other side holds the call."""

import asyncio
import contextlib
import logging
import wave
from collections.abc import Callable
from pathlib import Path

from pbx.bus import EventBus
from pbx.calls import CallService
from pbx.events import CallEnded, CallHeld
from pbx.sip import EngineError, SipEngine

logger = logging.getLogger(__name__)

DEFAULT_CLASS = "default"
# A class's files in the order to play them (shuffled anew at each call for a
# shuffled class); empty for a class that does not exist.
Playlists = Callable[[str], list[str]]


def playable_files(paths: list[Path]) -> list[str]:
    """The WAV files one looping player can play (the first one's format).

    A player plays one format; a file in another is skipped with a warning, never
    a reason for silence on every call.
    """
    chosen, wanted = [], None
    for path in paths:
        try:
            with wave.open(str(path)) as audio:
                found = (audio.getframerate(), audio.getnchannels(), audio.getsampwidth())
        except (OSError, wave.Error, EOFError) as err:
            logger.warning("music on hold: skipping %s: %s", path.name, err)
            continue
        wanted = wanted or found
        if found == wanted and found[2] == 2:
            chosen.append(str(path))
        else:
            logger.warning(
                "music on hold: skipping %s: %s Hz, %s channels, %s-byte samples", path.name, *found
            )
    return chosen


class MusicOnHold:
    """One looping player per class, shared by every caller listening to it.

    When one side of a bridged call holds it, the other side stops hearing the
    holder and hears the default class's music instead, until the holder comes
    back. A class that does not exist (or has nothing to play) plays the default.
    When a class changes (`refresh`), its listeners move to a new player at once.
    """

    def __init__(
        self, engine: SipEngine, calls: CallService, bus: EventBus, playlists: Playlists
    ) -> None:
        self._engine = engine
        self._calls = calls
        self._playlists = playlists
        self._players: dict[str, int] = {}
        self._playing: dict[str, list[str]] = {}  # class -> its player's files, in order
        self._listeners: dict[str, set[int]] = {}  # class -> legs hearing its player
        # Two legs held at the same moment must not make a player each: the one
        # not kept would play on, and could never be stopped.
        self._making = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()
        bus.subscribe(CallHeld, self._handle_held)
        bus.subscribe(CallEnded, self._handle_ended)

    async def start(self, leg_id: int, music_class: str = DEFAULT_CLASS) -> None:
        """Play the class's music to a leg."""
        async with self._making:
            music_class, player = await self._player(music_class)
            if player is not None:
                await self._engine.listen(player, leg_id)
                self._listeners.setdefault(music_class, set()).add(leg_id)

    async def stop(self, leg_id: int, music_class: str = DEFAULT_CLASS) -> None:
        """Stop playing music to a leg (whichever class it hears)."""
        del music_class  # kept for callers; a leg hears one class at a time
        async with self._making:  # refresh moves listeners between players under it
            for name, legs in self._listeners.items():
                if leg_id in legs and name in self._players:
                    legs.discard(leg_id)
                    await self._engine.listen(self._players[name], leg_id, listening=False)
                    return

    def listeners(self) -> dict[str, int]:
        """How many legs hear each class's player now."""
        return {name: len(legs) for name, legs in self._listeners.items() if legs}

    def player_of(self, music_class: str) -> int | None:
        """The id of the player a class has now, if any (one per class)."""
        return self._players.get(music_class)

    def playing(self, music_class: str) -> list[str]:
        """The files the class's player plays, in its order ([] without a player)."""
        return list(self._playing.get(music_class, []))

    async def refresh(self, music_class: str) -> None:
        """A class's files or order changed: give its listeners the new music at once."""
        async with self._making:
            old = self._players.pop(music_class, None)
            self._playing.pop(music_class, None)
            legs = self._listeners.pop(music_class, set())
            for leg_id in legs:
                with contextlib.suppress(EngineError):  # a leg that ended needs nothing
                    name, player = await self._player(music_class)
                    if player is not None:
                        await self._engine.listen(player, leg_id)
                        self._listeners.setdefault(name, set()).add(leg_id)
            if old is not None:
                await self._engine.stop_player(old)

    async def _player(self, music_class: str) -> tuple[str, int | None]:
        """(class played, its player), made on first use; the lock is held."""
        if music_class not in self._players:
            files = playable_files([Path(p) for p in self._playlists(music_class)])
            if not files and music_class != DEFAULT_CLASS:
                logger.warning("music on hold class %r has nothing to play", music_class)
                return await self._player(DEFAULT_CLASS)
            if not files:
                logger.warning("music on hold class %r has no playable files", music_class)
                return music_class, None
            self._players[music_class] = await self._engine.playlist(files)
            self._playing[music_class] = files
        return music_class, self._players[music_class]

    def _handle_ended(self, event: CallEnded) -> None:
        for legs in self._listeners.values():
            legs.discard(event.leg_id)

    def _handle_held(self, event: CallHeld) -> None:
        partner = self._calls.partner_of(event.leg_id)
        if partner is None:
            return
        task = asyncio.ensure_future(self._switch(event.leg_id, partner, event.held))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _switch(self, holder: int, partner: int, held: bool) -> None:
        with contextlib.suppress(EngineError):  # a leg that ended meanwhile needs nothing
            if held:
                await self._engine.disconnect(holder, partner)
                await self.start(partner)
            else:
                await self.stop(partner)
                await self._engine.connect(holder, partner)
