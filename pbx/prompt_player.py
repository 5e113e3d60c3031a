"""Prompts played to one caller in turn; a key the caller presses cuts them short (barge-in)."""

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence

from pbx.bus import EventBus
from pbx.calls import CallService, Leg, wait_any
from pbx.events import PlaybackFinished
from pbx.keypad import Keys
from pbx.sip import EngineError, LegGone, SipEngine

logger = logging.getLogger(__name__)

# The end of a short file can reach the loop before the id of its player does;
# the last few ends are remembered for that.
_EARLY_ENDS_KEPT = 256


class PromptPlayer:
    """Answers callers for menus and announcements, and plays them prompt files."""

    def __init__(self, calls: CallService, engine: SipEngine, bus: EventBus) -> None:
        self._calls = calls
        self._engine = engine
        self._waiting: dict[int, asyncio.Event] = {}  # player -> set at its file's end
        self._early_ends: OrderedDict[int, None] = OrderedDict()
        bus.subscribe(PlaybackFinished, self._handle_finished)

    async def answer(self, leg: Leg) -> None:
        """Answer `leg` if it still rings, and return once its audio flows (LegGone if
        the caller hangs up first)."""
        if leg.answered_at is None:
            await self._calls.answer(leg.leg_id)
        await self._calls.wait_media(leg.leg_id)

    async def play(self, leg: Leg, files: Sequence[str], keys: Keys | None = None) -> bool:
        """Play `files` to `leg` one after the other and return once they are done.

        With `keys`, a key pressed before or during the prompts stops them and
        True is returned; the key stays in `keys` for the menu to read. A file the
        engine cannot play is skipped. LegGone if the caller hangs up.
        """
        for path in files:
            if keys is not None and keys.pressed.is_set():
                return True
            try:
                player = await self._calls.play(leg.leg_id, path)
            except EngineError as err:
                if leg.ended.is_set():
                    raise LegGone(leg.leg_id) from None
                logger.warning("call %d: cannot play %s: %s", leg.leg_id, path, err)
                continue
            if await self._wait(leg, player, keys):
                return True
        return False

    async def loop(self, leg: Leg, path: str) -> int:
        """Play `path` to `leg` over and over until `stop`; returns the player's id."""
        return await self._calls.play(leg.leg_id, path, loop=True)

    async def stop(self, player_id: int) -> None:
        """Stop a player (one that has ended or whose leg has gone needs nothing)."""
        try:
            await self._engine.stop_player(player_id)
        except EngineError as err:
            logger.debug("player %d already gone: %s", player_id, err)

    async def _wait(self, leg: Leg, player: int, keys: Keys | None) -> bool:
        """Wait for a player's end; True if a key came first (the player is then stopped)."""
        done = asyncio.Event()
        if player in self._early_ends:
            del self._early_ends[player]
            done.set()
        self._waiting[player] = done
        try:
            watched = [done, leg.ended] + ([keys.pressed] if keys is not None else [])
            await wait_any(*watched)
        finally:
            del self._waiting[player]
        if leg.ended.is_set():
            raise LegGone(leg.leg_id)
        if done.is_set():
            return False
        await self.stop(player)
        return True

    def _handle_finished(self, event: PlaybackFinished) -> None:
        if done := self._waiting.get(event.player_id):
            done.set()
            return
        self._early_ends[event.player_id] = None
        while len(self._early_ends) > _EARLY_ENDS_KEPT:
            self._early_ends.popitem(last=False)
