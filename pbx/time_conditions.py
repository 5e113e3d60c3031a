"""Time conditions: office hours, holidays and night mode choose between two destinations."""

import functools
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from pbx.catalog import SettingError, check_destination, doc

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OVERRIDES = ("auto", "open", "closed")  # "closed" is night mode
_RANGE = re.compile(r"^(?P<days>[a-z,-]+)(?: (?P<start>\d\d:\d\d)-(?P<end>\d\d:\d\d))?$")
_HOLIDAY = re.compile(r"^(\d{4}-)?\d\d-\d\d(\.\.(\d{4}-)?\d\d-\d\d)?$")
_FEATURE_CODE = re.compile(r"^\*[0-9*#]{1,8}$")


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone(name: str) -> tzinfo:
    """The time zone `name` ("Europe/London"); "" is the box's own. SettingError if unknown."""
    if not name:
        return datetime.now().astimezone().tzinfo
    if name not in _zones():  # checked against the list: a name never becomes a path
        raise SettingError(f"unknown time zone {name!r} (e.g. Europe/London, America/New_York)")
    return zoneinfo.ZoneInfo(name)


def _days(text: str) -> set[int]:
    """Weekday numbers (Monday 0) of "mon-fri", "sat,sun", "fri-mon" ..."""
    chosen: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise SettingError(f"days are {', '.join(DAYS)}, as ranges like mon-fri: {text!r}")
        start, end = DAYS.index(first), DAYS.index(last or first)
        chosen |= {(start + i) % 7 for i in range((end - start) % 7 + 1)}
    return chosen


def _clock(text: str) -> int:
    """Minutes since midnight of "HH:MM" (24:00 allowed, as an end)."""
    hours, minutes = int(text[:2]), int(text[3:])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise SettingError(f"not a time of day: {text!r}")
    return hours * 60 + minutes


@dataclass(frozen=True)
class WeeklyRange:
    """Open on `days` from `start_min` to `end_min` (minutes after midnight); an end
    at or before the start runs past midnight into the next day."""

    days: frozenset[int]
    start_min: int
    end_min: int

    @classmethod
    def parse(cls, text: str) -> "WeeklyRange":
        """ "mon-fri 09:00-17:30", "sat 10:00-13:00", "fri 22:00-02:00", or "sun" (all day)."""
        found = _RANGE.fullmatch(text.strip().lower())
        if not found:
            raise SettingError(f'a schedule entry is like "mon-fri 09:00-17:30": {text!r}')
        start = _clock(found["start"]) if found["start"] else 0
        end = _clock(found["end"]) if found["end"] else 24 * 60
        if start >= 24 * 60:
            raise SettingError(f"a range cannot start at 24:00: {text!r}")
        return cls(frozenset(_days(found["days"])), start, end)

    def contains(self, moment: datetime) -> bool:
        """Whether `moment` (local time) falls in the range."""
        minute = moment.hour * 60 + moment.minute
        today, yesterday = moment.weekday(), (moment.weekday() - 1) % 7
        if self.end_min > self.start_min:
            return today in self.days and self.start_min <= minute < self.end_min
        # Past midnight: the evening part today, the early part of the next day.
        return (today in self.days and minute >= self.start_min) or (
            yesterday in self.days and minute < self.end_min
        )


def _holiday_contains(text: str, day: date) -> bool:
    """Whether `day` is in a holiday: "2026-12-25", "12-25" (every year), or a range
    of either ("2026-12-24..2026-12-26")."""
    first, _, last = text.partition("..")
    try:
        bounds = [_holiday_date(part, day.year) for part in (first, last or first)]
    except ValueError:  # a yearly 02-29 in a year without one
        return False
    if bounds[1] < bounds[0]:  # a yearly range over New Year
        return day >= bounds[0] or day <= bounds[1]
    return bounds[0] <= day <= bounds[1]


def _holiday_date(text: str, year: int) -> date:
    return date.fromisoformat(text if len(text) == 10 else f"{year:04d}-{text}")


@dataclass(frozen=True)
class TimeCondition:
    """Sends calls to `open_destination` within the weekly `schedule` and to
    `closed_destination` outside it, on `holidays` and in night mode.

    `override` forces a state: "closed" (night mode) or "open"; "auto" follows the
    schedule. An empty schedule is open at all hours (holidays still close it).
    Times are read in `timezone`; a holiday is a whole local day.
    """

    name: str
    open_destination: str = field(
        metadata=doc("where calls go while open (ivr:main ...)", destination=True)
    )
    closed_destination: str = field(
        metadata=doc("where calls go when closed, on holidays and in night mode", destination=True)
    )
    schedule: tuple[str, ...] = field(
        default=(), metadata=doc('opening hours, e.g. "mon-fri 09:00-17:30" (repeat)')
    )
    holidays: tuple[str, ...] = field(
        default=(), metadata=doc("closed days: 2026-12-25, 12-25 yearly, or a..b ranges (repeat)")
    )
    timezone: str = field(default="", metadata=doc("e.g. Europe/London (blank: the box's)"))
    override: str = field(default="auto", metadata=doc("auto, or force closed (night) or open"))
    feature_code: str = field(
        default="", metadata=doc("code extensions dial to toggle night mode, e.g. *281")
    )

    def check(self) -> "TimeCondition":
        """The condition itself if it is sound; SettingError naming what is not."""
        check_destination(self.open_destination)
        check_destination(self.closed_destination)
        for entry in self.schedule:
            WeeklyRange.parse(entry)
        for holiday in self.holidays:
            if not _HOLIDAY.fullmatch(holiday):
                raise SettingError(f"a holiday is like 2026-12-25, 12-25 or a..b: {holiday!r}")
            try:
                for part in holiday.split(".."):
                    _holiday_date(part, 2024)  # a leap year: takes a yearly 02-29
            except ValueError:
                raise SettingError(f"not a date: {holiday!r}") from None
        zone(self.timezone)
        if self.override not in OVERRIDES:
            raise SettingError(f"override must be one of {', '.join(OVERRIDES)}")
        if self.feature_code and not _FEATURE_CODE.fullmatch(self.feature_code):
            raise SettingError("a feature code is * and up to 8 of 0-9, * and #, e.g. *281")
        return self

    def state_at(self, now: datetime) -> tuple[bool, str]:
        """(open?, why) at the instant `now` (aware): why is "night mode", "forced open",
        "holiday", "open hours" or "closed hours"."""
        if self.override == "closed":
            return False, "night mode"
        if self.override == "open":
            return True, "forced open"
        local = now.astimezone(zone(self.timezone))
        if any(_holiday_contains(h, local.date()) for h in self.holidays):
            return False, "holiday"
        ranges = [WeeklyRange.parse(entry) for entry in self.schedule]
        if not ranges or any(r.contains(local) for r in ranges):
            return True, "open hours"
        return False, "closed hours"

    def destination_at(self, now: datetime) -> str:
        """Where a call arriving at `now` goes."""
        return self.open_destination if self.state_at(now)[0] else self.closed_destination
