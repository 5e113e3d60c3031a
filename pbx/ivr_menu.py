"""IVR menus as settings: a greeting, what each key does, direct dialling, retries."""

import re
from dataclasses import dataclass, field

from pbx.catalog import SettingError, check_destination, doc
from pbx.dial_pattern import DialPattern, PatternError
from pbx.prompts import check_language

REPEAT = "repeat"  # an option that plays the menu again
_KEYS = re.compile(r"^[0-9*#]{1,4}$")


@dataclass(frozen=True)
class IvrMenu:
    """A menu: `greeting` is played (a key stops it), then the caller's keys choose.

    `options` maps keys ("1", "0", "*", or a few keys like "11") to a destination:
    an extension, another menu (`ivr:sales`: a submenu), a queue, an announcement,
    `hangup`, or `repeat`. With `direct_dial`, a caller may also dial any extension
    whose number fits that pattern. A caller who presses nothing within
    `timeout_s`, or something no option takes, hears `timeout_prompt` or
    `invalid_prompt` and the greeting again; after `attempts` such tries the call
    goes to `final_destination`.
    """

    name: str
    greeting: tuple[str, ...] = field(
        default=(), metadata=doc("prompts played in turn (repeat)", prompts=True)
    )
    options: dict[str, str] = field(
        default_factory=dict,
        metadata=doc("KEY=DESTINATION, e.g. 1=ext:1001, 2=ivr:sales, 9=repeat", destinations=True),
    )
    direct_dial: str = field(
        default="", metadata=doc("extensions callers may dial directly, e.g. _1XXX (blank: none)")
    )
    language: str = field(default="", metadata=doc("language of the prompts (blank: the box's)"))
    timeout_s: float = field(default=5.0, metadata=doc("wait for a first key after the greeting"))
    digit_timeout_s: float = field(default=3.0, metadata=doc("wait for each further key"))
    attempts: int = field(default=3, metadata=doc("tries before the final destination"))
    invalid_prompt: str = field(
        default="invalid", metadata=doc("played after a wrong key (blank: none)", prompts=True)
    )
    timeout_prompt: str = field(
        default="", metadata=doc("played when no key came (blank: none)", prompts=True)
    )
    final_destination: str = field(
        default="hangup", metadata=doc("where callers go after the last try", destination=True)
    )

    def check(self) -> "IvrMenu":
        """The menu itself if it is sound; SettingError naming what is not."""
        for key, destination in self.options.items():
            if not _KEYS.fullmatch(key):
                raise SettingError(f"option keys are 1 to 4 of 0-9, * and #: {key!r}")
            if destination != REPEAT:
                check_destination(destination)
        check_destination(self.final_destination)
        if self.direct_dial:
            try:
                DialPattern(self.direct_dial)
            except PatternError as err:
                raise SettingError(str(err)) from None
        if self.language:
            check_language(self.language)
        for label, value in (
            ("timeout_s", self.timeout_s),
            ("digit_timeout_s", self.digit_timeout_s),
        ):
            if not 0.5 <= value <= 60:
                raise SettingError(f"{label} must be between 0.5 and 60 seconds")
        if not 1 <= self.attempts <= 10:
            raise SettingError("attempts must be between 1 and 10")
        if any(not name for name in self.greeting):
            raise SettingError("a greeting names its prompts")
        return self

    def fits_direct_dial(self, number: str) -> bool:
        """Whether callers of this menu may dial `number` directly."""
        return bool(self.direct_dial) and DialPattern(self.direct_dial).matches(number)
