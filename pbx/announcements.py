"""Announcements as settings: prompts played to a caller, then a destination or hang-up."""

from dataclasses import dataclass, field

from pbx.catalog import SettingError, check_destination, doc
from pbx.prompts import check_language


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
