"""Si3215 ProSLIC driver: one FXS port's SLIC from reset to ringing, through the HAL only."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from board.chips.location import ChipLocation
from board.chips.si3215_registers import (
    CAL_RESULT_FALLBACK,
    CAL_RESULT_VALID,
    CALIBRATION_1_START,
    CALIBRATION_2_ALL,
    DAISY_CHAIN_ENABLE,
    DCDC_CALIBRATE,
    DCDC_ENGAGE,
    DR,
    IR,
    IRQ2_LOOP_CLOSURE,
    IRQ2_POWER_ALARM_SHIFT,
    IRQ2_POWER_ALARMS,
    IRQ2_RING_TRIP,
    LINEFEED_MASK,
    LINEFEED_REVERSE,
    LINEFEED_STATE_SHIFT,
    LOOP_CURRENT_BASE_MA,
    LOOP_CURRENT_STEP_MA,
    LOOP_CURRENT_UA_PER_STEP,
    LOOP_STATUS_LOOP_CLOSED,
    LOOP_STATUS_RESERVED,
    LOOP_VOLTAGE_MV_PER_STEP,
    PCM_ENABLE,
    PCM_FORMAT_CODES,
    PCM_FORMAT_SHIFT,
    PCM_MODE_IS_SI3215,
    POWER_DOWN_DCDC,
    RESET_HYBRID,
    RESET_LOOPBACK,
    REVISION_MASK,
    RING_ACTIVE_TIMER_ENABLE,
    RING_INACTIVE_TIMER_ENABLE,
    TIMER_TICK_US,
    VBAT_SENSE_MV_PER_STEP,
    VOLTS_PER_VOC_STEP,
    Linefeed,
)
from board.chips.si3215_ringing import amplitude_word, frequency_word
from board.errors import ChipFault, ChipNotFound, ChipTimeout
from board.events import BoardEvent, HookChanged, PowerAlarm, RingTripped
from board.hal import Clock, LineFeed, PcmFormat, RingSignal, SpiDevice, TimerHandle

logger = logging.getLogger(__name__)

# Indirect register values loaded at start (DAHDI's defaults, hardware.md §2.3).
INDIRECT_DEFAULTS = {
    IR.OSC1_COEFF: 0x7B30,
    IR.OSC1_X: 0x0063,
    IR.OSC1_Y: 0x0000,
    IR.OSC2_COEFF: 0x7870,
    IR.OSC2_X: 0x007D,
    IR.OSC2_Y: 0x0000,
    IR.RX_GAIN: 0x2000,
    IR.TX_GAIN: 0x4000,
    IR.LOOP_CLOSURE_THRESHOLD: 0x1000,
    IR.RING_TRIP_THRESHOLD: 0x3600,
    IR.COMMON_MODE_MIN: 0x1000,
    IR.COMMON_MODE_MAX: 0x0200,
    IR.POWER_ALARM_Q1Q2: 0x07C0,
    IR.POWER_ALARM_Q3Q4: 0x4C00,
    IR.POWER_ALARM_Q5Q6: 0x1B80,
    IR.LOOP_CLOSURE_FILTER: 0x8000,
    IR.RING_TRIP_FILTER: 0x0320,
    IR.THERMAL_POLE_Q1Q2: 0x008C,
    IR.THERMAL_POLE_Q3Q4: 0x0100,
    IR.THERMAL_POLE_Q5Q6: 0x0010,
    IR.RING_COMMON_MODE_BIAS: 0x0C00,
    IR.DCDC_MIN_VOLTAGE: 0x0C00,
    IR.LOOP_CLOSURE_THRESHOLD_LOW: 0x1000,
}
# The filters are held flat (0x8000) while the converter powers up, so the alarm
# accumulators do not trip on the inrush, then restored.
_POWER_UP_FILTERS = tuple(range(IR.LOOP_CLOSURE_FILTER, IR.THERMAL_POLE_Q5Q6 + 1))
_FILTER_FLUSH = 0x8000
_SANITY_VALUES = {DR.LOOPBACK: RESET_LOOPBACK, DR.LINEFEED: 0, DR.HYBRID: RESET_HYBRID}
_POWER_UP_MIN_V = 0xC0 * VBAT_SENSE_MV_PER_STEP / 1000  # DR82 >= 0xC0, about 72 V
_LEAKAGE_MIN_V = 0x06 * VBAT_SENSE_MV_PER_STEP / 1000
_WAIT_STEP_S = 0.01
_TIMER_MAX_MS = 0xFFFF * TIMER_TICK_US // 1000
_READ = 0x80
_FEED_CODES = {
    LineFeed.OPEN: Linefeed.OPEN,
    LineFeed.ACTIVE: Linefeed.FORWARD_ACTIVE,
    LineFeed.ON_HOOK_TRANSMISSION: Linefeed.FORWARD_OHT,
}


@dataclass(frozen=True)
class Si3215Settings:
    """How one FXS port is set up. Scales marked [verify] are not yet confirmed on silicon."""

    timeslot: int
    pcm_format: PcmFormat = PcmFormat.ULAW
    loop_current_ma: int = 20  # 20-41 mA in 3 mA steps
    open_circuit_v: float = 48.0
    battery_high_v: float = 75.0
    impedance_code: int = 0  # DR10 TISS; 0 is 600 ohm
    loop_debounce_ms: float = 12.5  # no hook event for closures shorter than ~10 ms
    ring_trip_debounce_ms: float = 12.5
    debounce_step_ms: float = 1.25  # DR69/DR70 step [verify]
    power_up_timeout_s: float = 0.5
    leakage_test_s: float = 0.25
    calibration_timeout_s: float = 2.0
    linefeed_confirm_s: float = 0.1  # re-send a linefeed the chip has not taken by then
    power_alarm_retries: int = 10  # line feed restored at most this often ...
    power_alarm_credit_s: float = 10.0  # ... regaining one retry per this long
    indirect_busy_reads: int = 100  # DR31 polls before an indirect access is given up

    def __post_init__(self):
        if not LOOP_CURRENT_BASE_MA <= self.loop_current_ma <= 41:
            raise ValueError(f"loop current {self.loop_current_ma} mA outside 20-41 mA")
        if not 0 <= self.impedance_code <= 7:
            raise ValueError(f"impedance code {self.impedance_code} outside 0-7")


class Si3215Driver:
    """The Si3215 ProSLIC of one FXS port; implements `board.hal.FxsPort`.

    In daisy-chain mode every register access is a three-byte frame, chip select
    released between the bytes; the first byte selects chips by bitmap:

        write:  | 1 << chain | addr        | data  |
        read:   | 1 << chain | 0x80 | addr | dummy |   data comes back on byte 3
    """

    def __init__(
        self, spi: SpiDevice, location: ChipLocation, clock: Clock, settings: Si3215Settings
    ):
        self.name = location.port
        self.timeslot = settings.timeslot
        self.location = location
        self._spi = spi
        self._clock = clock
        self._settings = settings
        self._select = 1 << location.chain_index
        self._spi_mode = 0
        self._feed = LineFeed.ACTIVE
        self._reversed = False
        self._ringing = False
        self._ring_phase_on = False
        self._cadence_timer: TimerHandle | None = None
        self._off_hook = False
        self._linefeed_sent = Linefeed.OPEN
        self._linefeed_sent_at_s = 0.0
        self._alarm_credits = settings.power_alarm_retries
        self._alarm_credit_at_s = 0.0

    def __str__(self) -> str:
        return str(self.location)

    @staticmethod
    def enable_daisy_chain(spi: SpiDevice) -> None:
        """Switch every Si3215 on this chip select to three-byte daisy-chain frames.

        After reset the chips take two-byte frames [addr, data] and all of them listen,
        so one write of DR0 reaches them all. Call it once per chip select after a
        reset, before any driver there: sent again, the chips would read it as the
        start of a three-byte frame.
        """
        spi.transfer(bytes((DR.SPI_MODE, DAISY_CHAIN_ENABLE)))

    # Register access

    def read_register(self, register: int) -> int:
        """Read direct register `register`."""
        return self._spi.transfer(bytes((self._select, _READ | register, 0)))[2]

    def write_register(self, register: int, value: int) -> None:
        """Write `value` to direct register `register`."""
        self._spi.transfer(bytes((self._select, register & 0x7F, value & 0xFF)))

    def read_indirect(self, register: int) -> int:
        """Read indirect register `register` (16 bits) through DR28-31."""
        self._wait_indirect_idle()
        self.write_register(DR.INDIRECT_ADDRESS, register)
        self._wait_indirect_idle()
        low = self.read_register(DR.INDIRECT_DATA_LO)
        return self.read_register(DR.INDIRECT_DATA_HI) << 8 | low

    def write_indirect(self, register: int, value: int) -> None:
        """Write `value` (16 bits) to indirect register `register`; writing DR30 commits."""
        self._wait_indirect_idle()
        self.write_register(DR.INDIRECT_DATA_LO, value & 0xFF)
        self.write_register(DR.INDIRECT_DATA_HI, value >> 8 & 0xFF)
        self.write_register(DR.INDIRECT_ADDRESS, register)

    def _wait_indirect_idle(self) -> None:
        for _ in range(self._settings.indirect_busy_reads):
            if self.read_register(DR.INDIRECT_STATUS) == 0:
                return
        raise ChipTimeout(
            str(self.location),
            f"indirect register access still busy after {self._settings.indirect_busy_reads}"
            " reads of DR31",
        )

    # Bring-up

    async def initialize(self) -> None:
        """Take the chip from reset to a fed, idle line (the DAHDI sequence, hardware.md §2.4).

        Raises ChipNotFound, ChipTimeout or ChipFault, naming port and chip select.
        """
        self._check_identity()
        self.write_register(DR.POWER_DOWN_1, POWER_DOWN_DCDC)
        self._load_indirect(INDIRECT_DEFAULTS | dict.fromkeys(_POWER_UP_FILTERS, _FILTER_FLUSH))
        self._write_all(self._static_setup())
        await self._power_up()
        await self._leakage_test()
        await self._power_up()
        await self._calibrate()
        self._load_indirect({ir: INDIRECT_DEFAULTS[ir] for ir in _POWER_UP_FILTERS})
        self._verify_indirect(INDIRECT_DEFAULTS)
        self._write_all(self._line_setup())
        self._program_oscillator(RingSignal())
        self._enable_interrupts()
        self._off_hook = bool(self._loop_status() & LOOP_STATUS_LOOP_CLOSED)
        self._apply_linefeed()

    def _check_identity(self) -> None:
        spi_mode = self._spi_mode = self.read_register(DR.SPI_MODE)
        revision = spi_mode & REVISION_MASK
        if spi_mode in (0x00, 0xFF) or revision in (0, REVISION_MASK):
            raise ChipNotFound(str(self.location), f"does not answer: DR0 reads 0x{spi_mode:02X}")
        if revision < 2:
            raise ChipFault(str(self.location), f"revision {revision} is too old (2 or later)")
        if not self.read_register(DR.PCM_MODE) & PCM_MODE_IS_SI3215:
            raise ChipNotFound(str(self.location), "answers, but is no Si3215 (DR1 bit 7 clear)")
        for register, expected in _SANITY_VALUES.items():
            value = self.read_register(register)
            if value != expected:
                raise ChipFault(
                    str(self.location),
                    f"fails the reset check: DR{register} reads 0x{value:02X},"
                    f" expected 0x{expected:02X}",
                )

    def _static_setup(self) -> dict[int, int]:
        return {
            DR.LOOPBACK: 0x00,
            DR.ENHANCEMENT: 0xEB,
            DR.AUTO_MANUAL: 0x07,
            DR.BATTERY_FEED: 0x01,
            DR.VBAT_HIGH: round(self._settings.battery_high_v / VOLTS_PER_VOC_STEP),
            DR.DCDC_PWM_PERIOD: 0xC0,
        }

    async def _power_up(self) -> None:
        self.write_register(DR.POWER_DOWN_1, 0)
        timeout_s = self._settings.power_up_timeout_s
        if not await self._wait_until(lambda: self.battery_v() >= _POWER_UP_MIN_V, timeout_s):
            raise ChipFault(
                str(self.location),
                f"battery reached only {self.battery_v():.1f} V in {timeout_s * 1000:.0f} ms"
                f" (needs {_POWER_UP_MIN_V:.1f} V): DC-DC converter fault",
            )
        self.write_register(DR.LOOP_CURRENT_LIMIT, self._loop_current_code())
        self.write_register(DR.DCDC_CONTROL, DCDC_ENGAGE)

    async def _leakage_test(self) -> None:
        # With the converter off, a healthy board holds its battery for a while;
        # a fast fall means a short on the line or the board.
        self.write_register(DR.LINEFEED, Linefeed.OPEN)
        self.write_register(DR.POWER_DOWN_1, POWER_DOWN_DCDC)
        await self._clock.sleep(self._settings.leakage_test_s)
        if (battery_v := self.battery_v()) < _LEAKAGE_MIN_V:
            raise ChipFault(
                str(self.location),
                f"battery fell to {battery_v:.1f} V within"
                f" {self._settings.leakage_test_s * 1000:.0f} ms with the converter off: leakage",
            )

    async def _calibrate(self) -> None:
        self._write_all(
            {DR.IRQ_ENABLE_1: 0, DR.IRQ_ENABLE_2: 0, DR.IRQ_ENABLE_3: 0, DR.LINEFEED: 0}
        )
        self.write_register(DR.CALIBRATION_2, CALIBRATION_2_ALL)
        self.write_register(DR.CALIBRATION_1, CALIBRATION_1_START)
        await self._wait_cleared(DR.CALIBRATION_1, 0xFF, "calibration")
        self.write_register(DR.DCDC_CONTROL, DCDC_ENGAGE | DCDC_CALIBRATE)
        await self._wait_cleared(DR.DCDC_CONTROL, DCDC_CALIBRATE, "DC-DC calibration")
        result = self.read_register(DR.CAL_RESULT_LAST)
        if result not in CAL_RESULT_VALID:
            logger.warning("%s: calibration result DR107=0x%02X out of range", self, result)
            self.write_register(DR.CAL_RESULT_LAST, CAL_RESULT_FALLBACK)

    async def _wait_cleared(self, register: int, mask: int, what: str) -> None:
        timeout_s = self._settings.calibration_timeout_s
        if not await self._wait_until(lambda: not self.read_register(register) & mask, timeout_s):
            raise ChipTimeout(
                str(self.location),
                f"{what} did not finish within {timeout_s:g} s"
                f" (DR{register} reads 0x{self.read_register(register):02X})",
            )

    async def _wait_until(self, done: Callable[[], bool], timeout_s: float) -> bool:
        deadline_s = self._clock.monotonic() + timeout_s
        while not done():
            if self._clock.monotonic() >= deadline_s:
                return False
            await self._clock.sleep(_WAIT_STEP_S)
        return True

    def _line_setup(self) -> dict[int, int]:
        settings = self._settings
        bit_offset = settings.timeslot * 8
        pcm_mode = PCM_ENABLE | PCM_FORMAT_CODES[settings.pcm_format.value] << PCM_FORMAT_SHIFT
        return {
            DR.PCM_MODE: pcm_mode,
            DR.PCM_TX_START_LO: bit_offset & 0xFF,
            DR.PCM_TX_START_HI: bit_offset >> 8,
            DR.PCM_RX_START_LO: bit_offset & 0xFF,
            DR.PCM_RX_START_HI: bit_offset >> 8,
            DR.IRQ_STATUS_1: 0xFF,
            DR.IRQ_STATUS_2: 0xFF,
            DR.IRQ_STATUS_3: 0xFF,
            DR.COMMON_MODE_VOLTAGE: 0x04,
            DR.LOOP_DEBOUNCE: self._debounce_code(settings.loop_debounce_ms),
            DR.RING_TRIP_DEBOUNCE: self._debounce_code(settings.ring_trip_debounce_ms),
            DR.TWO_WIRE_IMPEDANCE: 0x08 | settings.impedance_code,
            DR.OPEN_CIRCUIT_VOLTAGE: round(settings.open_circuit_v / VOLTS_PER_VOC_STEP),
            DR.LOOP_CURRENT_LIMIT: self._loop_current_code(),
        }

    def _enable_interrupts(self) -> None:
        self._write_all(
            {
                DR.IRQ_ENABLE_1: 0,
                DR.IRQ_ENABLE_2: IRQ2_RING_TRIP | IRQ2_LOOP_CLOSURE | IRQ2_POWER_ALARMS,
                DR.IRQ_ENABLE_3: 0,
            }
        )

    def _load_indirect(self, values: dict[int, int]) -> None:
        for register, value in values.items():
            self.write_indirect(register, value)

    def _verify_indirect(self, values: dict[int, int]) -> None:
        for register, expected in values.items():
            value = self.read_indirect(register)
            if value != expected:
                raise ChipFault(
                    str(self.location),
                    f"IR{register} reads 0x{value:04X} after writing 0x{expected:04X}",
                )

    def _write_all(self, values: dict[int, int]) -> None:
        for register, value in values.items():
            self.write_register(register, value)

    def _debounce_code(self, debounce_ms: float) -> int:
        return min(0xFF, round(debounce_ms / self._settings.debounce_step_ms))

    def _loop_current_code(self) -> int:
        return (self._settings.loop_current_ma - LOOP_CURRENT_BASE_MA) // LOOP_CURRENT_STEP_MA

    # Monitors

    def battery_v(self) -> float:
        """The high battery the DC-DC converter makes (DR82)."""
        return self.read_register(DR.VBAT_SENSE_HIGH) * VBAT_SENSE_MV_PER_STEP / 1000

    def line_voltage_v(self) -> float:
        """Tip-ring voltage (DR78, two's complement: negative when reversed)."""
        value = self.read_register(DR.LOOP_VOLTAGE_SENSE)
        return (value - 0x100 if value & 0x80 else value) * LOOP_VOLTAGE_MV_PER_STEP / 1000

    def loop_current_ma(self) -> float:
        """Loop current (DR79)."""
        return self.read_register(DR.LOOP_CURRENT_SENSE) * LOOP_CURRENT_UA_PER_STEP / 1000

    def linefeed_state(self) -> Linefeed:
        """The linefeed the chip is in (LFS), which may lag the one commanded."""
        return Linefeed(self.read_register(DR.LINEFEED) >> LINEFEED_STATE_SHIFT & LINEFEED_MASK)

    # FxsPort

    @property
    def off_hook(self) -> bool:
        return self._off_hook

    def set_feed(self, feed: LineFeed) -> None:
        self._end_ringing()
        self._feed = feed
        self._apply_linefeed()

    def set_polarity(self, reversed_: bool) -> None:
        self._reversed = reversed_
        self._apply_linefeed()

    def start_ringing(self, signal: RingSignal) -> None:
        self._end_ringing()
        self._program_oscillator(signal)
        cadence_ms = signal.cadence_ms
        self._ringing = True
        if len(cadence_ms) == 2 and max(cadence_ms) <= _TIMER_MAX_MS:
            self._program_ring_timers(*cadence_ms)
        elif cadence_ms:
            # Cadences of more than one on/off pair are timed here; the chip has one pair.
            self._cadence_step(cadence_ms, 0)
            return
        self._ring_phase_on = True
        self._apply_linefeed()

    def stop_ringing(self) -> None:
        self._end_ringing()
        self._apply_linefeed()

    def _program_oscillator(self, signal: RingSignal) -> None:
        frequency_hz, amplitude_vpk = signal.frequency_hz, signal.amplitude_vpk
        self.write_indirect(IR.RING_FREQUENCY, frequency_word(frequency_hz))
        self.write_indirect(IR.RING_AMPLITUDE, amplitude_word(amplitude_vpk, frequency_hz))
        self.write_indirect(IR.RING_OFFSET, 0)
        self.write_indirect(IR.RING_PHASE, 0)

    def _program_ring_timers(self, on_ms: int, off_ms: int) -> None:
        on_ticks = on_ms * 1000 // TIMER_TICK_US
        off_ticks = off_ms * 1000 // TIMER_TICK_US
        self._write_all(
            {
                DR.RING_ACTIVE_TIMER_LO: on_ticks & 0xFF,
                DR.RING_ACTIVE_TIMER_HI: on_ticks >> 8,
                DR.RING_INACTIVE_TIMER_LO: off_ticks & 0xFF,
                DR.RING_INACTIVE_TIMER_HI: off_ticks >> 8,
                DR.RING_OSC_CONTROL: RING_ACTIVE_TIMER_ENABLE | RING_INACTIVE_TIMER_ENABLE,
            }
        )

    def _cadence_step(self, cadence_ms: tuple[int, ...], index: int) -> None:
        self._ring_phase_on = index % 2 == 0
        self._apply_linefeed()
        following = (index + 1) % len(cadence_ms)
        self._cadence_timer = self._clock.call_later(
            cadence_ms[index] / 1000, lambda: self._cadence_step(cadence_ms, following)
        )

    def _end_ringing(self) -> None:
        if self._cadence_timer is not None:
            self._cadence_timer.cancel()
            self._cadence_timer = None
        if self._ringing:
            self._ringing = False
            self.write_register(DR.RING_OSC_CONTROL, 0)

    def _linefeed(self) -> Linefeed:
        if self._ringing and self._ring_phase_on:
            return Linefeed.RINGING
        # Between software-timed rings the line idles in on-hook transmission.
        code = Linefeed.FORWARD_OHT if self._ringing else _FEED_CODES[self._feed]
        if self._reversed and code != Linefeed.OPEN:
            code |= LINEFEED_REVERSE
        return Linefeed(code)

    def _apply_linefeed(self) -> None:
        self._linefeed_sent = self._linefeed()
        self._linefeed_sent_at_s = self._clock.monotonic()
        self.write_register(DR.LINEFEED, self._linefeed_sent)

    # Events

    def handle_interrupt(self) -> list[BoardEvent]:
        """Read and clear the chip's interrupts, act on them, and report what happened.

        Raises ChipNotFound when the chip stops answering (brown-out, pulled module).
        """
        self._check_alive()
        loop_status = self._loop_status()
        pending = self.read_register(DR.IRQ_STATUS_2)
        self._write_all({DR.IRQ_STATUS_1: 0xFF, DR.IRQ_STATUS_2: pending, DR.IRQ_STATUS_3: 0xFF})
        events: list[BoardEvent] = []
        if pending & IRQ2_RING_TRIP and self._ringing:
            events.append(self._ring_tripped())
        if pending & IRQ2_POWER_ALARMS:
            events.append(self._power_alarm(pending))
        events.extend(self._hook_change(loop_status))
        return events

    def poll(self) -> list[BoardEvent]:
        """The backstop for lost interrupts: everything `handle_interrupt` does, plus
        re-sending a linefeed the chip has not taken. Call it every 100 ms or so."""
        events = self.handle_interrupt()
        self._confirm_linefeed()
        return events

    def _ring_tripped(self) -> RingTripped:
        # The chip has left ringing by itself; feed the answered line.
        self._end_ringing()
        self._feed = LineFeed.ACTIVE
        self._apply_linefeed()
        return RingTripped(self.name, self._clock.monotonic())

    def _power_alarm(self, pending: int) -> PowerAlarm:
        alarms = pending >> IRQ2_POWER_ALARM_SHIFT
        transistors = tuple(f"Q{bit + 1}" for bit in range(6) if alarms & 1 << bit)
        restored = self._take_alarm_credit()
        if restored:
            self._apply_linefeed()
        logger.warning("%s: power alarm %s, feed restored: %s", self, transistors, restored)
        return PowerAlarm(self.name, self._clock.monotonic(), transistors, restored)

    def _take_alarm_credit(self) -> bool:
        now_s = self._clock.monotonic()
        earned = int((now_s - self._alarm_credit_at_s) / self._settings.power_alarm_credit_s)
        if earned:
            self._alarm_credits = min(
                self._settings.power_alarm_retries, self._alarm_credits + earned
            )
            self._alarm_credit_at_s = now_s
        if self._alarm_credits <= 0:
            return False
        self._alarm_credits -= 1
        return True

    def _hook_change(self, loop_status: int) -> list[BoardEvent]:
        off_hook = bool(loop_status & LOOP_STATUS_LOOP_CLOSED)
        if off_hook == self._off_hook:
            return []
        self._off_hook = off_hook
        return [HookChanged(self.name, self._clock.monotonic(), off_hook)]

    def _check_alive(self) -> None:
        # DR0 keeps the daisy-chain bit only until a reset: a brown-out clears it and
        # leaves the chip reading three-byte frames as two-byte ones.
        spi_mode = self.read_register(DR.SPI_MODE)
        if spi_mode == 0xFF:
            raise ChipNotFound(str(self), "stopped answering: DR0 reads 0xFF")
        if spi_mode != self._spi_mode:
            raise ChipFault(str(self), f"was reset: DR0 reads 0x{spi_mode:02X}")

    def _loop_status(self) -> int:
        status = self.read_register(DR.LOOP_STATUS)
        if status & LOOP_STATUS_RESERVED:
            raise ChipNotFound(str(self.location), f"stopped answering: DR68 reads 0x{status:02X}")
        return status

    def _confirm_linefeed(self) -> None:
        state = self.read_register(DR.LINEFEED)
        commanded = state & LINEFEED_MASK
        actual = state >> LINEFEED_STATE_SHIFT & LINEFEED_MASK
        if commanded != self._linefeed_sent or actual == commanded:
            return  # taken, or changed by the chip itself (handled by its interrupt)
        if self._clock.monotonic() - self._linefeed_sent_at_s >= self._settings.linefeed_confirm_s:
            logger.info("%s: linefeed %s not taken; sending it again", self, commanded)
            self._apply_linefeed()
