"""Board I/O HAL: where a board's SPI devices, pins, PCM bus, serial ports and clock come from."""

from typing import Protocol

from board.hal.clock import Clock
from board.hal.gpio import GpioInput, GpioOutput
from board.hal.pcm import PcmBus
from board.hal.serial import SerialPort
from board.hal.spi import SpiDevice


class BoardIo(Protocol):
    """The lines of one board, built from its profile.

    The Linux backends (`board.linux.LinuxBoardIo`) and the emulated board
    (`board.emu.EmulatedBoard`) both implement it, and the drivers are brought up the
    same way over either: nothing above this protocol knows which one it has.
    """

    @property
    def clock(self) -> Clock:
        """The clock drivers time their waits, debounces and cadences with."""
        ...

    def spi_device(self, chip_select: str) -> SpiDevice:
        """The SPI device behind the profile's chip select `chip_select`."""
        ...

    def gpio_input(self, pin: int) -> GpioInput:
        """GPIO `pin` (BCM numbering) as an input with its pull-up."""
        ...

    def gpio_output(self, pin: int, initial_high: bool) -> GpioOutput:
        """GPIO `pin` (BCM numbering) as an output, starting at `initial_high`."""
        ...

    def pcm_bus(self) -> PcmBus:
        """The board's TDM audio bus."""
        ...

    def serial_port(self, path: str, baud_rate: int) -> SerialPort:
        """The serial port at `path` (a device node, or a pyserial URL)."""
        ...
