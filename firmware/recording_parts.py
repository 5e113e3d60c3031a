"""Recording's part of the composition root: its policies, storage and services from [recording]."""

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from firmware.config import Config
from pbx.bus import EventBus
from pbx.calls import CallService, Leg
from pbx.extension_service import ExtensionService
from pbx.inbound_routes import InboundRoute
from pbx.queues.acd import CallerRecording
from pbx.queues.service import QueueService
from pbx.queues.settings import QueueSettings
from pbx.recording import (
    CallRecorder,
    DiskWatch,
    FeatureCode,
    RecordingMode,
    RecordingPolicies,
    RecordingPolicy,
    RecordingService,
    RecordingStorage,
    Retention,
    Scope,
    extension_policies,
)
from pbx.recording.storage import MIB
from pbx.sip import SipEngine
from pbx.store import Database, RecordingStore


def recordings_dir(config: Config) -> Path:
    """recording.dir, or <daemon.data_dir>/recordings when it is blank."""
    return (
        Path(config.recording.dir)
        if config.recording.dir
        else config.daemon.data_dir / "recordings"
    )


def default_policy(config: Config) -> RecordingPolicy:
    """The policy of calls nobody sets one for, and the default retention class."""
    r = config.recording
    return RecordingPolicy(
        RecordingMode(r.default_mode),
        two_channel=r.two_channel,
        retention=Retention(r.retention_days, r.quota_mb * MIB),
    )


def build_recording(
    config: Config,
    *,
    engine: SipEngine,
    calls: CallService,
    bus: EventBus,
    database: Database,
    extensions: ExtensionService,
) -> RecordingService:
    """The recorder and its upkeep, subscribed to the bus (build before the engine starts)."""
    r = config.recording
    store = RecordingStore(database)
    storage = RecordingStorage(recordings_dir(config), r.reserve_mb * MIB)
    disk = DiskWatch(storage, bus)
    policies = RecordingPolicies(default_policy(config))
    policies.add_kind("extension", extension_policies(extensions, policies.default))
    recorder = CallRecorder(
        engine,
        calls,
        bus,
        store,
        storage,
        policies=policies,
        disk=disk,
        code=FeatureCode(r.on_demand_code),
        rate_hz=config.engine.clock_rate_hz,
    )
    return RecordingService(
        recorder,
        store,
        storage,
        disk=disk,
        policies=policies,
        on_demand_code=r.on_demand_code,
        flush_interval_s=r.sync_interval_s,
        sweep_interval_s=r.sweep_interval_s,
        rate_hz=config.engine.clock_rate_hz,
    )


def queue_policy(queue: QueueSettings, default: RecordingPolicy) -> RecordingPolicy | None:
    """A queue's recording policy: its mode, with its own retention class if it sets limits."""
    if not queue.recording:
        return None
    if not queue.own_retention:
        return replace(default, mode=RecordingMode(queue.recording))
    retention = Retention(queue.recording_retention_days, queue.recording_quota_mb * MIB)
    return replace(
        default,
        mode=RecordingMode(queue.recording),
        name=f"queue-{queue.name}",
        retention=retention,
    )


def add_queue_policies(recording: RecordingService, queues: QueueService) -> None:
    """Let queues' settings say how their calls are recorded, and how long kept."""
    policies = recording.policies

    async def lookup(name: str) -> RecordingPolicy | None:
        queue = next((q for q in queues.queues() if q.name == name), None)
        return None if queue is None else queue_policy(queue, policies.default)

    def classes() -> dict[str, Retention]:
        own = [queue_policy(q, policies.default) for q in queues.queues() if q.own_retention]
        return {policy.name: policy.retention for policy in own if policy is not None}

    policies.add_kind("queue", lookup)
    policies.add_classes(classes)


def record_queue_callers(recording: RecordingService) -> CallerRecording:
    """The queues' hook: a joining caller's call is under the queue's policy from now on."""

    async def record(leg: Leg, queue: str) -> None:
        recording.recorder.attach_scope(leg, Scope("queue", queue))
        await recording.recorder.record_caller(leg)

    return record


def route_recording(
    recording: RecordingService, routes: Callable[[], list[InboundRoute]]
) -> Callable[[Leg, InboundRoute], None]:
    """Let inbound routes say how their calls are recorded; returns the router's hook
    that puts a call under its route's policy."""
    policies = recording.policies

    async def lookup(name: str) -> RecordingPolicy | None:
        route = next((r for r in routes() if r.name == name), None)
        if route is None or not route.recording:
            return None
        return replace(policies.default, mode=RecordingMode(route.recording))

    def taken(leg: Leg, route: InboundRoute) -> None:
        recording.recorder.attach_scope(leg, Scope("route", route.name))

    policies.add_kind("route", lookup)
    return taken
