"""GPIO HAL: an input line with edge callbacks, and an output line."""

from collections.abc import Callable
from typing import Protocol


class GpioInput(Protocol):
    """A GPIO pin read by the host, such as a chip's interrupt line (active low)."""

    def read(self) -> bool:
        """The pin's level now: True is high."""
        ...

    def on_edge(self, callback: Callable[[bool], None] | None) -> None:
        """Call `callback(level)` after each change of level; None stops the calls.

        The callback runs on the event loop (the Linux backend hands edges over from its
        own thread), never inside another HAL call, so it may use the SPI bus at once.
        """
        ...


class GpioOutput(Protocol):
    """A GPIO pin driven by the host: a chip select, a reset line, an LED."""

    def write(self, high: bool) -> None:
        """Drive the pin high (True) or low (False)."""
        ...
