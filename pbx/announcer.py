"""Announcements and hang-up at work: destination handlers that play, then pass the call on."""

import logging
from collections.abc import Awaitable, Callable

from pbx.announcements import Announcement
from pbx.calls import CallService, Leg
from pbx.catalog import Catalog, SettingError
from pbx.prompt_player import PromptPlayer
from pbx.prompts import PromptLibrary

logger = logging.getLogger(__name__)

Send = Callable[[Leg, str], Awaitable[None]]
UNAVAILABLE = 480


class AnnouncementService:
    """Destination handlers "announce:<name>" and "hangup"."""

    def __init__(
        self,
        announcements: Catalog[Announcement],
        calls: CallService,
        player: PromptPlayer,
        prompts: PromptLibrary,
        *,
        send: Send,
    ) -> None:
        self._announcements = announcements
        self._calls = calls
        self._player = player
        self._prompts = prompts
        self._send = send

    async def play(self, leg: Leg, name: str) -> None:
        """Answer `leg`, play announcement `name`, then send the call on."""
        try:
            announcement = self._announcements.get(name)
        except SettingError:
            logger.error("call %d: no announcement %s", leg.leg_id, name)
            await self.hang_up(leg, "")
            return
        await self._player.answer(leg)
        files = await self._prompts.files(announcement.prompts, announcement.language)
        await self._player.play(leg, files)
        await self._send(leg, announcement.then)

    async def hang_up(self, leg: Leg, _target: str) -> None:
        """End the call: a caller still ringing is refused (480), others get a BYE."""
        await self._calls.hangup(leg.leg_id, UNAVAILABLE if leg.answered_at is None else 0)
