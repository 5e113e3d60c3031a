"""What an administrator sets for a queue or a ring group, and the checks on it."""

import dataclasses
import re
from dataclasses import dataclass

from pbx.catalog import SettingError
from pbx.prompts import check_language
from pbx.queues import QueueError
from pbx.trunks import TrunkError, parse_destination

STRATEGIES = (
    "ring-all",  # every free agent at once
    "least-recent",  # the agent whose last call from this queue ended longest ago
    "fewest-calls",  # the agent who took fewest calls from this queue
    "random",
    "round-robin",  # the next agent after the one offered the last call
    "linear",  # always in member order
    "longest-idle",  # the agent idle longest, whatever the call that kept them busy
)
# When a caller may join, and when a waiting caller is sent on: "staffed" means some
# member is logged in and not paused; "available" that some member is free right now.
JOIN_RULES = ("always", "staffed", "available")
LEAVE_RULES = ("never", "unstaffed", "unavailable")
GROUP_STRATEGIES = ("ring-all", "in-order")
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_NUMBER = re.compile(r"^[0-9*#]{0,16}$")
_KEY = re.compile(r"^[0-9*#]?$")
_EXTENSION = re.compile(r"^[0-9]{1,8}$")
_PROMPT = re.compile(r"^[A-Za-z0-9_./-]{0,128}$")
RECORDING_MODES = ("", "always", "never", "on-demand")  # "": the queue has no say


@dataclass(frozen=True)
class Member:
    """An agent of a queue: an extension and its penalty (lower is offered calls first)."""

    extension: str
    penalty: int = 0


@dataclass(frozen=True)
class QueueSettings:
    """One queue. Times are seconds; 0 turns a limit or an announcement off.

    `exit_destination` takes callers who waited `max_wait_s`, who find the queue
    full or closed by the join rule, or who are sent on by the leave rule; blank
    hangs up. `exit_key` sends a waiting caller to `exit_key_destination`;
    `callback_key` lets them hang up and be called back, keeping their place.
    Announcements are in `language` (blank: the box's), prompts found by name in
    the prompt library as the IVR's are.
    """

    name: str
    number: str = ""  # what phones of the office dial to reach the queue
    strategy: str = "ring-all"
    members: tuple[Member, ...] = ()
    ring_timeout_s: int = 15
    retry_s: int = 2  # pause before the next agent is rung, after one did not answer
    wrapup_s: int = 10  # after a call, the agent gets no call from any queue for this long
    max_callers: int = 0
    max_wait_s: int = 0
    exit_destination: str = ""
    join_when: str = "always"
    leave_when: str = "never"
    announce_frequency_s: int = 0  # position and hold time, at join and every so often
    announce_position: bool = True
    announce_hold_time: bool = True
    periodic_announce: str = ""
    periodic_frequency_s: int = 0
    exit_key: str = ""
    exit_key_destination: str = ""
    callback_key: str = ""
    callback_attempts: int = 3
    callback_retry_s: int = 30
    missed_rings_before_pause: int = 0  # automatic pause after this many missed rings in a row
    music_class: str = "default"
    language: str = ""  # of the announcements; blank: the box's (prompts.language)
    service_level_s: int = 20
    recording: str = ""  # "always" records each caller from joining (the wait included)
    recording_retention_days: int = 0  # 0: the box's; a day count or quota: the queue's own
    recording_quota_mb: int = 0

    @property
    def own_retention(self) -> bool:
        """Whether the queue's recordings are a retention class of their own."""
        return bool(self.recording_retention_days or self.recording_quota_mb)

    def check(self) -> "QueueSettings":
        """The settings themselves if sound; QueueError naming the first problem."""
        _check_types(self)
        _check_common(self.name, self.number, self.members)
        for label, allowed in _CHOICES.items():
            if getattr(self, label) not in allowed:
                names = ", ".join(choice or "blank" for choice in allowed)
                raise QueueError(f"{label} must be one of {names}")
        for label, limit in _LIMITS.items():
            if not limit[0] <= getattr(self, label) <= limit[1]:
                raise QueueError(f"{label} must be between {limit[0]} and {limit[1]}")
        for label in ("exit_key", "callback_key"):
            if not _KEY.match(getattr(self, label)):
                raise QueueError(f"{label} must be one key: 0-9, * or #")
        if self.exit_key and self.exit_key == self.callback_key:
            raise QueueError("exit_key and callback_key must differ")
        if self.exit_key and not self.exit_key_destination:
            raise QueueError("an exit_key needs an exit_key_destination")
        _check_destination("exit_destination", self.exit_destination)
        _check_destination("exit_key_destination", self.exit_key_destination)
        if not _PROMPT.match(self.periodic_announce) or ".." in self.periodic_announce:
            raise QueueError("periodic_announce must be a prompt name")
        if self.language:
            try:
                check_language(self.language)
            except SettingError as err:
                raise QueueError(str(err)) from None
        return self


