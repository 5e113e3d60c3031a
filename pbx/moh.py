"""Music on hold: what a caller hears while the other side holds the call."""

import asyncio
import contextlib
import logging
import wave
from pathlib import Path

from pbx.bus import EventBus
from pbx.calls import CallService
from pbx.events import CallHeld
from pbx.sip import EngineError, SipEngine

logger = logging.getLogger(__name__)


def playable_files(directory: Path) -> list[str]:
    """The WAV files of a class that one looping player can play (the first one's format).

    A player plays one format; a file in another is skipped with a warning, never
    a reason for silence on every call.
    """
    chosen, wanted = [], None
    for path in sorted(directory.glob("*.wav")):
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
    """One looping player per class, shared by every caller on hold.

    When one side of a bridged call holds it, the other side stops hearing the
    holder and hears the class's music instead, until the holder comes back.
    """

    def __init__(
        self, engine: SipEngine, calls: CallService, bus: EventBus, classes: dict[str, Path]
    ) -> None:
        self._engine = engine
        self._calls = calls
        self._classes = classes
        self._players: dict[str, int] = {}
        # Two legs held at the same moment must not make a player each: the one
        # not kept would play on, and could never be stopped.
        self._making = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()
        bus.subscribe(CallHeld, self._handle_held)

    async def start(self, leg_id: int, music_class: str = "default") -> None:
        """Play the class's music to a leg."""
        player = await self._player(music_class)
        if player is not None:
            await self._engine.listen(player, leg_id)

    async def stop(self, leg_id: int, music_class: str = "default") -> None:
        """Stop playing music to a leg."""
        player = self._players.get(music_class)
        if player is not None:
            await self._engine.listen(player, leg_id, listening=False)

    async def _player(self, music_class: str) -> int | None:
        async with self._making:
            if music_class not in self._players:
                files = playable_files(self._classes.get(music_class, Path("/nonexistent")))
                if not files:
                    logger.warning("music on hold class %r has no playable files", music_class)
                    return None
                self._players[music_class] = await self._engine.playlist(files)
            return self._players[music_class]

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
