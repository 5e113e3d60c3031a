"""Si3050 model: the DAA and its Si3019 line side, driven by the driver's SPI frames and a line."""

from board.chips.si3050_registers import (
    CHANNEL_ID_MASK,
    CONTROL_BROADCAST,
    CONTROL_BYTE,
    CONTROL_READ,
    FRAME_DETECT,
    INTERRUPT_PIN_ENABLE,
    INTERRUPT_POLARITY,
    INTERRUPT_RING,
    LINE_SIDE_ID_SHIFT,
    LINE_SIDE_POWER_DOWN,
    LINE_VOLTAGE_FORCE_DISABLE,
    LOOP_CURRENT_2_MA_PER_STEP,
    LOOP_CURRENT_MA_PER_STEP,
    LOOP_CURRENT_MASK,
    OFF_HOOK,
    ON_HOOK_MONITOR,
    PCM_ENABLE,
    PCM_FORMAT_CODES,
    PCM_FORMAT_MASK,
    PCM_FORMAT_SHIFT,
    RESET_CONTROL_2,
    RESET_DAA_CONTROL_2,
    RING_DETECTED,
    RING_NEGATIVE,
    RING_POSITIVE,
    RING_THRESHOLD,
    SOFTWARE_RESET,
    Reg,
    channel_id,
)
from board.emu.chip import ChipModel
from board.emu.pcm import PcmEndpoint
from board.hal import Clock, PcmFormat

_PCM_REGISTERS = range(Reg.PCM_SPI_MODE, Reg.PCM_RX_START_HI + 1)
_FORMATS = {code: PcmFormat(name) for name, code in PCM_FORMAT_CODES.items()}
_OFF_HOOK_LINE_V = 8.0  # tip-ring voltage while the DAA holds the loop
_LVS_FLOOR_V = 3.0  # LVS reads 0 below this unless LVFD is set


