"""Si3215 model: the ProSLIC's registers and line behaviour, driven by the driver's SPI frames."""

from board.chips import si3215_ringing as ringing
from board.chips.si3215_registers import (
    CAL_RESULT_FALLBACK,
    DAISY_CHAIN_ENABLE,
    DCDC_CALIBRATE,
    DR,
    IR,
    IRQ2_LOOP_CLOSURE,
    IRQ2_POWER_ALARM_SHIFT,
    IRQ2_RING_TRIP,
    LINEFEED_MASK,
    LINEFEED_STATE_SHIFT,
    LOOP_STATUS_LOOP_CLOSED,
    LOOP_STATUS_RING_TRIP,
    PCM_ENABLE,
    PCM_FORMAT_CODES,
    PCM_FORMAT_MASK,
    PCM_FORMAT_SHIFT,
    POWER_DOWN_DCDC,
    RESET_HYBRID,
    RESET_LOOPBACK,
    RESET_PCM_MODE,
    RESET_VBAT_HIGH,
    RING_ACTIVE_TIMER_ENABLE,
    RING_INACTIVE_TIMER_ENABLE,
    TIMER_TICK_US,
    VBAT_SENSE_MV_PER_STEP,
    VOLTS_PER_VOC_STEP,
    Linefeed,
)
from board.emu.chip import ChipModel
from board.emu.pcm import PcmEndpoint
from board.hal import Clock, PcmFormat

_READ = 0x80
_IRQ_STATUS = (DR.IRQ_STATUS_1, DR.IRQ_STATUS_2, DR.IRQ_STATUS_3)
_IRQ_ENABLE = (DR.IRQ_ENABLE_1, DR.IRQ_ENABLE_2, DR.IRQ_ENABLE_3)
_PCM_REGISTERS = range(DR.PCM_MODE, DR.PCM_RX_START_HI + 1)
_FORMATS = {code: PcmFormat(name) for name, code in PCM_FORMAT_CODES.items()}
_FED = {
    Linefeed.FORWARD_ACTIVE,
    Linefeed.FORWARD_OHT,
    Linefeed.REVERSE_ACTIVE,
    Linefeed.REVERSE_OHT,
}
_REVERSED = {Linefeed.REVERSE_ACTIVE, Linefeed.REVERSE_OHT}
_OFF_HOOK_LOOP_V = 10.0  # tip-ring voltage across an off-hook phone


