"""Serial HAL: a byte stream such as the front panel's character LCD port."""

from collections.abc import Callable
from typing import Protocol


class SerialPort(Protocol):
    """A serial port opened at its baud rate."""

    def write(self, data: bytes) -> None:
        """Send `data` (buffered; never blocks the event loop for long)."""
        ...

    def on_receive(self, callback: Callable[[bytes], None] | None) -> None:
        """Call `callback(data)` with bytes as they arrive, on the event loop;
        None stops the calls."""
        ...

    def close(self) -> None:
        """Release the port."""
        ...
