"""Announcements: prompts played to a caller, who then goes on to a destination or is hung up."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from pbx.calls import CallService, Leg
from pbx.catalog import Catalog, SettingError, check_destination, doc
from pbx.prompt_player import PromptPlayer
from pbx.prompts import PromptLibrary, check_language

logger = logging.getLogger(__name__)

Send = Callable[[Leg, str], Awaitable[None]]
UNAVAILABLE = 480


@dataclass(frozen=True)
class Announcement:
    """`prompts` played once to the caller (answered for it), then `then`."""

    name: str
    prompts: tuple[str, ...] = field(
        default=(), metadata=doc("prompts played in turn (repeat)", prompts=True)
    )
    language: str = field(default="", metadata=doc("language of the prompts (blank: the box's)"))
    then: str = field(
        default="hangup", metadata=doc("where the caller goes afterwards", destination=True)
    )

    def check(self) -> "Announcement":
        """The announcement itself if it is sound; SettingError naming what is not."""
        if not self.prompts or any(not name for name in self.prompts):
            raise SettingError("an announcement plays at least one prompt")
        if self.language:
            check_language(self.language)
        check_destination(self.then)
        return self


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
