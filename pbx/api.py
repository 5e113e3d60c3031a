"""The service API: what panels, the CLI and the web see of the box."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from pbx import PbxError
from pbx.access import (
    ROLE_PERMISSIONS,
    AccessControl,
    AccessDenied,
    AccessError,
    ApiToken,
    AuditEvent,
    AuditLog,
    PasswordError,
    Permission,
    Principal,
    Role,
    User,
    role_allows,
)
from pbx.alarms import Alarm, BoxState, alarms_of
from pbx.analog_ports import RING_TEST_S, AnalogPorts
from pbx.announcements import Announcement
from pbx.call_flows import CallFlows
from pbx.call_history import DISPOSITIONS, CallHistory, CallHistoryError, CdrPage
from pbx.calls import CallService
from pbx.catalog import SettingError
from pbx.extension_service import ExtensionService
from pbx.extensions import RECORDING_SETTINGS, Extension, ExtensionError
from pbx.extensions import Permission as CallPermission
from pbx.host_health import HostHealth, HostReading
from pbx.inbound_routes import SOURCE_KINDS, InboundRoute
from pbx.ivr_menu import REPEAT, IvrMenu
from pbx.lines import PortBusy
from pbx.lines.service import LineService, PortStatus
from pbx.moh_classes import MusicLibrary
from pbx.numbering import NUMBER_FORMATS
from pbx.prompts import PromptLibrary
from pbx.queues import QueueError
from pbx.queues.queue_event import QueueEvent
from pbx.queues.service import AgentStatus, QueueService, QueueSnapshot
from pbx.queues.settings import (
    GROUP_STRATEGIES,
    JOIN_RULES,
    LEAVE_RULES,
    STRATEGIES,
    QueueSettings,
    RingGroup,
)
from pbx.queues.settings import RECORDING_MODES as QUEUE_RECORDING_MODES
from pbx.recording import RecordingError, RecordingService
from pbx.security import SecurityLog, SecurityNote
from pbx.sip import SipEngine
from pbx.store import RecordingEntry, RecordingSearch
from pbx.store.cdr import CdrEntry, CdrQuery
from pbx.store.edge import EdgeCredentials, Registration
from pbx.system import BackupError, SystemService, SystemSettingsError, UpdateError
from pbx.time_conditions import OVERRIDES, TimeCondition
from pbx.tls_identity import CertificateError, CertificateInfo, TlsIdentity
from pbx.transcoder import MAX_UPLOAD_BYTES
from pbx.transcoder import SUPPORTED as AUDIO_FORMATS
from pbx.trunk_service import TrunkService, TrunkStatus
from pbx.trunks import (
    BARE_DESTINATION_KINDS,
    DESTINATION_KINDS,
    TRANSPORTS,
    OutboundRoute,
    Trunk,
    TrunkError,
)

_ENGINE_STALL_S = 5.0
# What the web panel may name: it imports pbx.api and nothing else of pbx.
CALL_PERMISSIONS = tuple(p.name.lower() for p in CallPermission)
__all__ = [
    "AUDIO_FORMATS",
    "BARE_DESTINATION_KINDS",
    "CALL_PERMISSIONS",
    "DESTINATION_KINDS",
    "DISPOSITIONS",
    "GROUP_STRATEGIES",
    "JOIN_RULES",
    "LEAVE_RULES",
    "MAX_UPLOAD_BYTES",
    "NUMBER_FORMATS",
    "OVERRIDES",
    "QUEUE_RECORDING_MODES",
    "RECORDING_SETTINGS",
    "REPEAT",
    "RING_TEST_S",
    "ROLE_PERMISSIONS",
    "SOURCE_KINDS",
    "STRATEGIES",
    "TRANSPORTS",
    "AccessDenied",
    "AccessError",
    "AgentStatus",
    "Alarm",
    "Announcement",
    "ApiToken",
    "AuditEvent",
    "BackupError",
    "BoxStatus",
    "CallHistoryError",
    "CallPermission",
    "CdrEntry",
    "CdrPage",
    "CdrQuery",
    "CertificateError",
    "CertificateInfo",
    "Extension",
    "ExtensionError",
    "HostReading",
    "InboundRoute",
    "IvrMenu",
    "OutboundRoute",
    "PasswordError",
    "PbxError",
    "Permission",
    "PortBusy",
    "PortStatus",
    "Principal",
    "QueueError",
    "QueueEvent",
    "QueueSettings",
    "QueueSnapshot",
    "RecordingEntry",
    "RecordingError",
    "RecordingSearch",
    "Registration",
    "RingGroup",
    "Role",
    "SecurityNote",
    "ServiceApi",
    "SettingError",
    "SystemSettingsError",
    "TimeCondition",
    "TlsIdentity",
    "Trunk",
    "TrunkError",
    "TrunkStatus",
    "UpdateError",
    "User",
    "WebAccess",
    "role_allows",
]


@dataclass(frozen=True)
class BoxStatus:
    """A snapshot of the running box."""

    uptime_s: float
    engine: str  # "running", "stalled" or "stopped"
    calls_active: int
    calls_peak: int
    calls_total: int
    edge: str = "disabled"  # "running", "down" or "disabled"
    edge_restarts: int = 0
    security_events: dict[str, int] = field(default_factory=dict)
    trunks: list[TrunkStatus] = field(default_factory=list)
    ports: list[PortStatus] = field(default_factory=list)  # the analog ports
    recording: dict = field(default_factory=dict)  # RecordingService.status()
    web: dict = field(default_factory=dict)  # the panel's address, certificate, setup token


@dataclass(frozen=True)
class WebAccess:
    """The web panel's side of the service API: who may use it, what they did, its HTTPS."""

    access: AccessControl  # the first admin, log-ins, sessions, users, API tokens
    audit: AuditLog  # every log-in and change, listed for admins
    identity: TlsIdentity  # the panel's key and certificate
    url: str  # where the panel is reached, e.g. https://192.168.1.2:8443/
    security_contact: str = ""  # where to report a vulnerability (security.txt's Contact)

    def status(self) -> dict:
        """For `callbox status` and the front panel: the URL, the certificate's fingerprint,
        and while no admin exists the one-time setup token."""
        status = {"url": self.url, "certificate_sha256": self.identity.info().sha256}
        if (setup := self.access.setup_token()) is not None:
            token, expires_s = setup
            expires = datetime.fromtimestamp(expires_s, UTC).isoformat(timespec="seconds")
            status |= {"setup_token": token, "setup_token_expires": expires}
        return status


