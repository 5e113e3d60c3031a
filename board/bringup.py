"""Board bring-up: reset a profile's chips and start a driver per port, over any BoardIo."""

import asyncio
import logging
from dataclasses import dataclass, field

from board import BoardError
from board.chips.daa_country import DaaCountry, daa_country
from board.chips.location import ChipLocation
from board.chips.si3050 import Si3050Driver, Si3050Settings
from board.chips.si3215 import Si3215Driver, Si3215Settings
from board.hal import BoardIo, GpioOutput
from board.profile import BoardProfile, PortProfile

logger = logging.getLogger(__name__)

RESET_PULSE_S = 0.01
RESET_RECOVERY_S = 0.1  # the chips' PLLs lock on the PCM clock after reset
_CHIP_NAMES = {"si3215": "Si3215", "si3050": "Si3050"}


@dataclass
class BoardPorts:
    """The drivers of a board's ports, by port name, and the ports that did not come up."""

    fxs: dict[str, Si3215Driver] = field(default_factory=dict)
    fxo: dict[str, Si3050Driver] = field(default_factory=dict)
    failed: dict[str, BoardError] = field(default_factory=dict)
    reset_lines: list[GpioOutput] = field(default_factory=list)


async def bring_up(
    profile: BoardProfile, io: BoardIo, country: DaaCountry | None = None
) -> BoardPorts:
    """Reset every chip of `profile`, then bring each port up, all ports at once.

    A port whose chip fails is listed in `failed` with its error (which names the port
    and chip select); the others work without it.
    """
    ports = BoardPorts(reset_lines=await _reset(profile, io))
    for chip_select in sorted({p.chip_select for p in profile.fxs if p.chip == "si3215"}):
        Si3215Driver.enable_daisy_chain(io.spi_device(chip_select))
    country = country or daa_country("USA")
    drivers = {port.name: _driver(port, profile, io, country) for port in profile.ports}
    results = await asyncio.gather(
        *(driver.initialize() for driver in drivers.values()), return_exceptions=True
    )
    for port, result in zip(profile.ports, results, strict=True):
        if isinstance(result, BoardError):
            logger.error("%s", result)
            ports.failed[port.name] = result
        elif isinstance(result, BaseException):
            raise result
        elif port.kind == "fxs":
            ports.fxs[port.name] = drivers[port.name]
        else:
            ports.fxo[port.name] = drivers[port.name]
    return ports


async def _reset(profile: BoardProfile, io: BoardIo) -> list[GpioOutput]:
    lines = [io.gpio_output(pin, True) for pin in sorted({p.reset_pin for p in profile.ports})]
    for line in lines:
        line.write(False)
    await io.clock.sleep(RESET_PULSE_S)
    for line in lines:
        line.write(True)
    await io.clock.sleep(RESET_RECOVERY_S)
    return lines


def _driver(
    port: PortProfile, profile: BoardProfile, io: BoardIo, country: DaaCountry
) -> Si3215Driver | Si3050Driver:
    location = ChipLocation(port.name, _CHIP_NAMES[port.chip], port.chip_select, port.chain_index)
    spi = io.spi_device(port.chip_select)
    if port.kind == "fxs":
        settings = Si3215Settings(timeslot=port.timeslot, pcm_format=profile.pcm_format)
        return Si3215Driver(spi, location, io.clock, settings)
    daa_settings = Si3050Settings(
        timeslot=port.timeslot, pcm_format=profile.pcm_format, country=country
    )
    return Si3050Driver(spi, location, io.clock, daa_settings)
