"""Recording's part of the composition root: its policies, storage and services from [recording]."""

from pathlib import Path

from firmware.config import Config
from pbx.bus import EventBus
from pbx.calls import CallService
from pbx.extension_service import ExtensionService
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
