"""SPI backend: spidev in mode 3, chip select pulsed once per byte (by a GPIO or by spidev)."""

import re

from board import BoardError
from board.hal import GpioOutput

SPI_MODE_3 = 3


def open_spidev(device: str, speed_hz: int, own_chip_select: bool):
    """Open `/dev/spidevB.D` in mode 3; without its own chip select when a GPIO does it."""
    import spidev  # noqa: PLC0415 - only on hardware

    match = re.fullmatch(r"/dev/spidev(\d+)\.(\d+)", device)
    if match is None:
        raise BoardError(f"spi.device {device!r}: expected /dev/spidevB.D")
    spi = spidev.SpiDev()
    spi.open(int(match[1]), int(match[2]))
    spi.mode = SPI_MODE_3
    spi.max_speed_hz = speed_hz
    spi.no_cs = not own_chip_select
    return spi


class SpidevDevice:
    """A `board.hal.SpiDevice`: bytes through a spidev handle, each in its own CS pulse.

    With `chip_select` (a GPIO, as on the reference board) the pin is lowered and
    raised around every one-byte transfer. Without it, spidev's own chip select is
    used, and `xfer` (unlike `xfer2`) releases it between bytes.
    """

    def __init__(self, spi, chip_select: GpioOutput | None):
        self._spi = spi
        self._chip_select = chip_select

    def transfer(self, data: bytes) -> bytes:
        if self._chip_select is None:
            return bytes(self._spi.xfer(list(data)))
        received = bytearray()
        for byte in data:
            self._chip_select.write(False)
            received.extend(self._spi.xfer2([byte]))
            self._chip_select.write(True)
        return bytes(received)
