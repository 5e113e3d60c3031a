"""The emulated board: a profile's chip models wired to emulated SPI, GPIO, PCM and serial,
with a phone on every FXS port and a phone-company line on every FXO port."""

import asyncio

from board.dsp.country import Country, load_countries
from board.emu.analog_phone import AnalogPhone
from board.emu.bench_channel import BenchChannel
from board.emu.bench_commands import BenchCommands
from board.emu.clock import ManualClock
from board.emu.gpio import EmulatedPin
from board.emu.pcm import EmulatedPcmBus
from board.emu.pstn_line import PstnLine
from board.emu.serial import EmulatedSerialPort
from board.emu.si3050 import Si3050Model
from board.emu.si3215 import Si3215Model
from board.emu.spi import EmulatedSpiDevice
from board.profile import BoardProfile, PortProfile

_MODELS = {"si3215": Si3215Model, "si3050": Si3050Model}


class EmulatedBoard:
    """The board a profile describes, in software; a `board.hal.BoardIo`.

    Each port's chip model sits on its chip select's emulated SPI device at its chain
    position, with its reset input and open-drain interrupt output on the profile's
    pins and its PCM interface on the in-process bus. Drivers are brought up over it
    exactly as over the Linux backends. Tests and far-end models reach the chips with
    `fxs(name)` and `fxo(name)`; on the wires of each FXS port hangs an `AnalogPhone`
    (`phone(name)`) and on each FXO port a `PstnLine` (`line(name)`), all made for
    `country` (a countries.toml code) until told otherwise.
    """

    def __init__(
        self, profile: BoardProfile, clock: ManualClock | None = None, country: str = "US"
    ):
        self.profile = profile
        self._clock = clock or ManualClock()
        self.countries: dict[str, Country] = load_countries()
        self.pins: dict[int, EmulatedPin] = {}
        self.spi = {name: EmulatedSpiDevice(name) for name in profile.chip_selects}
        self.pcm = EmulatedPcmBus(profile.pcm_format, profile.pcm_frame_slots)
        self.serial_ports: dict[str, EmulatedSerialPort] = {}
        self.fxs_models: dict[str, Si3215Model] = {}
        self.fxo_models: dict[str, Si3050Model] = {}
        self.phones: dict[str, AnalogPhone] = {}
        self.lines: dict[str, PstnLine] = {}
        self.bench: BenchChannel | None = None
        for seed, port in enumerate(profile.ports):
            self._fit(port)
            self._wire(port, self.countries[country], seed)

    def _fit(self, port: PortProfile) -> None:
        model = _MODELS[port.chip](self._clock, port.name, port.chain_index)
        self.spi[port.chip_select].attach(model)
        model.connect_reset(self.pin(port.reset_pin))
        model.connect_interrupt(self.pin(port.interrupt_pin))
        self.pcm.attach(model.pcm)
        models = self.fxs_models if port.kind == "fxs" else self.fxo_models
        models[port.name] = model

    def _wire(self, port: PortProfile, country: Country, seed: int) -> None:
        if port.kind == "fxs":
            self.phones[port.name] = AnalogPhone(self.fxs_models[port.name], country, seed=seed)
        else:
            self.lines[port.name] = PstnLine(self.fxo_models[port.name], country, seed=seed)

    # BoardIo

    @property
    def clock(self) -> ManualClock:
        return self._clock

    def spi_device(self, chip_select: str) -> EmulatedSpiDevice:
        return self.spi[chip_select]

    def gpio_input(self, pin: int) -> EmulatedPin:
        return self.pin(pin)

    def gpio_output(self, pin: int, initial_high: bool) -> EmulatedPin:
        output = self.pin(pin)
        output.write(initial_high)
        return output

    def pcm_bus(self) -> EmulatedPcmBus:
        return self.pcm

    def serial_port(self, path: str, baud_rate: int) -> EmulatedSerialPort:
        port = self.serial_ports.get(path)
        if port is None or port.closed:
            port = self.serial_ports[path] = EmulatedSerialPort(path, baud_rate, self._clock)
        return port

    # The bench's view

    def pin(self, number: int) -> EmulatedPin:
        if number not in self.pins:
            self.pins[number] = EmulatedPin(number, self._clock)
        return self.pins[number]

    def fxs(self, name: str) -> Si3215Model:
        return self.fxs_models[name]

    def fxo(self, name: str) -> Si3050Model:
        return self.fxo_models[name]

    def phone(self, name: str) -> AnalogPhone:
        return self.phones[name]

    def line(self, name: str) -> PstnLine:
        return self.lines[name]

    def open_bench(self) -> str:
        """Start the bench channel on a pseudo-terminal, on the running event loop.

        Returns the path to open (`/dev/pts/N`); the bench protocol is then served
        there until `close_bench`. Opening it again returns the same path.
        """
        if self.bench is None or self.bench.closed:
            far_ends = [*self.phones.values(), *self.lines.values()]
            loop = asyncio.get_running_loop()
            self.bench = BenchChannel(BenchCommands(self), far_ends, loop)
        return self.bench.path

    def close_bench(self) -> None:
        if self.bench is not None:
            self.bench.close()

    def brown_out(self) -> None:
        """Fault: the board's supply dips; every chip is back at its reset values."""
        for model in [*self.fxs_models.values(), *self.fxo_models.values()]:
            model.brown_out()
