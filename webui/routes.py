"""The route table: every URL the panel serves, its handler, and the permission each method needs.

A handler method without a permission here (or a permission for a method the
handler lacks) stops the panel at start-up: no route can be served unguarded.
"""

from dataclasses import dataclass

import tornado.web

from pbx.api import Permission
from webui.account_pages import (
    AccountApi,
    AccountLanguage,
    AccountPage,
    AccountPassword,
    AccountPasswordApi,
)
from webui.agent_page import AgentPage, OwnAgentApi
from webui.api_docs_pages import ApiDocsPage, ApiDocument
from webui.assets import ASSET_PATH, StaticAsset
from webui.audit_page import AuditApi, AuditPage
from webui.call_flow_routes import call_flow_routes
from webui.certificate_api import CertificateApi
from webui.certificate_page import CertificatePage
from webui.dashboard_page import DashboardApi, DashboardPage
from webui.extension_api import ExtensionApi, ExtensionsApi
from webui.extension_pages import EXTENSION_PATH, ExtensionDelete, ExtensionPage, ExtensionsPage
from webui.group_pages import GROUP_PAGE_PATH, GroupAdd, GroupDelete, GroupPage
from webui.handler import PanelHandler
from webui.metrics import MetricsEndpoint
from webui.music_api import MusicApi, MusicClassApi, MusicUploadApi, TrackApi
from webui.music_pages import (
    MUSIC_PATH,
    TRACK_PATH,
    MusicClassDelete,
    MusicPage,
    MusicUpload,
    TrackAudio,
    TrackDelete,
)
from webui.port_api import CountryApi, MeasureApi, PortApi, PortsApi, RingApi
from webui.port_pages import (
    PORT_PATH,
    CountryChange,
    LoopReading,
    PortPage,
    PortsPage,
    RingTest,
)
from webui.prompt_api import (
    PromptApi,
    PromptAudioApi,
    PromptsApi,
    PromptUploadApi,
    PromptVersionApi,
)
from webui.prompt_pages import (
    PROMPT_PATH,
    VERSION_PATH,
    PromptAudio,
    PromptDelete,
    PromptsPage,
    PromptText,
    PromptUpload,
)
from webui.queue_api import (
    API_AGENT_PATH,
    GROUP_PATH,
    AgentApi,
    AgentsApi,
    GroupApi,
    GroupsApi,
    QueueApi,
    QueuesApi,
)
from webui.queue_pages import (
    AGENT_PATH,
    QUEUE_PATH,
    AgentAction,
    QueueDelete,
    QueuePage,
    QueuesPage,
)
from webui.recording_api import RecordingApi, RecordingDownloadApi, RecordingsApi
from webui.recording_pages import (
    RECORDING_PATH,
    RecordingAudio,
    RecordingDelete,
    RecordingDownload,
    RecordingsPage,
)
from webui.report_api import CdrsApi, CdrsCsv, KpiApi, KpiCsv
from webui.report_pages import KpiPage, ReportsPage
from webui.security_txt import SecurityTxt
from webui.session_pages import HomePage, LoginPage, LogoutAction, SetupPage
from webui.system_api import (
    BackupApi,
    FactoryResetApi,
    NetworkApi,
    PeerApi,
    PeersApi,
    RebootApi,
    SystemApi,
    TimeApi,
    VpnApi,
)  # fmt: skip
from webui.system_pages import (
    BackupDownload,
    FactoryResetAction,
    NetworkAction,
    PeerAdd,
    PeerDelete,
    RebootAction,
    SystemPage,
    TimeAction,
    VpnAction,
)  # fmt: skip
from webui.system_uploads import FirmwareApi, RestoreApi
from webui.system_view import PEER_PATH_PART
from webui.user_api import TokenApi, TokensApi, UserApi, UsersApi
from webui.user_pages import (
    TOKEN_PATH,
    USER_PATH,
    TokenAdd,
    TokenRevoke,
    UserChange,
    UserDelete,
    UserExtension,
    UsersPage,
)
from webui.wallboard import WallboardApi, WallboardPage, WallboardSocket

