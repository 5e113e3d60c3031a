"""GPIO backend: pins through gpiozero's pin factory, edges handed to the event loop."""

import asyncio
from collections.abc import Callable


def default_pin_factory():
    """gpiozero's pin factory (lgpio on a Pi; GPIOZERO_PIN_FACTORY chooses another)."""
    from gpiozero import Device  # noqa: PLC0415 - only on hardware

    if Device.pin_factory is None:
        Device.pin_factory = Device._default_pin_factory()
    return Device.pin_factory


class GpiozeroInput:
    """A `board.hal.GpioInput` on a gpiozero pin, with its pull-up.

    gpiozero calls edge handlers on its own thread; the handler's only job is to hand
    the level to the loop, where the callback runs (DESIGN.md, threads).
    """

    def __init__(self, factory, pin: int, loop: asyncio.AbstractEventLoop):
        self._pin = factory.pin(pin)
        self._pin.function = "input"
        self._pin.pull = "up"
        self._loop = loop
        self._callback: Callable[[bool], None] | None = None

    def read(self) -> bool:
        return bool(self._pin.state)

    def on_edge(self, callback: Callable[[bool], None] | None) -> None:
        self._callback = callback
        if callback is None:
            self._pin.when_changed = None
            return
        self._pin.edges = "both"
        self._pin.when_changed = self._changed_threadsafe

    def _changed_threadsafe(self, _ticks, state) -> None:
        self._loop.call_soon_threadsafe(self._deliver, bool(state))

    def _deliver(self, level: bool) -> None:
        if self._callback is not None:
            self._callback(level)

    def close(self) -> None:
        self._pin.close()


class GpiozeroOutput:
    """A `board.hal.GpioOutput` on a gpiozero pin."""

    def __init__(self, factory, pin: int, initial_high: bool):
        self._pin = factory.pin(pin)
        self._pin.output_with_state(int(initial_high))

    def write(self, high: bool) -> None:
        self._pin.state = int(high)

    def close(self) -> None:
        self._pin.close()
