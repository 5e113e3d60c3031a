"""Emulated GPIO: pins the host drives or reads, with chips pulling interrupt lines low."""

from collections.abc import Callable

from board.hal import Clock


class EmulatedPin:
    """One GPIO pin of the emulated board; a `board.hal.GpioInput` and `GpioOutput`.

    As an input it idles high (pull-up) and reads low while any chip pulls it low:
    the chips' interrupt outputs are open-drain, so several may share a pin. As an
    output the host drives it, and the chips wired to it (reset, chip select) see
    each change at once. Host edge callbacks run on the clock, never inside the SPI
    transfer that caused them, as the Linux backend delivers them on the event loop.
    """

    def __init__(self, number: int, clock: Clock):
        self.number = number
        self._clock = clock
        self._driven: bool | None = None
        self._pulled_low: set[object] = set()
        self._host_callback: Callable[[bool], None] | None = None
        self._chip_listeners: list[Callable[[bool], None]] = []
        self.changes = 0

    # Host side (HAL)

    def read(self) -> bool:
        if self._driven is not None:
            return self._driven
        return not self._pulled_low

    def on_edge(self, callback: Callable[[bool], None] | None) -> None:
        self._host_callback = callback

    def write(self, high: bool) -> None:
        self._changing(lambda: setattr(self, "_driven", bool(high)))

    # Chip side

    def pull_low(self, source: object, low: bool) -> None:
        """`source` (a chip's open-drain output) pulls the pin low, or lets go."""
        self._changing(lambda: (self._pulled_low.add if low else self._pulled_low.discard)(source))

    def watch(self, listener: Callable[[bool], None]) -> None:
        """Call `listener(level)` at once on every change (a chip's reset input)."""
        self._chip_listeners.append(listener)

    def _changing(self, change: Callable[[], object]) -> None:
        before = self.read()
        change()
        level = self.read()
        if level == before:
            return
        self.changes += 1
        for listener in self._chip_listeners:
            listener(level)
        if self._host_callback is not None:
            callback = self._host_callback
            self._clock.call_later(0, lambda: callback(level))
