"""Wiring of the call center: queues, agents, ring groups, supervision and queue KPIs."""

from dataclasses import dataclass

from firmware.config import Config
from firmware.recording_parts import add_queue_policies, record_queue_callers
from pbx.bus import EventBus
from pbx.calls import CallService
from pbx.dialer import ExtensionDialer
from pbx.events import LinesBusy
from pbx.extension_service import ExtensionService
from pbx.inbound import InboundRouter
from pbx.moh import MusicOnHold
from pbx.prompts import PromptLibrary
from pbx.queues.acd import Acd, AcdParts
from pbx.queues.agents import AgentBoard
from pbx.queues.callback import CallbackDialer
from pbx.queues.feature_codes import FeatureCodes, QueueDialling
from pbx.queues.journal import QueueJournal
from pbx.queues.kpi import KpiRules
from pbx.queues.prompts import PromptPlayer, QueuePrompts
from pbx.queues.ring_group import RingGroups
from pbx.queues.service import QueueService
from pbx.queues.supervisor import SupervisorService
from pbx.recording import RecordingService
from pbx.sip import SipEngine
from pbx.store import Database
from pbx.store.queues import QueueEventStore, QueueStore
from pbx.trunk_service import TrunkService


@dataclass(frozen=True)
class CallCenterParts:
    """The box's parts the call center builds on."""

    engine: SipEngine
    calls: CallService
    bus: EventBus
    database: Database
    dialer: ExtensionDialer
    moh: MusicOnHold
    inbound: InboundRouter
    trunks: TrunkService
    extensions: ExtensionService
    edge_host: str  # where the engine reaches phones: the edge
    prompts: PromptLibrary  # the announcements' prompts, the IVR's library
    recording: RecordingService


def build_call_center(config: Config, p: CallCenterParts) -> QueueService:
    """Make the queue service and plug its destinations and numbers into routing."""
    cfg = config.queues
    store = QueueStore(p.database)
    journal = QueueJournal(QueueEventStore(p.database), p.bus)
    player = PromptPlayer(p.engine, p.bus)
    parts = AcdParts(
        p.calls,
        p.dialer,
        p.moh,
        QueuePrompts(p.prompts),
        player,
        journal,
        CallbackDialer(p.calls, p.trunks, lambda number: f"sip:{number}@{p.edge_host}"),
        p.inbound.send,
        record_queue_callers(p.recording),
    )
    acd = Acd(parts, AgentBoard(journal, store, p.calls.legs_of), p.bus)
    groups = RingGroups(p.calls, p.dialer, p.inbound.send)
    supervisor = SupervisorService(p.calls, p.engine, p.dialer, acd, p.bus)
    rules = KpiRules(
        short_abandon_s=cfg.short_abandon_s, repeat_window_s=cfg.repeat_window_h * 3600
    )
    service = QueueService(
        store,
        QueueEventStore(p.database),
        journal,
        acd=acd,
        groups=groups,
        supervisor=supervisor,
        extensions=p.extensions,
        rules=rules,
    )
    add_queue_policies(p.recording, service)
    p.bus.subscribe(LinesBusy, lambda event: service.lines_busy(event.every_line_busy))
    p.inbound.add_destination("queue", acd.take)
    p.inbound.add_destination("group", groups.take)
    codes = FeatureCodes(
        cfg.login_code,
        cfg.logout_code,
        cfg.pause_code,
        cfg.unpause_code,
        cfg.listen_code,
        cfg.whisper_code,
        cfg.barge_code,
    )
    dialling = QueueDialling(
        p.calls,
        service,
        supervisor=supervisor,
        player=player,
        route=p.inbound.send,
        codes=codes,
        sounds_dir=config.daemon.data_dir / "sounds",
    )
    p.calls.add_offer_handler(dialling.offer)
    return service