_CHOICES = {
    "strategy": STRATEGIES,
    "join_when": JOIN_RULES,
    "leave_when": LEAVE_RULES,
    "recording": RECORDING_MODES,
}
_LIMITS = {
    "ring_timeout_s": (1, 600),
    "retry_s": (0, 600),
    "wrapup_s": (0, 3600),
    "max_callers": (0, 1000),
    "max_wait_s": (0, 86400),
    "announce_frequency_s": (0, 3600),
    "periodic_frequency_s": (0, 3600),
    "callback_attempts": (1, 10),
    "callback_retry_s": (1, 3600),
    "missed_rings_before_pause": (0, 100),
    "service_level_s": (1, 3600),
    "recording_retention_days": (0, 3650),
    "recording_quota_mb": (0, 10_000_000),
}


@dataclass(frozen=True)
class RingGroup:
    """Extensions rung for one destination: all at once, or one after another.

    Each member rings `ring_timeout_s` (all of them together with "ring-all");
    when nobody answers the caller goes to `no_answer_destination`, or hears
    no-answer (480) if it is blank.
    """

    name: str
    number: str = ""
    strategy: str = "ring-all"
    members: tuple[str, ...] = ()
    ring_timeout_s: int = 20
    no_answer_destination: str = ""

    def check(self) -> "RingGroup":
        """The group itself if sound; QueueError naming the first problem."""
        _check_types(self)
        _check_common(self.name, self.number, tuple(Member(m) for m in self.members))
        if self.strategy not in GROUP_STRATEGIES:
            raise QueueError(f"strategy must be one of {', '.join(GROUP_STRATEGIES)}")
        if not 1 <= self.ring_timeout_s <= 600:
            raise QueueError("ring_timeout_s must be between 1 and 600")
        _check_destination("no_answer_destination", self.no_answer_destination)
        return self


def _check_common(name: str, number: str, members: tuple[Member, ...]) -> None:
    if not _NAME.match(name):
        raise QueueError(
            f"name must start with a letter and hold up to 32 lower-case letters, digits "
            f"and dashes: {name!r}"
        )
    if not _NUMBER.match(number):
        raise QueueError("number must be up to 16 of 0-9, * and #")
    seen = set()
    for member in members:
        if not isinstance(member, Member) or not _EXTENSION.match(str(member.extension)):
            raise QueueError(f"members must be extension numbers: {member!r}")
        if not isinstance(member.penalty, int) or not 0 <= member.penalty <= 100:
            raise QueueError("a member's penalty must be between 0 and 100")
        if member.extension in seen:
            raise QueueError(f"extension {member.extension} is a member twice")
        seen.add(member.extension)


def _check_destination(label: str, destination: str) -> None:
    if destination:
        try:
            parse_destination(destination)
        except TrunkError as err:
            raise QueueError(f"{label}: {err}") from None


_TYPE_NAMES = {str: "text", bool: "true or false", int: "a whole number"}


def _check_types(item: object) -> None:
    """Plain fields hold their declared type (settings arrive as JSON from panels)."""
    for spec in dataclasses.fields(item):
        value = getattr(item, spec.name)
        if spec.type in _TYPE_NAMES and (
            not isinstance(value, spec.type) or (spec.type is int and isinstance(value, bool))
        ):
            raise QueueError(f"{spec.name} must be {_TYPE_NAMES[spec.type]}, not {value!r}")
        if spec.name == "members" and not isinstance(value, tuple):
            raise QueueError("members must be a list")


def queue_from_dict(values: dict) -> QueueSettings:
    """A queue from JSON-shaped values (members as [extension, penalty] pairs or numbers)."""
    values = dict(values)
    members = []
    for item in values.get("members", ()):
        if isinstance(item, dict):
            members.append(Member(str(item.get("extension", "")), item.get("penalty", 0)))
        elif isinstance(item, list | tuple) and len(item) == 2:
            members.append(Member(str(item[0]), item[1]))
        else:
            members.append(Member(str(item)))
    values["members"] = tuple(members)
    return _build(QueueSettings, values)


def group_from_dict(values: dict) -> RingGroup:
    """A ring group from JSON-shaped values."""
    values = dict(values)
    values["members"] = tuple(str(m) for m in values.get("members", ()))
    return _build(RingGroup, values)


def _build(cls: type, values: dict):
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(values.keys() - known)
    if unknown:
        raise QueueError(f"unknown settings: {', '.join(unknown)}")
    return cls(**values).check()
