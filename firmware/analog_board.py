"""The board under the daemon: brought up from the [board] section (emulated or hardware),
watched by its monitor, its ports carried by the line service."""

import asyncio
import contextlib
import logging

from board import BoardError
from board.bringup import BoardPorts, bring_up
from board.chips.daa_country import daa_country
from board.dsp.country import load_countries
from board.emu.board import EmulatedBoard
from board.emu.clock import ManualClock
from board.emu.pacer import RealTimePacer
from board.hal import BoardIo
from board.linux.board_io import LinuxBoardIo
from board.monitor import BoardMonitor
from board.profile import load_profile
from firmware.config import BoardConfig
from firmware.line_config import line_settings
from pbx.analog_ports import AnalogPorts
from pbx.dial_plan import DialPlan
from pbx.lines.leg import LineContext
from pbx.lines.service import LineService
from pbx.sip import SipEngine
from pbx.store import Database
from pbx.store.config_objects import ConfigObjectStore

logger = logging.getLogger(__name__)

# The DAA's line settings (board/chips/daa_countries.toml) for each country of
# board/dsp/countries.toml. Iran is in neither DAHDI table: TBR21 until measured.
DAA_MODES = {
    "US": "USA",
    "UK": "UK",
    "DE": "GERMANY",
    "FR": "FRANCE",
    "AU": "AUSTRALIA",
    "AE": "UAE",
    "SA": "SAUDIARABIA",
    "EG": "EGYPT",
    "IR": "TBR21",
}


class AnalogBoard:
    """The analog ports of the box, from bring-up to a clean stop.

    A board that cannot be brought up at all (no SPI device, say) is logged and the
    box runs without analog lines; a port that fails is left out and the others work.
    """

    def __init__(self, config: BoardConfig) -> None:
        self._config = config
        self.profile = load_profile(config.profile)
        self.io: BoardIo | None = None
        self.lines: LineService | None = None
        self._monitor: BoardMonitor | None = None
        self._ports: BoardPorts | None = None
        self._pacer: RealTimePacer | None = None
        self.bench_path: str | None = None  # the emulated board's bench channel (a pty)

    @property
    def emulated(self) -> EmulatedBoard | None:
        """The emulated board, when the box runs on one."""
        return self.io if isinstance(self.io, EmulatedBoard) else None

    async def bring_up(self, engine: SipEngine, publish, dial_plan: DialPlan) -> LineService | None:
        """Bring the board up and make the line service for its ports (not yet running)."""
        loop = asyncio.get_running_loop()
        if self._config.emulated:
            clock = ManualClock(loop.time())
            self.io = EmulatedBoard(self.profile, clock, country=self._config.country)
            self._pacer = RealTimePacer(self.io.clock, loop)
        else:
            self.io = LinuxBoardIo(self.profile, loop)
        try:
            ports = await bring_up(
                self.profile, self.io, daa_country(DAA_MODES[self._config.country])
            )
        except (BoardError, OSError) as err:
            logger.error("board %s did not come up (%s): no analog lines", self.profile.name, err)
            return None
        self._ports = ports
        fxs, fxo = line_settings(self.profile, self._config.lines)
        country = load_countries()[self._config.country]
        context = LineContext(self.io.clock, country, publish, engine)
        self.lines = LineService(
            context,
            self.io.pcm_bus(),
            {name: (port, fxs[name]) for name, port in ports.fxs.items()},
            {name: (port, fxo[name]) for name, port in ports.fxo.items()},
            dial_plan,
        )
        self._monitor = BoardMonitor(self.profile, self.io, ports, self.lines.handle_board_event)
        logger.info(
            "board %s up%s: %d FXS, %d FXO, %d failed",
            self.profile.name,
            " (emulated)" if self._config.emulated else "",
            len(ports.fxs),
            len(ports.fxo),
            len(ports.failed),
        )
        return self.lines

    async def managed(self, database: Database) -> AnalogPorts | None:
        """The ports as panels manage them, with the choices stored earlier applied."""
        if self.lines is None:
            return None
        ports = AnalogPorts(
            self.lines, ConfigObjectStore(database), load_countries(), self.reprogram
        )
        await ports.load()
        return ports

    def reprogram(self, country_code: str) -> None:
        """Set every FXO port's DAA up for the country (termination, ring detection)."""
        for driver in self._ports.fxo.values() if self._ports else ():
            driver.set_country(daa_country(DAA_MODES[country_code]))

    def start(self, stack: contextlib.AsyncExitStack) -> None:
        """Run the monitor, the lines and (emulated) the clock and the bench channel;
        `stack` stops them."""
        if self.lines is None:
            return
        if self._pacer is not None:
            self._pacer.start()
            stack.callback(self._pacer.stop)
            self.bench_path = self.io.open_bench()
            stack.callback(self.io.close_bench)
            logger.info(
                "emulated board: its phones and lines answer the bench protocol on %s"
                " (callbox bench fxs 1 offhook)",
                self.bench_path,
            )
        self._monitor.start()
        stack.callback(self._monitor.stop)
        self.lines.start()
        stack.push_async_callback(self.lines.stop)
