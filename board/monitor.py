"""Board monitor: interrupts and polls that turn the ports' chip state into board events."""

import logging
from collections.abc import Callable

from board.bringup import BoardPorts
from board.errors import ChipError
from board.events import BoardEvent, ChipLost
from board.hal import BoardIo, GpioInput, TimerHandle
from board.profile import BoardProfile

logger = logging.getLogger(__name__)

FXS_POLL_S = 0.1  # backstop for lost interrupts
FXO_POLL_S = 0.01  # ring detection samples every half-cycle of a 20-25 Hz ring
_INTERRUPT_ROUNDS = 3


class BoardMonitor:
    """Watches a board's ports and hands each event to `on_event`.

    An interrupt line going low services every port wired to it (the lines are shared,
    open-drain); polls run as a backstop, and on FXO ports as the ring sampler. A port
    whose chip stops answering is reported once (`ChipLost`) and left alone until the
    board is brought up again.
    """

    def __init__(
        self,
        profile: BoardProfile,
        io: BoardIo,
        ports: BoardPorts,
        on_event: Callable[[BoardEvent], None],
    ):
        self._io = io
        self._on_event = on_event
        self._drivers = {**ports.fxs, **ports.fxo}
        self._by_pin: dict[int, list[str]] = {}
        for port in profile.ports:
            if port.name in self._drivers:
                self._by_pin.setdefault(port.interrupt_pin, []).append(port.name)
        self._fxs, self._fxo = list(ports.fxs), list(ports.fxo)
        self._inputs: dict[int, GpioInput] = {}
        self._timers: list[TimerHandle] = []

    def start(self) -> None:
        for pin in self._by_pin:
            line = self._inputs[pin] = self._io.gpio_input(pin)
            line.on_edge(lambda level, pin=pin: None if level else self._interrupt(pin))
        self._every(FXS_POLL_S, self._fxs)
        self._every(FXO_POLL_S, self._fxo)

    def stop(self) -> None:
        for line in self._inputs.values():
            line.on_edge(None)
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()

    def _interrupt(self, pin: int) -> None:
        # Another chip may pull the shared line while one is serviced: no new edge
        # comes then, so service until the line is released (the poll catches the rest).
        for _ in range(_INTERRUPT_ROUNDS):
            for name in self._by_pin[pin]:
                self._service(name, interrupt=True)
            if self._inputs[pin].read():
                return

    def _every(self, period_s: float, names: list[str]) -> None:
        if not names:
            return

        def tick() -> None:
            for name in names:
                self._service(name, interrupt=False)
            self._timers[index] = self._io.clock.call_later(period_s, tick)

        index = len(self._timers)
        self._timers.append(self._io.clock.call_later(period_s, tick))

    def _service(self, name: str, interrupt: bool) -> None:
        driver = self._drivers.get(name)
        if driver is None:
            return
        try:
            events = driver.handle_interrupt() if interrupt else driver.poll()
        except ChipError as error:
            logger.error("%s", error)
            del self._drivers[name]
            events = [ChipLost(name, self._io.clock.monotonic(), error.problem)]
        for event in events:
            self._on_event(event)
