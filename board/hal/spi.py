"""SPI HAL: one chip-select line of an SPI bus, clocked a byte per chip-select pulse."""

from typing import Protocol


class SpiDevice(Protocol):
    """The chips behind one chip-select line of an SPI bus in mode 3 (CPOL=1, CPHA=1).

    The ProSLIC and DAA latch every byte on its own chip-select pulse, so a transfer
    releases chip select between bytes. A backend that holds chip select across a
    multi-byte transfer (spidev's `xfer2`) breaks these chips.
    """

    def transfer(self, data: bytes) -> bytes:
        """Clock out `data`, one chip-select pulse per byte.

        Returns the bytes clocked in (MISO), one per byte sent. A byte no chip drives
        reads as the bus idles, 0xFF with the usual pull-up.
        """
        ...