P = Permission
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class RouteError(Exception):
    """The route table is wrong: a method without a permission, or one the handler lacks."""


@dataclass(frozen=True)
class Route:
    """A URL pattern, its handler, and the permission each HTTP method of it needs."""

    pattern: str
    handler: type[PanelHandler]
    permissions: dict[str, Permission]


ROUTES = (
    Route("/", HomePage, {"GET": P.SIGNED_IN}),
    Route("/login", LoginPage, {"GET": P.PUBLIC, "POST": P.PUBLIC}),
    Route("/setup", SetupPage, {"GET": P.PUBLIC, "POST": P.PUBLIC}),
    Route("/logout", LogoutAction, {"POST": P.SIGNED_IN}),
    Route(ASSET_PATH, StaticAsset, {"GET": P.PUBLIC}),
    # -- live: dashboard, wallboard, queues and agents --
    Route("/dashboard", DashboardPage, {"GET": P.DASHBOARD_VIEW}),
    Route("/api/dashboard", DashboardApi, {"GET": P.DASHBOARD_VIEW}),
    Route("/wallboard", WallboardPage, {"GET": P.WALLBOARD_VIEW}),
    Route("/api/wallboard", WallboardApi, {"GET": P.WALLBOARD_VIEW}),
    Route("/ws/wallboard", WallboardSocket, {"GET": P.WALLBOARD_VIEW}),
    Route("/queues", QueuesPage, {"GET": P.QUEUES_VIEW, "POST": P.QUEUES_EDIT}),
    Route(AGENT_PATH, AgentAction, {"POST": P.AGENTS_MANAGE}),
    Route(QUEUE_PATH, QueuePage, {"GET": P.QUEUES_VIEW, "POST": P.QUEUES_EDIT}),
    Route(f"{QUEUE_PATH}/delete", QueueDelete, {"POST": P.QUEUES_EDIT}),
    Route("/agent", AgentPage, {"GET": P.AGENT_SELF, "POST": P.AGENT_SELF}),
    Route(f"{USER_PATH}/extension", UserExtension, {"POST": P.USERS_MANAGE}),
    Route("/api/queues", QueuesApi, {"GET": P.QUEUES_VIEW, "POST": P.QUEUES_EDIT}),
    Route(
        f"/api{QUEUE_PATH}",
        QueueApi,
        {"GET": P.QUEUES_VIEW, "PUT": P.QUEUES_EDIT, "DELETE": P.QUEUES_EDIT},
    ),
    Route("/api/agents", AgentsApi, {"GET": P.QUEUES_VIEW}),
    Route(API_AGENT_PATH, AgentApi, {"GET": P.QUEUES_VIEW, "POST": P.AGENTS_MANAGE}),
    Route("/api/agent", OwnAgentApi, {"GET": P.AGENT_SELF, "POST": P.AGENT_SELF}),
    Route("/api/groups", GroupsApi, {"GET": P.QUEUES_VIEW, "POST": P.QUEUES_EDIT}),
    Route(
        GROUP_PATH,
        GroupApi,
        {"GET": P.QUEUES_VIEW, "PUT": P.QUEUES_EDIT, "DELETE": P.QUEUES_EDIT},
    ),
    Route("/groups", GroupAdd, {"POST": P.QUEUES_EDIT}),
    Route(GROUP_PAGE_PATH, GroupPage, {"GET": P.QUEUES_VIEW, "POST": P.QUEUES_EDIT}),
    Route(f"{GROUP_PAGE_PATH}/delete", GroupDelete, {"POST": P.QUEUES_EDIT}),
    # -- call flows: trunks, routes, time conditions, IVR --
    *(Route(*spec) for spec in call_flow_routes()),
    Route("/extensions", ExtensionsPage, {"GET": P.EXTENSIONS_VIEW, "POST": P.EXTENSIONS_EDIT}),
    Route(EXTENSION_PATH, ExtensionPage, {"GET": P.EXTENSIONS_VIEW, "POST": P.EXTENSIONS_EDIT}),
    Route(f"{EXTENSION_PATH}/delete", ExtensionDelete, {"POST": P.EXTENSIONS_EDIT}),
    # -- media: music on hold, prompts, recordings --
    Route("/music", MusicPage, {"GET": P.MEDIA_VIEW, "POST": P.MEDIA_EDIT}),
    Route(f"{MUSIC_PATH}/upload", MusicUpload, {"POST": P.MEDIA_EDIT}),
    Route(f"{MUSIC_PATH}/delete", MusicClassDelete, {"POST": P.MEDIA_EDIT}),
    Route(TRACK_PATH, TrackAudio, {"GET": P.MEDIA_VIEW}),
    Route(f"{TRACK_PATH}/delete", TrackDelete, {"POST": P.MEDIA_EDIT}),
    Route("/prompts", PromptsPage, {"GET": P.MEDIA_VIEW}),
    Route("/prompts/upload", PromptUpload, {"POST": P.MEDIA_EDIT}),
    Route("/prompts/text", PromptText, {"POST": P.MEDIA_EDIT}),
    Route(f"{PROMPT_PATH}/delete", PromptDelete, {"POST": P.MEDIA_EDIT}),
    Route(f"{VERSION_PATH}/audio", PromptAudio, {"GET": P.MEDIA_VIEW}),
    Route("/recordings", RecordingsPage, {"GET": P.RECORDINGS_LISTEN}),
    Route(f"{RECORDING_PATH}/audio", RecordingAudio, {"GET": P.RECORDINGS_LISTEN}),
    Route(f"{RECORDING_PATH}/download", RecordingDownload, {"GET": P.RECORDINGS_LISTEN}),
    Route(f"{RECORDING_PATH}/delete", RecordingDelete, {"POST": P.RECORDINGS_DELETE}),
    Route("/api/music", MusicApi, {"GET": P.MEDIA_VIEW, "POST": P.MEDIA_EDIT}),
    Route(f"/api{MUSIC_PATH}", MusicClassApi, {"GET": P.MEDIA_VIEW, "DELETE": P.MEDIA_EDIT}),
    Route(f"/api{MUSIC_PATH}/files", MusicUploadApi, {"POST": P.MEDIA_EDIT}),
    Route(f"/api{TRACK_PATH}", TrackApi, {"GET": P.MEDIA_VIEW, "DELETE": P.MEDIA_EDIT}),
    Route("/api/prompts", PromptsApi, {"GET": P.MEDIA_VIEW}),
    Route(f"/api{PROMPT_PATH}", PromptApi, {"DELETE": P.MEDIA_EDIT}),
    Route(f"/api{VERSION_PATH}", PromptVersionApi, {"PUT": P.MEDIA_EDIT, "DELETE": P.MEDIA_EDIT}),
    Route(f"/api{VERSION_PATH}/upload", PromptUploadApi, {"POST": P.MEDIA_EDIT}),
    Route(f"/api{VERSION_PATH}/audio", PromptAudioApi, {"GET": P.MEDIA_VIEW}),
    Route("/api/recordings", RecordingsApi, {"GET": P.RECORDINGS_LISTEN}),
    Route(
        f"/api{RECORDING_PATH}",
        RecordingApi,
        {"GET": P.RECORDINGS_LISTEN, "DELETE": P.RECORDINGS_DELETE},
    ),
    Route(f"/api{RECORDING_PATH}/download", RecordingDownloadApi, {"GET": P.RECORDINGS_LISTEN}),
    # -- reports --
    Route("/reports", ReportsPage, {"GET": P.REPORTS_VIEW}),
    Route("/reports/kpi", KpiPage, {"GET": P.REPORTS_VIEW}),
    Route("/api/reports/cdrs", CdrsApi, {"GET": P.REPORTS_VIEW}),
    Route("/api/reports/cdrs.csv", CdrsCsv, {"GET": P.REPORTS_VIEW}),
    Route("/api/reports/kpi", KpiApi, {"GET": P.REPORTS_VIEW}),
    Route("/api/reports/kpi.csv", KpiCsv, {"GET": P.REPORTS_VIEW}),
    # -- reports: analog ports (built with the reports) --
    Route("/ports", PortsPage, {"GET": P.PORTS_VIEW}),
    Route("/ports/country", CountryChange, {"POST": P.PORTS_EDIT}),
    Route(PORT_PATH, PortPage, {"GET": P.PORTS_VIEW, "POST": P.PORTS_EDIT}),
    Route(f"{PORT_PATH}/ring", RingTest, {"POST": P.PORTS_TEST}),
    Route(f"{PORT_PATH}/measure", LoopReading, {"POST": P.PORTS_TEST}),
    Route("/api/ports", PortsApi, {"GET": P.PORTS_VIEW}),
    Route("/api/ports/country", CountryApi, {"PUT": P.PORTS_EDIT}),
    Route(f"/api{PORT_PATH}", PortApi, {"GET": P.PORTS_VIEW, "PUT": P.PORTS_EDIT}),
    Route(f"/api{PORT_PATH}/ring", RingApi, {"POST": P.PORTS_TEST}),
    Route(f"/api{PORT_PATH}/measure", MeasureApi, {"POST": P.PORTS_TEST}),
    # -- system: analog ports, time, network, VPN, backup, firmware --
    Route("/system", SystemPage, {"GET": P.SYSTEM_VIEW}),
    Route("/system/time", TimeAction, {"POST": P.SYSTEM_MANAGE}),
    Route("/system/network", NetworkAction, {"POST": P.SYSTEM_MANAGE}),
    Route("/system/vpn", VpnAction, {"POST": P.SYSTEM_MANAGE}),
    Route("/system/vpn/peers", PeerAdd, {"POST": P.SYSTEM_MANAGE}),
    Route(f"/system/vpn/peers/{PEER_PATH_PART}/delete", PeerDelete, {"POST": P.SYSTEM_MANAGE}),
    Route("/system/backup", BackupDownload, {"POST": P.SYSTEM_MANAGE}),
    Route("/system/reboot", RebootAction, {"POST": P.SYSTEM_RESTART}),
    Route("/system/factory-reset", FactoryResetAction, {"POST": P.SYSTEM_MANAGE}),
    Route("/api/system", SystemApi, {"GET": P.SYSTEM_VIEW}),
    Route("/api/system/time", TimeApi, {"PUT": P.SYSTEM_MANAGE}),
    Route("/api/system/network", NetworkApi, {"PUT": P.SYSTEM_MANAGE}),
    Route("/api/system/vpn", VpnApi, {"PUT": P.SYSTEM_MANAGE}),
    Route("/api/system/vpn/peers", PeersApi, {"POST": P.SYSTEM_MANAGE}),
    Route(f"/api/system/vpn/peers/{PEER_PATH_PART}", PeerApi, {"DELETE": P.SYSTEM_MANAGE}),
    Route("/api/system/backup", BackupApi, {"POST": P.SYSTEM_MANAGE}),
    Route("/api/system/restore", RestoreApi, {"POST": P.SYSTEM_MANAGE}),
    Route("/api/system/firmware", FirmwareApi, {"POST": P.SYSTEM_MANAGE}),
    Route("/api/system/reboot", RebootApi, {"POST": P.SYSTEM_RESTART}),
    Route("/api/system/factory-reset", FactoryResetApi, {"POST": P.SYSTEM_MANAGE}),
    Route("/users", UsersPage, {"GET": P.USERS_MANAGE, "POST": P.USERS_MANAGE}),
    Route(USER_PATH, UserChange, {"POST": P.USERS_MANAGE}),
    Route(f"{USER_PATH}/delete", UserDelete, {"POST": P.USERS_MANAGE}),
    Route("/tokens", TokenAdd, {"POST": P.USERS_MANAGE}),
    Route(f"{TOKEN_PATH}/revoke", TokenRevoke, {"POST": P.USERS_MANAGE}),
    Route("/api/users", UsersApi, {"GET": P.USERS_MANAGE, "POST": P.USERS_MANAGE}),
    Route(
        f"/api{USER_PATH}",
        UserApi,
        {"GET": P.USERS_MANAGE, "PUT": P.USERS_MANAGE, "DELETE": P.USERS_MANAGE},
    ),
    Route("/api/tokens", TokensApi, {"GET": P.USERS_MANAGE, "POST": P.USERS_MANAGE}),
    Route(f"/api{TOKEN_PATH}", TokenApi, {"DELETE": P.USERS_MANAGE}),
    Route("/audit", AuditPage, {"GET": P.AUDIT_VIEW}),
    Route(
        "/certificate", CertificatePage, {"GET": P.CERTIFICATE_MANAGE, "POST": P.CERTIFICATE_MANAGE}
    ),
    Route(
        "/api/certificate",
        CertificateApi,
        {"GET": P.CERTIFICATE_MANAGE, "PUT": P.CERTIFICATE_MANAGE},
    ),
    Route("/api/extensions", ExtensionsApi, {"GET": P.EXTENSIONS_VIEW, "POST": P.EXTENSIONS_EDIT}),
    Route(
        f"/api{EXTENSION_PATH}",
        ExtensionApi,
        {"GET": P.EXTENSIONS_VIEW, "PUT": P.EXTENSIONS_EDIT, "DELETE": P.EXTENSIONS_EDIT},
    ),
    Route("/api/audit", AuditApi, {"GET": P.AUDIT_VIEW}),
    Route("/metrics", MetricsEndpoint, {"GET": P.METRICS_VIEW}),
    # -- account: own password, language, API documentation --
    Route("/account", AccountPage, {"GET": P.SIGNED_IN}),
    Route("/account/language", AccountLanguage, {"POST": P.SIGNED_IN}),
    Route("/account/password", AccountPassword, {"POST": P.SIGNED_IN}),
    Route("/api/account", AccountApi, {"GET": P.SIGNED_IN, "PUT": P.SIGNED_IN}),
    Route("/api/account/password", AccountPasswordApi, {"POST": P.SIGNED_IN}),
    Route("/api/openapi.json", ApiDocument, {"GET": P.SIGNED_IN}),
    Route("/api-docs", ApiDocsPage, {"GET": P.SIGNED_IN}),
    Route("/.well-known/security.txt", SecurityTxt, {"GET": P.PUBLIC}),
)


def implemented_methods(handler: type[PanelHandler]) -> set[str]:
    """The HTTP methods `handler` answers (those it defines beyond Tornado's defaults)."""
    return {
        method
        for method in HTTP_METHODS
        if getattr(handler, method.lower())
        is not getattr(tornado.web.RequestHandler, method.lower())
    }


def check_routes(routes: tuple[Route, ...]) -> None:
    """Raise RouteError unless each route's permissions cover exactly its handler's methods."""
    for route in routes:
        methods = implemented_methods(route.handler)
        unguarded = methods - route.permissions.keys()
        if unguarded:
            raise RouteError(f"{route.pattern}: no permission for {', '.join(sorted(unguarded))}")
        missing = route.permissions.keys() - methods
        if missing:
            raise RouteError(
                f"{route.pattern}: {route.handler.__name__} has no {', '.join(sorted(missing))}"
            )
        for method, permission in route.permissions.items():
            if not isinstance(permission, Permission):
                raise RouteError(f"{route.pattern} {method}: {permission!r} is not a Permission")
