"""The web panel: Tornado on the daemon's own event loop, HTTPS, and HTTP redirecting to it."""

import logging
import secrets
from pathlib import Path

import tornado.httpserver
import tornado.netutil
import tornado.web

from pbx.api import ServiceApi
from webui.assets import load_assets
from webui.handler import PanelContext, PanelHandler, Refused
from webui.redirect import HttpsRedirect
from webui.routes import ROUTES, Route, check_routes

logger = logging.getLogger(__name__)
TEMPLATES_DIR = Path(__file__).with_name("templates")
MAX_BODY_BYTES = 1024 * 1024  # the largest request: a certificate upload


class ListenerTaken(OSError):
    """A panel port is in use by another program; `setting` names its key."""

    def __init__(self, message: str, setting: str) -> None:
        super().__init__(message)
        self.setting = setting


class NotFound(PanelHandler):
    """Anything the route table does not name: 404, with the panel's headers."""

    def prepare(self) -> None:
        raise Refused(404, "no such page")


class WebPanel:
    """Serves the route table over HTTPS with the box's TLS identity (api.web.identity)."""

    def __init__(
        self,
        api: ServiceApi,
        *,
        address: str,
        https_port: int,
        http_port: int,
        language: str = "en",
        routes: tuple[Route, ...] = ROUTES,
    ) -> None:
        check_routes(routes)  # an unguarded handler stops the box here, not in production
        self._api = api
        self._address = address
        self._https_port = https_port
        self._http_port = http_port
        context = PanelContext(api, language, secrets.token_bytes(32), load_assets(), routes)
        handlers = [
            (r.pattern, r.handler, {"context": context, "permissions": r.permissions})
            for r in routes
        ]
        self.application = tornado.web.Application(
            handlers,
            template_path=str(TEMPLATES_DIR),
            default_handler_class=NotFound,
            default_handler_args={"context": context, "permissions": {}},
            xheaders=False,  # the box faces its users directly; no proxy's header is trusted
        )
        self._servers: list[tornado.httpserver.HTTPServer] = []

    async def start(self) -> None:
        """Listen for HTTPS and for HTTP (redirects only)."""
        api_web = self._api.web
        https = tornado.httpserver.HTTPServer(
            self.application,
            ssl_options=api_web.identity.server_context(),
            max_body_size=MAX_BODY_BYTES,
        )
        redirect = tornado.web.Application(
            [
                (
                    r".*",
                    HttpsRedirect,
                    {"https_port": self._https_port, "fallback_host": self._address},
                )
            ]
        )
        http = tornado.httpserver.HTTPServer(redirect, max_body_size=4096)
        for server, port, key in (
            (https, self._https_port, "web.https_port"),
            (http, self._http_port, "web.http_port"),
        ):
            try:
                server.add_sockets(tornado.netutil.bind_sockets(port, self._address))
            except OSError as err:
                await self.stop()
                raise ListenerTaken(f"{self._address}:{port}: {err.strerror}", key) from None
            self._servers.append(server)
        logger.info("web panel on %s (HTTP %d redirects to it)", api_web.url, self._http_port)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        for server in self._servers:
            server.stop()
            await server.close_all_connections()
        self._servers.clear()
