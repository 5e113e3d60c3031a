"""Emulated serial port: the host's end of a byte stream whose other end is a test or a model."""

from collections.abc import Callable

from board.hal import Clock


class EmulatedSerialPort:
    """A `board.hal.SerialPort` in process. What the host writes collects in `sent`;
    `feed` plays the device sending, delivered to the host on the clock."""

    def __init__(self, path: str, baud_rate: int, clock: Clock):
        self.path = path
        self.baud_rate = baud_rate
        self.sent = bytearray()
        self.closed = False
        self._clock = clock
        self._callback: Callable[[bytes], None] | None = None

    def write(self, data: bytes) -> None:
        self.sent.extend(data)

    def on_receive(self, callback: Callable[[bytes], None] | None) -> None:
        self._callback = callback

    def close(self) -> None:
        self.closed = True

    def feed(self, data: bytes) -> None:
        """The device sends `data` to the host."""
        callback = self._callback
        if callback is not None:
            self._clock.call_later(0, lambda: callback(bytes(data)))
