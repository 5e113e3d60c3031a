"""Serial backend: a pyserial port, read when the event loop sees its descriptor readable."""

import asyncio
from collections.abc import Callable


class PyserialPort:
    """A `board.hal.SerialPort` on pyserial (a device node or any pyserial URL).

    Reads need no thread: the port is non-blocking and the loop watches its descriptor.
    """

    def __init__(self, path: str, baud_rate: int, loop: asyncio.AbstractEventLoop):
        import serial  # noqa: PLC0415 - only on hardware

        self._port = serial.serial_for_url(path, baudrate=baud_rate, timeout=0)
        self._loop = loop
        self._callback: Callable[[bytes], None] | None = None

    def write(self, data: bytes) -> None:
        self._port.write(data)

    def on_receive(self, callback: Callable[[bytes], None] | None) -> None:
        if callback is None and self._callback is not None:
            self._loop.remove_reader(self._port.fileno())
        elif callback is not None and self._callback is None:
            self._loop.add_reader(self._port.fileno(), self._readable)
        self._callback = callback

    def _readable(self) -> None:
        data = self._port.read(self._port.in_waiting or 1)
        if data and self._callback is not None:
            self._callback(data)

    def close(self) -> None:
        self.on_receive(None)
        self._port.close()
