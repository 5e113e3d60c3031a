"""Port HAL: what the telephony layer may ask of an FXS or FXO port, whatever chip it has."""

from dataclasses import dataclass
from enum import Enum
from typing import Protocol


class LineFeed(Enum):
    """How an FXS port feeds its line when it is not ringing."""

    OPEN = "open"  # no battery: the phone is dead (and sees a disconnect)
    ACTIVE = "active"  # talk battery: the phone can go off-hook and talk
    ON_HOOK_TRANSMISSION = "oht"  # battery plus an audio path while on-hook (caller ID)


@dataclass(frozen=True)
class RingSignal:
    """Ringing voltage and cadence an FXS port puts on its line.

    `cadence_ms` alternates on and off times, starting with on, and repeats:
    (2000, 4000) is the US cadence, (400, 200, 400, 2000) the UK's. Empty means ring
    without pause until stopped.
    """

    frequency_hz: float = 20.0
    amplitude_vpk: float = 70.0
    cadence_ms: tuple[int, ...] = (2000, 4000)

    def __post_init__(self):
        if not 10.0 <= self.frequency_hz <= 100.0:
            raise ValueError(f"ring frequency {self.frequency_hz} Hz outside 10-100 Hz")
        if not 0.0 < self.amplitude_vpk <= 94.0:
            raise ValueError(f"ring amplitude {self.amplitude_vpk} Vpk outside 0-94 V")
        if len(self.cadence_ms) % 2 or any(ms <= 0 for ms in self.cadence_ms):
            raise ValueError(f"cadence {self.cadence_ms}: pairs of positive on/off times")


class FxsPort(Protocol):
    """An FXS port: feeds and rings an analog phone and reports its hook state.

    Hook changes, ring trips and alarms arrive as `board.events` from the board's
    monitor; these methods only command the port.
    """

    name: str
    timeslot: int

    @property
    def off_hook(self) -> bool:
        """The phone's hook state as last reported by the chip."""
        ...

    def set_feed(self, feed: LineFeed) -> None:
        """Feed the line this way (ends ringing)."""
        ...

    def set_polarity(self, reversed_: bool) -> None:
        """Reverse tip and ring (True), or restore them (answer supervision, CID)."""
        ...

    def start_ringing(self, signal: RingSignal) -> None:
        """Ring the phone with `signal` until `stop_ringing`, a feed change or a ring trip."""
        ...

    def stop_ringing(self) -> None:
        """Stop ringing and return to the last feed set."""
        ...

    def line_voltage_v(self) -> float:
        """Tip-ring voltage, signed by polarity (0 while open or ringing)."""
        ...

    def loop_current_ma(self) -> float:
        """Loop current the phone draws (0 on-hook)."""
        ...


class FxoPort(Protocol):
    """An FXO port: a phone-company line the box answers and dials out on.

    Ring, polarity and battery changes arrive as `board.events` from the board's monitor.
    """

    name: str
    timeslot: int

    @property
    def off_hook(self) -> bool:
        """Whether the port holds the line (seized)."""
        ...

    def set_off_hook(self, off_hook: bool) -> None:
        """Seize the line (True) or release it."""
        ...

    def set_on_hook_monitor(self, enabled: bool) -> None:
        """Pass line audio while on-hook, to hear caller ID between rings."""
        ...

    def line_voltage_v(self) -> int:
        """Tip-ring voltage, signed by polarity (about 1 V per step)."""
        ...

    def loop_current_ma(self) -> float:
        """Loop current while off-hook."""
        ...
