"""What every chip model shares: a register file on SPI, reset, an interrupt output, faults."""

from collections.abc import Callable

from board.emu.gpio import EmulatedPin
from board.emu.spi import IDLE_BYTE, SpiFramingError
from board.emu.timer_set import TimerSet
from board.hal import Clock


class ChipModel:
    """Base of the register-level chip models.

    Subclasses decode their own SPI frames (`_on_byte`) and give registers their
    behaviour (`_read`, `_write`, `_power_on_reset`). This class carries what the
    board does to any chip: bytes arrive one per chip-select pulse (strict mode
    rejects a held chip select), the reset pin holds it in reset, its open-drain
    interrupt output pulls a pin low, and the faults a bench would show.
    """

    register_count = 128

    def __init__(self, clock: Clock, name: str):
        self.clock = clock
        self.name = name
        self.registers = bytearray(self.register_count)
        self.strict = True
        self._bytes_in_pulse = 0
        self._frame: list[int] = []
        self._in_reset = False
        self._timers = TimerSet(clock)
        self._line_watchers: list[Callable[[], None]] = []
        self._interrupt_pin: EmulatedPin | None = None
        self._stuck: dict[int, tuple[int, int]] = {}
        self._silent_miso: int | None = None
        self.interrupts_dropped = False
        self.resets = 0

    # SPI wires

    def select(self) -> None:
        self._bytes_in_pulse = 0

    def exchange(self, mosi: int) -> int | None:
        self._bytes_in_pulse += 1
        if self.strict and self._bytes_in_pulse > 1:
            raise SpiFramingError(
                f"{self.name}: {self._bytes_in_pulse} bytes in one chip-select pulse;"
                " the chip latches one byte per pulse (a transfer holding chip select?)"
            )
        if self._in_reset:
            return None
        if self._silent_miso is not None:
            return None if self._silent_miso == IDLE_BYTE else self._silent_miso
        self._frame.append(mosi)
        return self._on_byte(self._frame)

    def deselect(self) -> None:
        pass

    def _on_byte(self, frame: list[int]) -> int | None:
        raise NotImplementedError

    # Registers as SPI reads and writes see them

    def read_register(self, register: int) -> int:
        """What an SPI read of `register` returns now (stuck bits included)."""
        value = self._read(register)
        if register in self._stuck:
            mask, forced = self._stuck[register]
            value = value & ~mask | forced & mask
        return value & 0xFF

    def write_register(self, register: int, value: int) -> None:
        """An SPI write of `value` to `register`."""
        self._write(register, value & 0xFF)

    def _read(self, register: int) -> int:
        return self.registers[register]

    def _write(self, register: int, value: int) -> None:
        self.registers[register] = value

    # Reset pin and power

    def connect_reset(self, pin: EmulatedPin) -> None:
        """Wire the chip's active-low reset input to `pin`."""
        pin.watch(lambda level: self._set_reset(not level))

    def _set_reset(self, asserted: bool) -> None:
        if asserted and not self._in_reset:
            self._reset()
        self._in_reset = asserted

    def brown_out(self) -> None:
        """Fault: the supply dipped; every register is back at its reset value mid-run."""
        self._reset()

    def _reset(self) -> None:
        self.resets += 1
        self._frame.clear()
        self._timers.cancel_all()
        self._power_on_reset()
        self._update_interrupt()
        self._line_moved()

    def _power_on_reset(self) -> None:
        raise NotImplementedError

    # Interrupt output

    def connect_interrupt(self, pin: EmulatedPin) -> None:
        """Wire the chip's open-drain, active-low interrupt output to `pin`."""
        self._interrupt_pin = pin
        self._update_interrupt()

    def _interrupt_pending(self) -> bool:
        raise NotImplementedError

    def _update_interrupt(self) -> None:
        if self._interrupt_pin is not None:
            asserted = self._interrupt_pending() and not self.interrupts_dropped
            self._interrupt_pin.pull_low(self, asserted)

    # Faults

    def go_silent(self, miso: int = IDLE_BYTE) -> None:
        """Fault: the chip stops answering; reads give `miso` (0xFF floating, 0x00 stuck low)."""
        self._silent_miso = miso

    def answer_again(self) -> None:
        self._silent_miso = None

    def stick_bits(self, register: int, mask: int, value: int) -> None:
        """Fault: the bits of `mask` in `register` read as in `value`, whatever is written."""
        self._stuck[register] = (mask, value)

    def unstick_bits(self, register: int) -> None:
        self._stuck.pop(register, None)

    def drop_interrupts(self, dropped: bool = True) -> None:
        """Fault: status bits still latch, but the interrupt pin is never pulled."""
        self.interrupts_dropped = dropped
        self._update_interrupt()

    # The analog side, for the far-end models on the wires

    def watch_line(self, watcher: Callable[[], None]) -> None:
        """Call `watcher()` whenever the line side changes (feed, ringing, polarity, hook).

        The far-end models follow the wires this way instead of sampling them, so a
        ring burst or a seizure is seen at the instant it happens on the clock.
        """
        self._line_watchers.append(watcher)

    def _line_moved(self) -> None:
        for watcher in self._line_watchers:
            watcher()

    # Timers that a reset cancels

    def _schedule(self, key: str, delay_s: float, callback: Callable[[], None]) -> None:
        self._timers.schedule(key, delay_s, callback)

    def _cancel(self, key: str) -> None:
        self._timers.cancel(key)