class Si3050Model(ChipModel):
    """One Si3050 DAA, its Si3019 line side, and the phone-company line on its wires.

    Decodes [0x20 | CID, reg, data] frames (0x40 reads, 0x80 broadcasts), resets in
    software (reg 1), brings the isolation link up once the line side is powered
    (reg 6), and reports the line in reg 5 (RDTP/RDTN toggling at twice the ring
    frequency while the ring voltage passes the RT threshold), reg 12 and 28 (loop
    current) and reg 29 (LVS, signed by polarity), raising RDTI and POLI.

    The far end (a phone-company line model) drives `set_battery`, `set_polarity`,
    `start_ring` and `stop_ring`, and reads `off_hook` and `on_hook_monitor`.
    """

    system_revision = 0x05
    line_side_id = 0x3  # non-zero: an Si3019 answers over the isolation link
    line_side_revision = 0x2
    link_delay_s = 0.03
    ring_threshold_vrms = (15.0, 21.5)  # RT = 0, 1: middle of each datasheet band [verify]
    loop_current_ma = 25.0

    def __init__(self, clock: Clock, name: str, chain_index: int):
        super().__init__(clock, name)
        self.channel_id = channel_id(chain_index)
        self.pcm = PcmEndpoint(passing=lambda: self.off_hook or self.on_hook_monitor)
        self.battery_v = 48.0
        self.polarity_reversed = False
        self.ring_vrms = 0.0
        self.ring_frequency_hz = 20.0
        self._ring_started_s = 0.0
        self._power_on_reset()

    def _power_on_reset(self) -> None:
        self.registers[:] = bytes(self.register_count)
        self.registers[Reg.CONTROL_2] = RESET_CONTROL_2
        self.registers[Reg.DAA_CONTROL_2] = RESET_DAA_CONTROL_2
        self.registers[Reg.CHIP_REVISION] = self.system_revision
        self._linked = False
        self._line_sign_negative = False
        self._sync_pcm()

    # SPI frames

    def _on_byte(self, frame: list[int]) -> int | None:
        if len(frame) < 3:
            return None
        control, register, data = frame
        frame.clear()
        if not control & CONTROL_BYTE:
            return None
        if control & CONTROL_BROADCAST:
            self.write_register(register, data)
            return None
        if control & CHANNEL_ID_MASK != self.channel_id:
            return None
        if control & CONTROL_READ:
            return self.read_register(register)
        self.write_register(register, data)
        return None

    # Register behaviour

    def _read(self, register: int) -> int:
        if register == Reg.DAA_CONTROL_1:
            return self.registers[register] | self._ring_bits()
        if register == Reg.LINE_SIDE_STATUS:
            return (FRAME_DETECT if self._linked else 0) | min(
                LOOP_CURRENT_MASK, round(self._loop_current_ma() / LOOP_CURRENT_MA_PER_STEP)
            )
        if register == Reg.LOOP_CURRENT_STATUS:
            return min(0xFF, round(self._loop_current_ma() / LOOP_CURRENT_2_MA_PER_STEP))
        if register == Reg.LINE_VOLTAGE_STATUS:
            return self._line_voltage_status() & 0xFF
        return self.registers[register]

    def _write(self, register: int, value: int) -> None:
        if register == Reg.CONTROL_1 and value & SOFTWARE_RESET:
            self._reset()
            return
        if register == Reg.INTERRUPT_SOURCE:
            self.registers[register] &= value  # writing 0 clears
        else:
            self.registers[register] = value
        if register == Reg.DAA_CONTROL_2 and not value & LINE_SIDE_POWER_DOWN:
            self._schedule("link", self.link_delay_s, self._link_up)
        if register in _PCM_REGISTERS:
            self._sync_pcm()
        if register in (Reg.DAA_CONTROL_1, Reg.DAA_CONTROL_3):
            self._line_changed()
        if register == Reg.DAA_CONTROL_1:
            self._line_moved()  # seized, released or monitoring: the line model follows
        self._update_interrupt()

    def _link_up(self) -> None:
        self._linked = True
        self.registers[Reg.CHIP_REVISION] = (
            self.line_side_id << LINE_SIDE_ID_SHIFT | self.system_revision
        )
        self.registers[Reg.LINE_SIDE_REVISION] = self.line_side_revision << 2
        self._line_changed()

    def _sync_pcm(self) -> None:
        mode = self.registers[Reg.PCM_SPI_MODE]
        self.pcm.enabled = bool(mode & PCM_ENABLE)
        self.pcm.pcm_format = _FORMATS.get((mode & PCM_FORMAT_MASK) >> PCM_FORMAT_SHIFT)
        tx_bits = self.registers[Reg.PCM_TX_START_HI] << 8 | self.registers[Reg.PCM_TX_START_LO]
        rx_bits = self.registers[Reg.PCM_RX_START_HI] << 8 | self.registers[Reg.PCM_RX_START_LO]
        self.pcm.tx_timeslot, self.pcm.rx_timeslot = tx_bits // 8, rx_bits // 8

    def _interrupt_pending(self) -> bool:
        enabled = self.registers[Reg.CONTROL_2] & INTERRUPT_PIN_ENABLE
        return bool(enabled and self.registers[Reg.INTERRUPT_SOURCE] & self._mask)

    @property
    def _mask(self) -> int:
        return self.registers[Reg.INTERRUPT_MASK]

    def _latch_interrupt(self, bit: int) -> None:
        if self._mask & bit:
            self.registers[Reg.INTERRUPT_SOURCE] |= bit
            self._update_interrupt()

    # The line as the DAA measures it

    @property
    def off_hook(self) -> bool:
        """The DAA holds the loop (OH)."""
        return bool(self.registers[Reg.DAA_CONTROL_1] & OFF_HOOK)

    @property
    def on_hook_monitor(self) -> bool:
        return bool(self.registers[Reg.DAA_CONTROL_1] & ON_HOOK_MONITOR)

    @property
    def line_side_powered(self) -> bool:
        return self._linked

    def _line_voltage_v(self) -> float:
        if not self._linked or self.battery_v <= 0:
            return 0.0
        volts = min(self.battery_v, _OFF_HOOK_LINE_V) if self.off_hook else self.battery_v
        return -volts if self.polarity_reversed else volts

    def _line_voltage_status(self) -> int:
        volts = self._line_voltage_v()
        force_small = self.registers[Reg.DAA_CONTROL_3] & LINE_VOLTAGE_FORCE_DISABLE
        if abs(volts) < _LVS_FLOOR_V and not force_small:
            return 0
        return max(-128, min(127, round(volts)))

    def _loop_current_ma(self) -> float:
        if not (self._linked and self.off_hook and self.battery_v > _OFF_HOOK_LINE_V):
            return 0.0
        return self.loop_current_ma

    def _ring_bits(self) -> int:
        if not self._ring_detectable():
            return 0
        elapsed_s = self.clock.monotonic() - self._ring_started_s
        positive = (elapsed_s * self.ring_frequency_hz) % 1.0 < 0.5
        return RING_DETECTED | (RING_POSITIVE if positive else RING_NEGATIVE)

    def _ring_detectable(self) -> bool:
        threshold = self.ring_threshold_vrms[
            bool(self.registers[Reg.INTERNATIONAL_CONTROL_1] & RING_THRESHOLD)
        ]
        return self._linked and not self.off_hook and self.ring_vrms >= threshold

    def _line_changed(self) -> None:
        negative = self._line_voltage_status() < 0
        if negative != self._line_sign_negative:
            self._line_sign_negative = negative
            self._latch_interrupt(INTERRUPT_POLARITY)

    # Far end: the phone company's side of the line

    def set_battery(self, volts: float) -> None:
        """Line battery on-hook (48 V typical); 0 takes it away (disconnect, cut line)."""
        self.battery_v = volts
        self._line_changed()

    def set_polarity(self, reversed_: bool) -> None:
        self.polarity_reversed = reversed_
        self._line_changed()

    def start_ring(self, vrms: float = 70.0, frequency_hz: float = 20.0) -> None:
        """Ringing voltage on the line until `stop_ring` (the line model times the cadence)."""
        self.ring_vrms, self.ring_frequency_hz = vrms, frequency_hz
        self._ring_started_s = self.clock.monotonic()
        if self._ring_detectable():
            self._latch_interrupt(INTERRUPT_RING)

    def stop_ring(self) -> None:
        self.ring_vrms = 0.0
