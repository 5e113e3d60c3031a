"""Board events: what the ports report, as frozen dataclasses the telephony layer consumes."""

from dataclasses import dataclass


@dataclass(frozen=True)
class BoardEvent:
    """Something a port reported: `port` is its profile name, `at_s` the clock's time."""

    port: str
    at_s: float


@dataclass(frozen=True)
class HookChanged(BoardEvent):
    """FXS: the phone went off-hook or on-hook (after the chip's debounce).

    Dial pulses and flashes arrive as short on-hook intervals; telling them apart is
    the line's job, from the times.
    """

    off_hook: bool


@dataclass(frozen=True)
class RingTripped(BoardEvent):
    """FXS: the phone was answered while ringing; the port stopped ringing by itself."""


@dataclass(frozen=True)
class PowerAlarm(BoardEvent):
    """FXS: the chip cut the line feed to protect a driver transistor.

    `transistors` names them ("Q1".."Q6"). `restored` says whether the driver could
    feed the line again (it retries a bounded number of times).
    """

    transistors: tuple[str, ...]
    restored: bool


@dataclass(frozen=True)
class RingChanged(BoardEvent):
    """FXO: ringing from the phone company started or stopped."""

    ringing: bool


@dataclass(frozen=True)
class PolarityChanged(BoardEvent):
    """FXO: the line's polarity settled the other way (answer or hang-up signal, CID)."""

    reversed: bool


@dataclass(frozen=True)
class BatteryChanged(BoardEvent):
    """FXO: line battery (loop voltage) went away or came back."""

    present: bool


@dataclass(frozen=True)
class LineAlarm(BoardEvent):
    """FXO: battery has been missing long enough to call the line down (red alarm)."""

    active: bool


@dataclass(frozen=True)
class ChipLost(BoardEvent):
    """A chip stopped answering sensibly (brown-out, unplugged module); the port is out
    of service until the board is reset and the port brought up again."""

    reason: str
