"""The composition root: builds the box's parts, starts them in order, stops them in reverse."""

import asyncio
import contextlib
import logging
import secrets
import shutil
from collections.abc import Callable
from datetime import UTC, datetime

from firmware.analog_board import AnalogBoard
from firmware.call_center import CallCenterParts, build_call_center
from firmware.call_flow_parts import CallFlowParts
from firmware.config import Config
from firmware.control import ControlServer
from firmware.recording_parts import build_recording, route_recording
from firmware.system_parts import apply_pending_changes, build_system
from firmware.web_parts import build_web_access, serve_web
from pbx.api import ServiceApi
from pbx.bus import EventBus
from pbx.call_history import CallHistory
from pbx.calls import CallService
from pbx.diagnostics import Diagnostics
from pbx.dial_plan import DialPlan
from pbx.dialer import ExtensionDialer
from pbx.edge.config import EdgeSettings
from pbx.edge.process import EdgeProcess
from pbx.edge.rpc import EdgeRpc
from pbx.edge.unit import EdgeUnit
from pbx.extension_service import ExtensionService
from pbx.flash_transfer import FlashTransferService
from pbx.host_health import HostHealth
from pbx.inbound import InboundRouter
from pbx.lines.service import LineService
from pbx.loop_guard import LoopGuard
from pbx.numbering import NumberPlan
from pbx.outbound import OutboundDialer
from pbx.queues.service import QueueService
from pbx.recording import RecordingService
from pbx.security import SecurityLog
from pbx.sip import EngineSettings, SipEngine
from pbx.store import CdrStore, Database, ExtensionStore, main_database
from pbx.store.edge import EdgeCredentials
from pbx.store.edge_trunks import EdgeTrunks
from pbx.store.trunks import TrunkStore
from pbx.system import SystemService
from pbx.transfer import TransferService
from pbx.trunk_service import TrunkService

logger = logging.getLogger(__name__)
TRUNK_POLL_S = 5.0  # how often trunk registrations are looked at


def engine_settings(config: Config) -> EngineSettings:
    """The engine's settings from the [engine] section (and where the edge meets it)."""
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
        edge_uri=f"sip:{e.address}:{config.edge.udp_port}" if config.edge.enabled else "",
    )


def edge_settings(config: Config) -> EdgeSettings:
    """The edge's settings from the [edge] and [engine] sections."""
    d, e = config.edge, config.engine
    return EdgeSettings(
        d.address,
        d.udp_port,
        d.tcp_port,
        d.tls_port,
        e.address,
        e.sip_port,
        config.daemon.data_dir / "edge",
        d.allow,
        d.auth_failures_before_ban,
        d.auth_failure_window_s,
        d.ban_s,
        d.requests_per_2s,
        nonce_secret=secrets.token_hex(16),
        contact_address=d.contact_address,
    )


def number_plan(config: Config) -> NumberPlan:
    """The numbering plan from the [dialplan] section."""
    p = config.dialplan
    return NumberPlan(
        p.country_code,
        p.national_prefix,
        p.international_prefix,
        p.area_code,
        p.emergency_numbers,
    )


