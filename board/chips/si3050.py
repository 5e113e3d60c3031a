"""Si3050 + Si3019 DAA driver: one FXO port from reset to ring, polarity and battery detection."""

import logging
from dataclasses import dataclass, field, replace

from board.chips.daa_country import DaaCountry, daa_country
from board.chips.debounce import Debounced
from board.chips.location import ChipLocation
from board.chips.si3050_registers import (
    CONTROL_BYTE,
    CONTROL_READ,
    FOH_SHIFT,
    FRAME_DETECT,
    INTERRUPT_PIN_ENABLE,
    INTERRUPT_POLARITY,
    INTERRUPT_RING,
    LINE_SIDE_ID_SHIFT,
    LOOP_CURRENT_2_MA_PER_STEP,
    OFF_HOOK,
    OFF_HOOK_COUNTER_CODES,
    ON_HOOK_MONITOR,
    PCM_ENABLE,
    PCM_FORMAT_CODES,
    PCM_FORMAT_SHIFT,
    RESET_CONTROL_2,
    RING_FULL_WAVE,
    RING_NEGATIVE,
    RING_POSITIVE,
    SOFTWARE_RESET,
    Reg,
    channel_id,
)
from board.errors import ChipFault, ChipNotFound, ChipTimeout
from board.events import BatteryChanged, BoardEvent, LineAlarm, PolarityChanged, RingChanged
from board.hal import Clock, PcmFormat, SpiDevice

logger = logging.getLogger(__name__)

_WAIT_STEP_S = 0.01
_CONTROL_2 = RESET_CONTROL_2 | INTERRUPT_PIN_ENABLE
_HEALTH_CHECK_S = 0.1


@dataclass(frozen=True)
class Si3050Settings:
    """How one FXO port is set up; detection times follow DAHDI (hardware.md §2.6, §3.4)."""

    timeslot: int
    country: DaaCountry = field(default_factory=lambda: daa_country("USA"))
    pcm_format: PcmFormat = PcmFormat.ULAW
    off_hook_counter_ms: int = 128  # FOH: 8, 64, 128 or 512
    line_voltage_below_3v: bool = True  # LVFD: report small voltages instead of 0
    reset_wait_s: float = 0.1
    link_timeout_s: float = 2.0
    battery_threshold_v: float = 3.0
    battery_debounce_ms: float = 64.0
    battery_alarm_ms: float = 1000.0
    polarity_debounce_ms: float = 64.0  # Xorcom rides ring transients with 200
    ring_alternation_ms: float = 128.0  # RDTP/RDTN must alternate within this ...
    ring_alternations: int = 3  # ... this many times to call it ringing
    ring_off_ms: float = 128.0  # and ringing ends after this long without either

    def __post_init__(self):
        if self.off_hook_counter_ms not in OFF_HOOK_COUNTER_CODES:
            raise ValueError(f"off-hook counter {self.off_hook_counter_ms} ms: 8, 64, 128 or 512")


