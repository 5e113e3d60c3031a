"""The composition root: builds the box's parts, starts them in order, stops them in reverse."""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from firmware.config import Config
from firmware.control import ControlServer
from pbx.api import ServiceApi
from pbx.bus import EventBus
from pbx.calls import CallService
from pbx.diagnostics import Diagnostics
from pbx.loop_guard import LoopGuard
from pbx.sip import EngineSettings, SipEngine
from pbx.store import CdrStore, main_database

logger = logging.getLogger(__name__)


def engine_settings(config: Config) -> EngineSettings:
    """The engine's settings from the [engine] section."""
    e = config.engine
    return EngineSettings(
        e.address,
        e.sip_port,
        e.rtp_port_min,
        e.rtp_port_max,
        e.max_calls,
        e.clock_rate_hz,
        e.conference_threads,
        e.log_level,
    )


class Box:
    """Every running part of the daemon, wired together."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.engine: SipEngine | None = None
        self.api: ServiceApi | None = None

    async def start(self, stack: contextlib.AsyncExitStack) -> None:
        """Start each part; `stack` stops whatever started, in reverse, even after a failure."""
        cfg = self.config
        data_dir = cfg.daemon.data_dir
        guard = LoopGuard(asyncio.get_running_loop())
        bus = EventBus(guard)

        database = main_database(data_dir / "callbox.db")
        await database.open()
        stack.push_async_callback(database.close)
        cdrs = CdrStore(database)
        if interrupted := await cdrs.close_interrupted(datetime.now(UTC)):
            logger.warning("%d call records were left open by an unclean stop", interrupted)

        # Everything that handles calls subscribes before the engine listens, so
        # not even the first INVITE can arrive unheard.
        self.engine = SipEngine(engine_settings(cfg), bus)
        calls = CallService(self.engine, bus, cdrs, guard)
        diagnostics = Diagnostics(
            calls,
            cfg.diagnostics.echo_number,
            cfg.diagnostics.tone_number,
            data_dir / "sounds" / "test-tone.wav",
        )
        calls.add_offer_handler(diagnostics.offer)
        await self.engine.start()
        stack.push_async_callback(self.engine.stop)
        stack.push_async_callback(calls.shutdown, cfg.daemon.shutdown_timeout_s / 2)

        self.api = ServiceApi(calls, self.engine)
        control = ControlServer(self.api, data_dir / "callbox.sock")
        await control.start()
        stack.push_async_callback(control.stop)
