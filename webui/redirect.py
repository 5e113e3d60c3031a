"""The plain-HTTP listener: it serves nothing, it only sends browsers to HTTPS."""

import ipaddress
import re

import tornado.web

# A host name as a browser sends it (no port, no user info); anything else is replaced.
_HOSTNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")


def https_host(host_header: str, fallback: str) -> str:
    """The host part of a Host header if it is a plain name or address, else `fallback`."""
    host = host_header.strip()
    if host.startswith("["):  # [v6]:port
        host = host[1 : host.find("]")] if "]" in host else ""
        try:
            return f"[{ipaddress.IPv6Address(host)}]"
        except ValueError:
            return fallback
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return host if _HOSTNAME.match(host) else fallback


class HttpsRedirect(tornado.web.RequestHandler):
    """Any request, any method: a permanent redirect to the same path over HTTPS."""

    def initialize(self, https_port: int, fallback_host: str) -> None:
        self.https_port = https_port
        self.fallback_host = fallback_host

    def set_default_headers(self) -> None:
        self.clear_header("Server")
        self.set_header("Cache-Control", "no-store")

    def prepare(self) -> None:
        host = https_host(self.request.host or "", self.fallback_host)
        path = "/" + self.request.uri.lstrip("/")  # never "//other-host"
        # 308 keeps the method and body; a browser's GET is the usual case.
        self.redirect(f"https://{host}:{self.https_port}{path}", status=308)
        raise tornado.web.Finish