class Box:
    """Every running part of the daemon, wired together."""

    def __init__(self, config: Config, stop: Callable[[int], None] = lambda _status: None) -> None:
        self.config = config
        self.stop = stop  # ends the daemon with an exit status (a reboot without a command)
        self.engine: SipEngine | None = None
        self.edge: EdgeProcess | EdgeUnit | None = None
        self.api: ServiceApi | None = None
        self.board = AnalogBoard(config.board)
        self.call_flows: CallFlowParts | None = None

    async def _open(self, stack: contextlib.AsyncExitStack, database: Database) -> Database:
        await database.open()
        stack.push_async_callback(database.close)
        return database

    async def _call_records(self, database: Database) -> CdrStore:
        cdrs = CdrStore(database)
        if interrupted := await cdrs.close_interrupted(datetime.now(UTC)):
            logger.warning("%d call records were left open by an unclean stop", interrupted)
        return cdrs

    def _extension_dialer(
        self,
        calls: CallService,
        extensions: ExtensionService,
        edge_host: str,
        lines: LineService | None,
    ) -> ExtensionDialer:
        """Rings extensions: one whose phone is on an FXS port there, others at the edge."""
        return ExtensionDialer(
            calls,
            extensions,
            lambda number: (
                (lines and lines.line_of_extension(number)) or f"sip:{number}@{edge_host}"
            ),
            self.config.routing.ring_timeout_s,
            self.config.routing.max_call_duration_s,
        )

    def _inbound_router(
        self,
        calls: CallService,
        trunks: TrunkService,
        lines: LineService | None,
        recording: RecordingService,
    ) -> InboundRouter:
        """Outside calls, from trunks and FXO lines, to their routes' destinations."""
        routes = self.call_flows.flows.routes.items
        inbound = InboundRouter(
            calls,
            trunks,
            routes,
            lines.destination if lines else None,
            route_recording(recording, routes),
        )
        if lines is not None:
            lines.route_calls_in(lambda line, caller: inbound.line_route(line, caller) is not None)
        return inbound

    def _route_calls(
        self,
        calls: CallService,
        bus: EventBus,
        extensions: ExtensionService,
        trunks: TrunkService,
        edge_host: str,
        *,
        lines: LineService | None,
        database: Database,
        recording: RecordingService,
    ) -> QueueService:
        """Let each kind of call find its handler, in the order they are asked."""
        cfg = self.config
        # Calls from providers and phone-company lines first: an outside caller
        # reaches only what its route leads to, never an extension or a test
        # number by dialling it.
        inbound = self._inbound_router(calls, trunks, lines, recording)
        calls.add_offer_handler(inbound.offer)
        diagnostics = Diagnostics(
            calls,
            cfg.diagnostics.echo_number,
            cfg.diagnostics.tone_number,
            cfg.daemon.data_dir / "sounds" / "test-tone.wav",
        )
        calls.add_offer_handler(diagnostics.offer)
        dialer = self._extension_dialer(calls, extensions, edge_host, lines)
        calls.add_offer_handler(dialer.offer)
        # Inbound routes, time conditions, menus, announcements, music on hold.
        moh = self.call_flows.wire(
            self.engine, calls, bus, inbound=inbound, dialer=dialer, extensions=extensions
        )
        # Queue and group numbers and agents' codes before outbound routes, which
        # may match any number.
        parts = (self.engine, calls, bus, database, dialer, moh, inbound, trunks, extensions)
        center = CallCenterParts(
            *parts, edge_host=edge_host, prompts=self.call_flows.prompts, recording=recording
        )
        queues = build_call_center(cfg, center)
        outbound = OutboundDialer(
            calls,
            extensions=extensions,
            trunks=trunks,
            dialer=dialer,
            plan=number_plan(cfg),
            bus=bus,
            ring_timeout_s=cfg.routing.outbound_ring_timeout_s,
            calls_per_s=cfg.routing.outbound_calls_per_s,
            lines=lines,
        )
        calls.add_offer_handler(outbound.offer)
        TransferService(calls, self.engine, dialer, moh, bus)
        if lines is not None:
            FlashTransferService(
                calls, self.engine, dialer, moh, bus, ringback=self.call_flows.ringback
            )
        return queues

    async def _bring_up_board(
        self,
        bus: EventBus,
        calls: CallService,
        extensions: ExtensionService,
        trunks: TrunkService,
    ) -> LineService | None:
        """The analog ports, their calls reaching the call service and routes."""
        cfg = self.config
        dial_plan = DialPlan(
            extensions.numbers,
            trunks.routes,
            (cfg.diagnostics.echo_number, cfg.diagnostics.tone_number),
            cfg.dialplan.emergency_numbers,
        )
        lines = await self.board.bring_up(self.engine, bus.publish, dial_plan)
        if lines is not None:
            calls.set_line_control(lines)
            trunks.set_line_groups(lines.groups)
        return lines

    async def _recording(
        self,
        stack: contextlib.AsyncExitStack,
        calls: CallService,
        bus: EventBus,
        database: Database,
        extensions: ExtensionService,
    ) -> RecordingService:
        """Call recording, with the files a crash left open repaired before any new call."""
        recording = build_recording(
            self.config,
            engine=self.engine,
            calls=calls,
            bus=bus,
            database=database,
            extensions=extensions,
        )
        await recording.recover()
        upkeep = asyncio.create_task(recording.run())
        stack.callback(upkeep.cancel)
        return recording

    async def _start_edge(
        self,
        stack: contextlib.AsyncExitStack,
        edge: EdgeSettings,
        bus: EventBus,
        trunks: TrunkService,
    ) -> None:
        """Kamailio (the daemon's child, or systemd's unit) and the trunk registrations' watch."""
        if not self.config.edge.enabled:
            return
        runner = EdgeUnit if self.config.edge.supervisor == "systemd" else EdgeProcess
        self.edge = runner(edge, bus)
        await self.edge.start()
        stack.push_async_callback(self.edge.stop)
        watcher = asyncio.create_task(trunks.watch(TRUNK_POLL_S))
        stack.callback(watcher.cancel)

    def _trunks(self, database: Database, edge_db: Database, edge: EdgeSettings) -> TrunkService:
        """Trunks and outbound routes, kept in step with the edge's registrations."""
        return TrunkService(
            TrunkStore(database),
            EdgeTrunks(edge_db),
            self.engine,
            EdgeRpc(edge.rpc_socket),
            f"sip:{edge.engine_address}:{edge.udp_port}",
        )

    async def _system(self, database: Database, pending: str) -> SystemService:
        """The System page's service; after a restore or a factory reset, its files rewritten."""
        system = build_system(self.config, database.snapshot, self.stop)
        # Uploads a stop cut short are never finished: their parts go.
        shutil.rmtree(self.config.daemon.data_dir / "system" / "uploads", ignore_errors=True)
        if pending:
            await system.apply_all()
        return system

    async def _serve_control(self, stack: contextlib.AsyncExitStack) -> None:
        """The control socket the CLI talks to, serving the service API."""
        socket_path = self.config.daemon.data_dir / "callbox.sock"
        control = ControlServer(self.api, socket_path, self.board.bench_path)
        await control.start()
        stack.push_async_callback(control.stop)

    def _hang_up_first(
        self, stack: contextlib.AsyncExitStack, calls: CallService, recording
    ) -> None:
        """At stop, calls end first, then their recordings close, while the engine and edge run."""
        # Runs after calls.shutdown: the hung-up calls' recordings close while the engine runs.
        stack.push_async_callback(recording.recorder.shutdown)
        # Pushed last, so it runs first: the BYEs to phones still pass the edge.
        stack.push_async_callback(calls.shutdown, self.config.daemon.shutdown_timeout_s / 2)

    async def start(self, stack: contextlib.AsyncExitStack) -> None:
        """Start each part; `stack` stops whatever started, in reverse, even after a failure."""
        cfg = self.config
        data_dir = cfg.daemon.data_dir
        guard = LoopGuard(asyncio.get_running_loop())
        bus = EventBus(guard)
        security = SecurityLog(bus)
        pending = apply_pending_changes(cfg)  # a factory reset or a restore, before any file opens

        database = await self._open(stack, main_database(data_dir / "callbox.db"))
        cdrs = await self._call_records(database)
        edge = edge_settings(cfg)
        edge_db = await self._open(stack, EdgeCredentials.database(edge.db_path))
        edge_registry = EdgeCredentials(edge_db)
        extensions = ExtensionService(ExtensionStore(database), edge_registry)
        await extensions.sync_edge()

        # Everything that handles calls subscribes before the engine listens, so
        # not even the first INVITE can arrive unheard.
        self.engine = SipEngine(engine_settings(cfg), bus)
        calls = CallService(self.engine, bus, cdrs, guard)
        edge_host = f"{edge.engine_address}:{edge.udp_port}"
        trunks = self._trunks(database, edge_db, edge)
        web = await build_web_access(cfg, database, stack)
        lines = await self._bring_up_board(bus, calls, extensions, trunks)
        ports = await self.board.managed(database)
        self.call_flows = await CallFlowParts.loaded(cfg, database, trunks)
        recording = await self._recording(stack, calls, bus, database, extensions)
        queues = self._route_calls(
            calls, bus, extensions, trunks, edge_host, lines=lines, database=database,
            recording=recording,
        )  # fmt: skip
        await queues.load()
        await self.engine.start()
        stack.push_async_callback(self.engine.stop)
        self.board.start(stack)
        await trunks.load()
        await self._start_edge(stack, edge, bus, trunks)
        self._hang_up_first(stack, calls, recording)

        self.api = ServiceApi(
            calls,
            self.engine,
            extensions=extensions,
            security=security,
            edge=self.edge,
            edge_registry=edge_registry,
            trunks=trunks,
            lines=lines,
            ports=ports,
            call_history=CallHistory(cdrs),
            recordings=recording,
            queues=queues,
            web=web,
            system=await self._system(database, pending),
            host=HostHealth(data_dir),
            **self.call_flows.services(),
        )
        await self._serve_control(stack)
        await serve_web(self.api, cfg, stack)