class EdgeState(Protocol):
    """What the service API needs to know of the edge process."""

    running: bool
    restarts: int


class ServiceApi:
    """The one door from the panels into the PBX. Loop thread only."""

    def __init__(
        self,
        calls: CallService,
        engine: SipEngine,
        *,
        extensions: ExtensionService,
        security: SecurityLog,
        edge: EdgeState | None,
        edge_registry: EdgeCredentials,
        trunks: TrunkService,
        lines: LineService | None = None,
        call_flows: CallFlows | None = None,
        prompts: PromptLibrary | None = None,
        music: MusicLibrary | None = None,
        recordings: RecordingService | None = None,
        queues: QueueService | None = None,
        web: WebAccess | None = None,
        ports: AnalogPorts | None = None,
        call_history: CallHistory | None = None,
        system: SystemService | None = None,
        host: HostHealth | None = None,
    ) -> None:
        self._calls = calls
        self._lines = lines
        self._engine = engine
        self._security = security
        self._edge = edge
        self._edge_registry = edge_registry
        self.extensions = extensions  # adding, changing, removing extensions
        self.trunks = trunks  # trunks and outbound routes
        self.call_flows = call_flows  # inbound routes, time conditions, menus, announcements
        self.prompts = prompts  # prompts: uploads, text, spoken numbers
        self.music = music  # music-on-hold classes
        self.recordings = recordings  # call recordings and their policies
        self.queues = queues  # queues, agents, ring groups, supervision, KPIs
        self.web = web  # the web panel's users, sessions, audit log and certificate
        self.ports = ports  # analog ports: country, per-port settings, line tests
        self.call_history = call_history  # call detail records: search, export
        self.system = system  # time, network, VPN, backup, firmware, power (System page)
        self._host = host
        self._started = time.monotonic()

    def status(self) -> BoxStatus:
        """Engine health, call counts, trunks, and the analog ports' state."""
        if not self._engine.running:
            engine = "stopped"
        elif self._engine.heartbeat_age_s() > _ENGINE_STALL_S:
            engine = "stalled"
        else:
            engine = "running"
        stats = self._calls.stats()
        edge = "disabled" if self._edge is None else "running" if self._edge.running else "down"
        return BoxStatus(
            round(time.monotonic() - self._started, 1),
            engine,
            stats.active_legs,
            stats.peak_legs,
            stats.total_legs,
            edge,
            self._edge.restarts if self._edge else 0,
            dict(self._security.counts),
            self.trunks.status(),
            self._lines.status() if self._lines is not None else [],
            self.recordings.status() if self.recordings else {},
            self.web.status() if self.web else {},
        )

    async def registrations(self) -> list[Registration]:
        """Phones registered at the edge now."""
        return await self._edge_registry.registrations()

    async def queues_live(self) -> list[QueueSnapshot]:
        """Every queue now (waiting callers, agents by state); none on a box without queues."""
        return await self.queues.live() if self.queues is not None else []

    def watch_queues(self, listener: Callable[[QueueEvent], None]) -> Callable[[], None]:
        """Call `listener` with each queue event as it happens; returns what stops it."""
        return self.queues.watch(listener) if self.queues is not None else lambda: None

    def host_health(self) -> HostReading | None:
        """CPU load, memory, temperature and the data disk now (None: not known here)."""
        return self._host.reading() if self._host is not None else None

    def security_recent(self) -> list[SecurityNote]:
        """The newest security events (bans, failed log-ins, scanners), newest first."""
        return list(reversed(self._security.recent))

    def alarms(self) -> list[Alarm]:
        """What needs attention now: engine, edge, ports, trunks, disks, heat, certificate."""
        status = self.status()
        expiry = datetime.fromisoformat(self.web.identity.info().not_after) if self.web else None
        state = BoxState(
            status.engine, status.edge, status.ports, status.trunks, status.recording,
            self.host_health(), expiry,
        )  # fmt: skip
        return alarms_of(state, datetime.now(UTC))
