"""Linux board I/O: a profile's SPI devices, GPIO pins, PCM bus and serial ports on a Pi."""

import asyncio

from board.hal import PcmBus
from board.linux.clock import LoopClock
from board.linux.gpio import GpiozeroInput, GpiozeroOutput, default_pin_factory
from board.linux.pcm import TdmPcmBus
from board.linux.serial import PyserialPort
from board.linux.spi import SpidevDevice, open_spidev
from board.profile import BoardProfile


class LinuxBoardIo:
    """A `board.hal.BoardIo` on the Pi's spidev, GPIO, TDM device and UARTs.

    One spidev handle serves every chip select: its own chip select is disabled and
    each profile chip select is a GPIO pulsed around every byte (hardware.md §4).
    """

    def __init__(self, profile: BoardProfile, loop: asyncio.AbstractEventLoop, pin_factory=None):
        self._profile = profile
        self._loop = loop
        self._clock = LoopClock(loop)
        self._factory = pin_factory or default_pin_factory()
        self._spi = None
        self._spi_devices: dict[str, SpidevDevice] = {}
        self._pcm: TdmPcmBus | None = None

    @property
    def clock(self) -> LoopClock:
        return self._clock

    def spi_device(self, chip_select: str) -> SpidevDevice:
        if chip_select not in self._spi_devices:
            if self._spi is None:
                self._spi = open_spidev(
                    self._profile.spi_device, self._profile.spi_speed_hz, own_chip_select=False
                )
            pin = self._profile.chip_selects[chip_select]
            self._spi_devices[chip_select] = SpidevDevice(self._spi, self.gpio_output(pin, True))
        return self._spi_devices[chip_select]

    def gpio_input(self, pin: int) -> GpiozeroInput:
        return GpiozeroInput(self._factory, pin, self._loop)

    def gpio_output(self, pin: int, initial_high: bool) -> GpiozeroOutput:
        return GpiozeroOutput(self._factory, pin, initial_high)

    def pcm_bus(self) -> PcmBus:
        if self._pcm is None:
            profile = self._profile
            self._pcm = TdmPcmBus.open(
                profile.pcm_device, profile.pcm_format, profile.pcm_frame_slots
            )
            self._loop.add_reader(self._pcm.fileno(), self._pcm.pump)
        return self._pcm

    def serial_port(self, path: str, baud_rate: int) -> PyserialPort:
        return PyserialPort(path, baud_rate, self._loop)