class Si3215Model(ChipModel):
    """One Si3215 ProSLIC and the line it feeds.

    Decodes two-byte frames after reset and three-byte daisy-chain frames once DR0
    bit 7 is set, keeps the direct and indirect register files, ramps the battery
    when the DC-DC converter runs, calibrates, debounces loop closure and ring trip
    with DR69/DR70, and runs the ring cadence timers (DR48-51) on the clock.

    The far end (an analog phone model) drives `set_loop_closed` and reads the
    analog state: `linefeed`, `ringing`, `ring_frequency_hz`, `ring_amplitude_vpk`,
    `polarity_reversed`, `tip_ring_v`. Audio crosses on `pcm`.
    """

    revision = 5
    debounce_step_ms = 1.25  # DR69/DR70 step [verify]
    battery_ramp_v_per_s = 750.0  # the converter reaches 75 V in about 100 ms
    battery_decay_v_per_s = 20.0  # with the converter off; a leaky board is faster
    calibration_s = 0.2
    dcdc_calibration_s = 0.02
    indirect_busy_reads = 1  # DR31 reads busy this often after each access

    def __init__(self, clock: Clock, name: str, chain_index: int):
        super().__init__(clock, name)
        self.chain_index = chain_index
        self.indirect = [0] * 256
        self.pcm = PcmEndpoint(passing=lambda: self.linefeed in _FED)
        self.loop_closed = False
        self.linefeed_stalled = False
        self._power_on_reset()

    def _power_on_reset(self) -> None:
        self.registers[:] = bytes(self.register_count)
        for register, value in {
            DR.SPI_MODE: self.revision,
            DR.PCM_MODE: RESET_PCM_MODE,
            DR.LOOPBACK: RESET_LOOPBACK,
            DR.HYBRID: RESET_HYBRID,
            DR.POWER_DOWN_1: POWER_DOWN_DCDC,
            DR.VBAT_HIGH: RESET_VBAT_HIGH,
        }.items():
            self.registers[register] = value
        self.indirect = [0] * 256
        self._indirect_write_pending = False
        self._indirect_busy = 0
        self._linefeed_state = Linefeed.OPEN
        self._battery_v = 0.0
        self._battery_at_s = self.clock.monotonic()
        self._loop_detected = False
        self._ring_tripped = False
        self._ring_active = False
        self._sync_pcm()

    # SPI frames

    def _on_byte(self, frame: list[int]) -> int | None:
        if not self.registers[DR.SPI_MODE] & DAISY_CHAIN_ENABLE:
            return self._two_byte_frame(frame)
        if len(frame) < 3:
            return None
        chip_map, address, data = frame
        frame.clear()
        if not chip_map & 1 << self.chain_index:
            return None
        return self._access(address, data)

    def _two_byte_frame(self, frame: list[int]) -> int | None:
        # Reset mode: [R/W + address, data]; every chip on the select listens.
        if len(frame) < 2:
            return None
        address, data = frame
        frame.clear()
        return self._access(address, data)

    def _access(self, address: int, data: int) -> int | None:
        register = address & 0x7F
        if address & _READ:
            return self.read_register(register)
        self.write_register(register, data)
        return None

    # Register behaviour

    def _read(self, register: int) -> int:
        if register == DR.LOOP_STATUS:
            return (LOOP_STATUS_LOOP_CLOSED if self._loop_detected else 0) | (
                LOOP_STATUS_RING_TRIP if self._ring_tripped else 0
            )
        if register == DR.LINEFEED:
            return self._linefeed_state << LINEFEED_STATE_SHIFT | self._commanded_linefeed
        if register == DR.INDIRECT_STATUS:
            busy, self._indirect_busy = self._indirect_busy > 0, max(0, self._indirect_busy - 1)
            return int(busy)
        if register == DR.VBAT_SENSE_HIGH:
            return min(0xFF, round(self.battery_v * 1000 / VBAT_SENSE_MV_PER_STEP))
        return self.registers[register]

    def _write(self, register: int, value: int) -> None:
        handler = {
            DR.SPI_MODE: self._write_spi_mode,
            DR.INDIRECT_ADDRESS: self._indirect_access,
            DR.LINEFEED: self._write_linefeed,
            DR.CALIBRATION_1: self._write_calibration,
            DR.DCDC_CONTROL: self._write_dcdc_control,
            DR.POWER_DOWN_1: self._write_battery_setting(DR.POWER_DOWN_1),
            DR.VBAT_HIGH: self._write_battery_setting(DR.VBAT_HIGH),
        }.get(register)
        if register in _IRQ_STATUS:
            self.registers[register] &= ~value  # write 1 to clear
        elif handler is not None:
            handler(value)
        else:
            self.registers[register] = value
        if register in (DR.INDIRECT_DATA_LO, DR.INDIRECT_DATA_HI):
            self._indirect_write_pending = True
        if register in _PCM_REGISTERS:
            self._sync_pcm()
        if register in _IRQ_STATUS or register in _IRQ_ENABLE:
            self._update_interrupt()

    def _write_spi_mode(self, value: int) -> None:
        self.registers[DR.SPI_MODE] = value & DAISY_CHAIN_ENABLE | self.revision

    def _indirect_access(self, address: int) -> None:
        # Data written since the last access makes this a write; otherwise a read.
        self.registers[DR.INDIRECT_ADDRESS] = address
        if self._indirect_write_pending:
            low, high = self.registers[DR.INDIRECT_DATA_LO], self.registers[DR.INDIRECT_DATA_HI]
            self.indirect[address] = high << 8 | low
        else:
            value = self.indirect[address]
            self.registers[DR.INDIRECT_DATA_LO] = value & 0xFF
            self.registers[DR.INDIRECT_DATA_HI] = value >> 8
        self._indirect_write_pending = False
        self._indirect_busy = self.indirect_busy_reads

    def _write_calibration(self, value: int) -> None:
        self.registers[DR.CALIBRATION_1] = value
        if value:
            self._schedule("calibration", self.calibration_s, self._calibration_done)

    def _calibration_done(self) -> None:
        self.registers[DR.CALIBRATION_1] = 0
        self.registers[DR.CAL_RESULT_LAST] = CAL_RESULT_FALLBACK

    def _write_dcdc_control(self, value: int) -> None:
        self.registers[DR.DCDC_CONTROL] = value
        if value & DCDC_CALIBRATE:
            self._schedule("dcdc", self.dcdc_calibration_s, self._dcdc_calibration_done)

    def _dcdc_calibration_done(self) -> None:
        self.registers[DR.DCDC_CONTROL] &= ~DCDC_CALIBRATE

    def _sync_pcm(self) -> None:
        mode = self.registers[DR.PCM_MODE]
        self.pcm.enabled = bool(mode & PCM_ENABLE)
        self.pcm.pcm_format = _FORMATS.get((mode & PCM_FORMAT_MASK) >> PCM_FORMAT_SHIFT)
        tx_bits = self.registers[DR.PCM_TX_START_HI] << 8 | self.registers[DR.PCM_TX_START_LO]
        rx_bits = self.registers[DR.PCM_RX_START_HI] << 8 | self.registers[DR.PCM_RX_START_LO]
        self.pcm.tx_timeslot, self.pcm.rx_timeslot = tx_bits // 8, rx_bits // 8

    def _interrupt_pending(self) -> bool:
        return any(
            self.registers[status] & self.registers[enable]
            for status, enable in zip(_IRQ_STATUS, _IRQ_ENABLE, strict=True)
        )

    def _raise_interrupt(self, register: int, bits: int) -> None:
        self.registers[register] |= bits
        self._update_interrupt()

    # Battery (DC-DC converter)

    @property
    def battery_v(self) -> float:
        """The high battery now: it ramps toward DR74 while the converter runs, decays when off."""
        self._settle_battery()
        return self._battery_v

    def _battery_target_v(self) -> float:
        if self.registers[DR.POWER_DOWN_1] & POWER_DOWN_DCDC:
            return 0.0
        return self.registers[DR.VBAT_HIGH] * VOLTS_PER_VOC_STEP

    def _settle_battery(self) -> None:
        now_s = self.clock.monotonic()
        elapsed_s, self._battery_at_s = now_s - self._battery_at_s, now_s
        target_v, battery_v = self._battery_target_v(), self._battery_v
        if battery_v < target_v:
            self._battery_v = min(target_v, battery_v + self.battery_ramp_v_per_s * elapsed_s)
        else:
            self._battery_v = max(target_v, battery_v - self.battery_decay_v_per_s * elapsed_s)

    def _write_battery_setting(self, register: int):
        def write(value: int) -> None:
            self._settle_battery()
            self.registers[register] = value

        return write

    # Linefeed, loop closure and ring trip

    @property
    def _commanded_linefeed(self) -> Linefeed:
        return Linefeed(self.registers[DR.LINEFEED] & LINEFEED_MASK)

    def _write_linefeed(self, value: int) -> None:
        self.registers[DR.LINEFEED] = value & LINEFEED_MASK
        if not self.linefeed_stalled:
            self._enter_linefeed(self._commanded_linefeed)

    def _enter_linefeed(self, linefeed: Linefeed) -> None:
        self.registers[DR.LINEFEED] = linefeed
        was_ringing = self._linefeed_state == Linefeed.RINGING
        self._linefeed_state = linefeed
        if linefeed == Linefeed.RINGING and not was_ringing:
            self._ring_tripped = False
            self._ring_phase(active=True)
        elif linefeed != Linefeed.RINGING:
            self._cancel("ring")
            self._ring_active = False
        self._loop_inputs_changed()
        self._line_moved()

    def set_loop_closed(self, closed: bool) -> None:
        """Far end: the phone closes (off-hook) or opens its loop."""
        self.loop_closed = closed
        self._loop_inputs_changed()

    def _loop_inputs_changed(self) -> None:
        if self._linefeed_state == Linefeed.RINGING:
            if self.loop_closed:
                self._schedule("ring_trip", self._debounce_s(DR.RING_TRIP_DEBOUNCE), self._trip)
            else:
                self._cancel("ring_trip")
            return
        self._cancel("ring_trip")
        detected = self.loop_closed and self._linefeed_state in _FED
        if detected == self._loop_detected:
            self._cancel("loop")
        elif "loop" not in self._timers:
            self._schedule("loop", self._debounce_s(DR.LOOP_DEBOUNCE), self._loop_settled)

    def _loop_settled(self) -> None:
        self._loop_detected = not self._loop_detected
        self._raise_interrupt(DR.IRQ_STATUS_2, IRQ2_LOOP_CLOSURE)
        self._loop_inputs_changed()

    def _trip(self) -> None:
        # Ring trip: the chip leaves ringing for forward active by itself.
        self._ring_tripped = True
        self._raise_interrupt(DR.IRQ_STATUS_2, IRQ2_RING_TRIP)
        self._enter_linefeed(Linefeed.FORWARD_ACTIVE)

    def _debounce_s(self, register: int) -> float:
        return self.registers[register] * self.debounce_step_ms / 1000

    # Ringing

    def _ring_phase(self, active: bool) -> None:
        self._ring_active = active
        self._line_moved()
        control = self.registers[DR.RING_OSC_CONTROL]
        if not (control & RING_ACTIVE_TIMER_ENABLE and control & RING_INACTIVE_TIMER_ENABLE):
            return  # no timers: ring without pause
        low, high = (
            (DR.RING_ACTIVE_TIMER_LO, DR.RING_ACTIVE_TIMER_HI)
            if active
            else (DR.RING_INACTIVE_TIMER_LO, DR.RING_INACTIVE_TIMER_HI)
        )
        ticks = self.registers[high] << 8 | self.registers[low]
        if ticks:
            self._schedule(
                "ring", ticks * TIMER_TICK_US / 1e6, lambda: self._ring_phase(not active)
            )

    # Analog side, for the far-end models

    @property
    def linefeed(self) -> Linefeed:
        """The state the line is in (LFS)."""
        return self._linefeed_state

    @property
    def ringing(self) -> bool:
        """Ringing voltage is on the line now (off during the cadence's silences)."""
        return self._linefeed_state == Linefeed.RINGING and self._ring_active

    @property
    def ring_frequency_hz(self) -> float:
        return ringing.frequency_hz(self.indirect[IR.RING_FREQUENCY])

    @property
    def ring_amplitude_vpk(self) -> float:
        return ringing.amplitude_vpk(
            self.indirect[IR.RING_AMPLITUDE], self.indirect[IR.RING_FREQUENCY]
        )

    @property
    def fed(self) -> bool:
        """Talk battery is on the line: active or on-hook transmission, either polarity."""
        return self._linefeed_state in _FED

    @property
    def polarity_reversed(self) -> bool:
        return self._linefeed_state in _REVERSED

    @property
    def tip_ring_v(self) -> float:
        """DC voltage across the line, negative when reversed (0 open or ringing)."""
        if self._linefeed_state not in _FED:
            return 0.0
        volts = self.registers[DR.OPEN_CIRCUIT_VOLTAGE] * VOLTS_PER_VOC_STEP
        if self._loop_detected:
            volts = min(volts, _OFF_HOOK_LOOP_V)
        return -volts if self.polarity_reversed else volts

    # Faults

    def trigger_power_alarm(self, transistor: int) -> None:
        """Fault: transistor Q`transistor` (1-6) overheats; the chip opens the line."""
        self._raise_interrupt(DR.IRQ_STATUS_2, 1 << (transistor - 1 + IRQ2_POWER_ALARM_SHIFT))
        self._enter_linefeed(Linefeed.OPEN)

    def stall_linefeed(self, stalled: bool = True) -> None:
        """Fault: linefeed writes are latched (LF) but the line does not follow (LFS)."""
        self.linefeed_stalled = stalled
