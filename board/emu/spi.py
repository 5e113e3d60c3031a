"""Emulated SPI: one chip-select line with the chip models behind it, a CS pulse per byte."""

from typing import Protocol

from board import BoardError

IDLE_BYTE = 0xFF  # MISO idles high: a byte nobody drives reads 0xFF


class SpiFramingError(BoardError):
    """A chip model in strict mode saw several bytes inside one chip-select pulse."""


class SpiTarget(Protocol):
    """A chip model as the SPI wires see it."""

    def select(self) -> None:
        """Chip select went low."""
        ...

    def exchange(self, mosi: int) -> int | None:
        """One byte clocked in; returns the byte this chip drives on MISO, or None."""
        ...

    def deselect(self) -> None:
        """Chip select went high: the byte is latched."""
        ...


class EmulatedSpiDevice:
    """A `board.hal.SpiDevice` over the chip models on one chip select.

    Every model on the line sees every byte, as on the board; each decodes its own
    frames. Several models driving MISO at once read as their wired AND.
    `holds_chip_select` reproduces the classic bug (spidev `xfer2`): one pulse for a
    whole transfer; strict models then raise `SpiFramingError`.
    """

    def __init__(self, name: str, holds_chip_select: bool = False):
        self.name = name
        self.holds_chip_select = holds_chip_select
        self.targets: list[SpiTarget] = []
        self.bytes_transferred = 0

    def attach(self, target: SpiTarget) -> None:
        self.targets.append(target)

    def transfer(self, data: bytes) -> bytes:
        if self.holds_chip_select:
            self._select()
            received = bytes(self._exchange(byte) for byte in data)
            self._deselect()
            return received
        received = bytearray()
        for byte in data:
            self._select()
            received.append(self._exchange(byte))
            self._deselect()
        return bytes(received)

    def _select(self) -> None:
        for target in self.targets:
            target.select()

    def _deselect(self) -> None:
        for target in self.targets:
            target.deselect()

    def _exchange(self, mosi: int) -> int:
        self.bytes_transferred += 1
        miso = IDLE_BYTE
        for target in self.targets:
            driven = target.exchange(mosi)
            if driven is not None:
                miso &= driven
        return miso
