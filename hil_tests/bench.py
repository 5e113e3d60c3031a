"""The bench: what a hardware-in-loop rig does to the board's far ends, and its emulated twin.

A rig plays an analog phone on each FXS port and a phone-company line on each FXO port,
and measures what the board puts on the wires. The tests talk to it through `Bench`
only, so the same test body runs on the emulator and, once the bench serial protocol
exists, on a rig.
"""

import asyncio
from typing import Protocol

from board.emu.board import EmulatedBoard


class Bench(Protocol):
    """The far ends of every port, as the bench protocol will offer them."""

    fault_injection: bool  # the bench can break chips (brown-out, a silent chip)

    async def wait_ms(self, milliseconds: float) -> None:
        """Let time pass while the board runs."""

    # FXS side: an analog phone on the port
    def phone_hook(self, port: str, off_hook: bool) -> None: ...
    def ring_voltage_on(self, port: str) -> bool: ...
    def ring_frequency_hz(self, port: str) -> float: ...
    def ring_amplitude_vpk(self, port: str) -> float: ...
    def tip_ring_v(self, port: str) -> float: ...

    # FXO side: a phone-company line on the port
    def line_ring(self, port: str, vrms: float, frequency_hz: float) -> None: ...
    def line_ring_stop(self, port: str) -> None: ...
    def line_battery(self, port: str, volts: float) -> None: ...
    def line_polarity(self, port: str, reversed_: bool) -> None: ...
    def line_seized(self, port: str) -> bool: ...

    # Faults
    def brown_out(self) -> None: ...
    def silence_chip(self, port: str) -> None: ...
    def drop_interrupts(self, port: str) -> None: ...


class EmulatorBench:
    """The bench on the emulated board: far ends are the chip models' analog side.

    Later the emulator's bench channel (the same serial protocol over a pty) replaces
    these direct calls; the tests do not change.
    """

    fault_injection = True

    def __init__(self, board: EmulatedBoard):
        self.board = board

    async def wait_ms(self, milliseconds: float) -> None:
        self.board.clock.advance_ms(milliseconds)
        await asyncio.sleep(0)

    def phone_hook(self, port: str, off_hook: bool) -> None:
        self.board.fxs(port).set_loop_closed(off_hook)

    def ring_voltage_on(self, port: str) -> bool:
        return self.board.fxs(port).ringing

    def ring_frequency_hz(self, port: str) -> float:
        return self.board.fxs(port).ring_frequency_hz

    def ring_amplitude_vpk(self, port: str) -> float:
        return self.board.fxs(port).ring_amplitude_vpk

    def tip_ring_v(self, port: str) -> float:
        return self.board.fxs(port).tip_ring_v

    def line_ring(self, port: str, vrms: float, frequency_hz: float) -> None:
        self.board.fxo(port).start_ring(vrms, frequency_hz)

    def line_ring_stop(self, port: str) -> None:
        self.board.fxo(port).stop_ring()

    def line_battery(self, port: str, volts: float) -> None:
        self.board.fxo(port).set_battery(volts)

    def line_polarity(self, port: str, reversed_: bool) -> None:
        self.board.fxo(port).set_polarity(reversed_)

    def line_seized(self, port: str) -> bool:
        return self.board.fxo(port).off_hook

    def brown_out(self) -> None:
        self.board.brown_out()

    def silence_chip(self, port: str) -> None:
        model = self.board.fxs_models.get(port) or self.board.fxo(port)
        model.go_silent()

    def drop_interrupts(self, port: str) -> None:
        model = self.board.fxs_models.get(port) or self.board.fxo(port)
        model.drop_interrupts()