class Si3050Driver:
    """The Si3050 DAA (with its Si3019 line side) of one FXO port; implements `board.hal.FxoPort`.

    Every access is a three-byte frame, chip select released between bytes:

        write:  | 0x20 | CID        | reg | data  |
        read:   | 0x20 | 0x40 | CID | reg | dummy |   data comes back on byte 3

    CID is the chip's position on its chip select, bit-reversed. Ring detection follows
    the ring half-cycle bits (RDTP/RDTN), so `poll` must run every 10 ms or so.
    """

    def __init__(
        self, spi: SpiDevice, location: ChipLocation, clock: Clock, settings: Si3050Settings
    ):
        self.name = location.port
        self.timeslot = settings.timeslot
        self.location = location
        self._spi = spi
        self._clock = clock
        self._settings = settings
        self._control = CONTROL_BYTE | channel_id(location.chain_index)
        self._off_hook = False
        self._monitor = True
        self._reset_detection(battery=False, reversed_=False)

    def __str__(self) -> str:
        return str(self.location)

    # Register access

    def read_register(self, register: int) -> int:
        """Read register `register`."""
        return self._spi.transfer(bytes((self._control | CONTROL_READ, register, 0)))[2]

    def write_register(self, register: int, value: int) -> None:
        """Write `value` to register `register`."""
        self._spi.transfer(bytes((self._control, register, value & 0xFF)))

    # Bring-up

    async def initialize(self) -> None:
        """Reset the DAA, set it up for the country and power up the line side.

        Raises ChipNotFound, ChipTimeout or ChipFault, naming port and chip select.
        """
        self.write_register(Reg.CONTROL_1, SOFTWARE_RESET)
        await self._clock.sleep(self._settings.reset_wait_s)
        self._check_identity()
        for register, value in self._setup().items():
            self.write_register(register, value)
        self.write_register(Reg.DAA_CONTROL_2, 0)  # power up the line side
        await self._wait_for_link()
        self.write_register(Reg.INTERRUPT_MASK, INTERRUPT_RING | INTERRUPT_POLARITY)
        self.write_register(Reg.INTERRUPT_SOURCE, 0)
        self.write_register(Reg.CONTROL_2, _CONTROL_2)
        self._off_hook = False
        self._write_hook()
        line_v = self.line_voltage_v()
        self._reset_detection(abs(line_v) >= self._settings.battery_threshold_v, line_v < 0)

    def set_country(self, country: DaaCountry) -> None:
        """Set the line side up for `country` (termination, ring detection) again, as at
        bring-up; meant for an idle, on-hook line."""
        self._settings = replace(self._settings, country=country)
        for register, value in self._setup().items():
            self.write_register(register, value)

    def _check_identity(self) -> None:
        control_2 = self.read_register(Reg.CONTROL_2)
        if control_2 in (0x00, 0xFF):
            raise ChipNotFound(str(self), f"does not answer: register 2 reads 0x{control_2:02X}")
        if control_2 != RESET_CONTROL_2:
            raise ChipFault(
                str(self),
                f"fails the reset check: register 2 reads 0x{control_2:02X},"
                f" expected 0x{RESET_CONTROL_2:02X}",
            )

    def _setup(self) -> dict[int, int]:
        settings, country = self._settings, self._settings.country
        bit_offset = settings.timeslot * 8
        control_3 = (
            OFF_HOOK_COUNTER_CODES[settings.off_hook_counter_ms] << FOH_SHIFT
            | country.daa_control_3_bits
            | int(settings.line_voltage_below_3v)
        )
        values = {
            Reg.INTERNATIONAL_CONTROL_1: country.international_control_1,
            Reg.INTERNATIONAL_CONTROL_3: RING_FULL_WAVE,
            Reg.RING_VALIDATION_3: 0,  # the driver validates rings itself
            Reg.DC_TERMINATION: country.dc_termination,
            Reg.AC_TERMINATION: country.ac_termination,
            Reg.DAA_CONTROL_3: control_3,
            Reg.PCM_SPI_MODE: PCM_ENABLE
            | PCM_FORMAT_CODES[settings.pcm_format.value] << PCM_FORMAT_SHIFT,
            Reg.PCM_TX_START_LO: bit_offset & 0xFF,
            Reg.PCM_TX_START_HI: bit_offset >> 8,
            Reg.PCM_RX_START_LO: bit_offset & 0xFF,
            Reg.PCM_RX_START_HI: bit_offset >> 8,
        }
        if country.ring_validation_2 is not None:
            values[Reg.RING_VALIDATION_2] = country.ring_validation_2
        return values

    async def _wait_for_link(self) -> None:
        deadline_s = self._clock.monotonic() + self._settings.link_timeout_s
        while not self._link_up():
            if self._clock.monotonic() >= deadline_s:
                raise ChipTimeout(
                    str(self),
                    "isolation link to the line-side device (Si3019) not up within"
                    f" {self._settings.link_timeout_s:g} s (register 11 reads"
                    f" 0x{self.read_register(Reg.CHIP_REVISION):02X})",
                )
            await self._clock.sleep(_WAIT_STEP_S)

    def _link_up(self) -> bool:
        line_side = self.read_register(Reg.CHIP_REVISION) >> LINE_SIDE_ID_SHIFT
        return bool(line_side) and bool(self.read_register(Reg.LINE_SIDE_STATUS) & FRAME_DETECT)

    # FxoPort

    @property
    def off_hook(self) -> bool:
        return self._off_hook

    def set_off_hook(self, off_hook: bool) -> None:
        self._off_hook = off_hook
        self._write_hook()

    def set_on_hook_monitor(self, enabled: bool) -> None:
        self._monitor = enabled
        self._write_hook()

    def _write_hook(self) -> None:
        value = (OFF_HOOK if self._off_hook else 0) | (ON_HOOK_MONITOR if self._monitor else 0)
        self.write_register(Reg.DAA_CONTROL_1, value)

    def line_voltage_v(self) -> int:
        value = self.read_register(Reg.LINE_VOLTAGE_STATUS)
        return value - 0x100 if value & 0x80 else value

    def loop_current_ma(self) -> float:
        return self.read_register(Reg.LOOP_CURRENT_STATUS) * LOOP_CURRENT_2_MA_PER_STEP

    @property
    def ringing(self) -> bool:
        """Ringing detected now (RDTP/RDTN alternating, with battery)."""
        return self._ringing

    @property
    def battery_present(self) -> bool:
        return self._battery.value

    @property
    def polarity_reversed(self) -> bool:
        return self._reversed.value

    # Events

    def handle_interrupt(self) -> list[BoardEvent]:
        """Clear the DAA's interrupts (ring, polarity) and sample the line at once."""
        self.write_register(Reg.INTERRUPT_SOURCE, 0)
        return self.poll()

    def poll(self) -> list[BoardEvent]:
        """Sample the ring bits and the line voltage; report what changed.

        Raises ChipNotFound or ChipFault when the chip stops answering or was reset
        behind the driver (brown-out).
        """
        now_s = self._clock.monotonic()
        control = self.read_register(Reg.DAA_CONTROL_1)
        line_v = self.line_voltage_v()
        events = self._track_battery(line_v, now_s)
        events += self._track_ring(control, now_s)
        events += self._track_polarity(line_v, now_s)
        # A reset chip reads like a dead line: check it is still set up before
        # reporting a change, and every 100 ms anyway.
        if events or now_s >= self._health_due_s:
            self._check_alive()
            self._health_due_s = now_s + _HEALTH_CHECK_S
        return events

    def _check_alive(self) -> None:
        control_2 = self.read_register(Reg.CONTROL_2)
        if control_2 == 0xFF:
            raise ChipNotFound(str(self), "stopped answering: register 2 reads 0xFF")
        if control_2 != _CONTROL_2:
            raise ChipFault(str(self), f"was reset: register 2 reads 0x{control_2:02X}")

    def _reset_detection(self, battery: bool, reversed_: bool) -> None:
        settings = self._settings
        self._battery = Debounced(battery, settings.battery_debounce_ms / 1000)
        self._reversed = Debounced(reversed_, settings.polarity_debounce_ms / 1000)
        self._battery.changed_at_s = self._clock.monotonic()
        self._alarm = False
        self._ringing = False
        self._ring_half = 0
        self._ring_alternations = 0
        self._ring_changed_s = self._ring_seen_s = 0.0
        self._health_due_s = 0.0

    def _track_battery(self, line_v: int, now_s: float) -> list[BoardEvent]:
        events: list[BoardEvent] = []
        present = abs(line_v) >= self._settings.battery_threshold_v
        if self._battery.sample(present, now_s):
            events.append(BatteryChanged(self.name, now_s, present))
        lost_s = now_s - self._battery.changed_at_s
        alarm = not self._battery.value and lost_s * 1000 >= self._settings.battery_alarm_ms
        if alarm != self._alarm:
            self._alarm = alarm
            events.append(LineAlarm(self.name, now_s, alarm))
        return events

    def _track_ring(self, control: int, now_s: float) -> list[BoardEvent]:
        half = control & (RING_POSITIVE | RING_NEGATIVE)
        window_s = self._settings.ring_alternation_ms / 1000
        if half:
            if half != self._ring_half:
                in_time = now_s - self._ring_changed_s <= window_s and self._ring_half
                self._ring_alternations = self._ring_alternations + 1 if in_time else 0
                self._ring_half, self._ring_changed_s = half, now_s
            self._ring_seen_s = now_s
            enough = self._ring_alternations >= self._settings.ring_alternations
            if enough and self._battery.value and not self._ringing:
                return self._ring_changed(True, now_s)
        elif now_s - self._ring_seen_s >= self._settings.ring_off_ms / 1000:
            self._ring_half, self._ring_alternations = 0, 0
            if self._ringing:
                return self._ring_changed(False, now_s)
        return []

    def _ring_changed(self, ringing: bool, now_s: float) -> list[BoardEvent]:
        self._ringing = ringing
        return [RingChanged(self.name, now_s, ringing)]

    def _track_polarity(self, line_v: int, now_s: float) -> list[BoardEvent]:
        # Polarity means nothing without battery, and ringing swings the voltage.
        if self._ringing or abs(line_v) < self._settings.battery_threshold_v:
            return []
        if self._reversed.sample(line_v < 0, now_s):
            return [PolarityChanged(self.name, now_s, self._reversed.value)]
        return []
