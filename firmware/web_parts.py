"""Wiring of the web panel: its access control, its TLS identity, and its listeners."""

import contextlib
import ipaddress
import socket
import time
from collections.abc import Callable

from firmware.config import Config
from pbx.access import AccessControl, AccessSettings, AuditLog
from pbx.api import ServiceApi, WebAccess
from pbx.store import Database
from pbx.store.access import AuditStore, SessionStore, TokenStore, UserStore
from pbx.tls_identity import TlsIdentity
from webui.panel import WebPanel


def web_url(config: Config) -> str:
    """Where people reach the panel: its address, or the host's name when it listens on all."""
    w = config.web
    address = ipaddress.ip_address(w.address)
    host = socket.gethostname() if address.is_unspecified else str(address)
    if address.version == 6 and not address.is_unspecified:
        host = f"[{host}]"
    return f"https://{host}:{w.https_port}/"


def access_settings(config: Config) -> AccessSettings:
    """The access control's settings from the [web] section."""
    w = config.web
    return AccessSettings(
        idle_timeout_s=w.session_idle_timeout_s,
        absolute_timeout_s=w.session_absolute_timeout_s,
        setup_token_ttl_s=w.setup_token_ttl_s,
        login_free_failures=w.login_free_failures,
        login_max_backoff_s=w.login_max_backoff_s,
        setup_url=web_url(config) + "setup",
    )


async def build_web_access(
    config: Config,
    database: Database,
    stack: contextlib.AsyncExitStack,
    clock: Callable[[], float] = time.time,
) -> WebAccess:
    """Users, sessions, tokens and the audit log loaded; the panel's key and certificate
    made on the first start (kept in <data_dir>/web/tls, the key mode 0600)."""
    tls_dir = config.daemon.data_dir / "web" / "tls"
    identity = TlsIdentity(
        tls_dir / "key.pem", tls_dir / "cert.pem", [config.web.address], "the web panel's"
    )
    identity.ensure()
    audit = AuditLog(AuditStore(database), clock)
    access = AccessControl(
        UserStore(database),
        SessionStore(database),
        TokenStore(database),
        audit,
        settings=access_settings(config),
        clock=clock,
    )
    stack.callback(access.close)
    await access.load()
    return WebAccess(access, audit, identity, web_url(config), config.web.security_contact)


async def serve_web(api: ServiceApi, config: Config, stack: contextlib.AsyncExitStack) -> None:
    """The panel's HTTPS and HTTP listeners, on the daemon's loop."""
    w = config.web
    panel = WebPanel(
        api,
        address=w.address,
        https_port=w.https_port,
        http_port=w.http_port,
        language=w.language,
    )
    await panel.start()
    stack.push_async_callback(panel.stop)
