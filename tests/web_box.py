"""The web panel in this process, on a manual clock, over the real service API and stores.

    async with web_box(tmp_path) as box:
        browser = box.browser()                 # keeps its cookies, from 127.0.0.1
        await browser.set_up("admin", PASSWORD)  # the first-start page, with the token
        page = await browser.get("/extensions")

The SIP engine is built but not started: the panel needs no calls. Everything
else is as the daemon wires it (firmware/web_parts.py): the access control, the
panel's own TLS identity (the client checks the server against it), HTTPS and
the HTTP redirect on real sockets on 127.0.0.x.
"""

import contextlib
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import tornado.httpclient

from board.emu.clock import ManualClock
from firmware import config as config_mod
from firmware.box import engine_settings
from firmware.call_flow_parts import CallFlowParts
from firmware.recording_parts import build_recording
from firmware.system_parts import build_system
from firmware.web_parts import build_web_access, serve_web
from pbx.api import ServiceApi
from pbx.bus import EventBus
from pbx.calls import CallService
from pbx.edge.rpc import EdgeRpc
from pbx.extension_service import ExtensionService
from pbx.loop_guard import LoopGuard
from pbx.security import SecurityLog
from pbx.sip import SipEngine
from pbx.store import CdrStore, ExtensionStore, main_database
from pbx.store.edge import EdgeCredentials
from pbx.store.edge_trunks import EdgeTrunks
from pbx.store.trunks import TrunkStore
from pbx.trunk_service import TrunkService
from tests.harness import free_port

PASSWORD = "Tall-Ladder-42-Sunrise"  # passes the password rules
START_S = 1_800_000_000.0  # the manual clock's epoch seconds (2027)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Browser:
    """An HTTPS client with a cookie jar, from one source address on 127/8."""

    box: "WebBox"
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""  # from the last page that had a form

    async def fetch(
        self, path: str, method: str = "GET", body: bytes | str | None = None, **headers: str
    ) -> tornado.httpclient.HTTPResponse:
        """One request; the answer whatever its status (redirects are not followed)."""
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is None and method in ("POST", "PUT"):
            body = b""
        response = await tornado.httpclient.AsyncHTTPClient().fetch(
            f"https://127.0.0.1:{self.box.https_port}{path}",
            method=method,
            body=body,
            headers={k.replace("_", "-"): v for k, v in headers.items()},
            ca_certs=str(self.box.cert_path),
            network_interface=self.source,
            follow_redirects=False,
            allow_nonstandard_methods=True,
            raise_error=False,
        )
        for header in response.headers.get_list("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if found := _CSRF.search(response.body.decode(errors="replace")):
            self.csrf_token = found.group(1)
        return response

    async def get(self, path: str) -> tornado.httpclient.HTTPResponse:
        return await self.fetch(path)

    async def api(self, path: str, method: str = "GET", body: object = None) -> tuple[int, object]:
        """A JSON API call with this browser's session (and CSRF token): status, decoded body."""
        headers = {"Accept": "application/json"}
        if method != "GET":
            headers["X_CSRF_Token"] = self.csrf_token
        data = None if body is None else json.dumps(body)
        response = await self.fetch(path, method, data, **headers)
        text = response.body.decode() if response.body else ""
        return response.code, (json.loads(text) if text.startswith(("{", "[")) else text)

    async def api_token(self, username: str, label: str = "test") -> str:
        """As an admin: a new API token for `username`, its secret as shown once."""
        await self.get("/users")
        made = await self.post("/tokens", {"username": username, "label": label})
        return made.body.decode().split('id="new-token">')[1].split("<")[0]

    async def post(
        self, path: str, fields: dict | None = None, *, csrf: bool = True
    ) -> tornado.httpclient.HTTPResponse:
        """A form POST, with this browser's CSRF token unless `csrf` is False."""
        form = dict(fields or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf_token)
        return await self.fetch(
            path,
            "POST",
            urllib.parse.urlencode(form, doseq=True),  # a list: the field repeated
            Content_Type="application/x-www-form-urlencoded",
        )

    async def set_up(self, username: str = "admin", password: str = PASSWORD):
        """The first-start page with the box's setup token."""
        await self.get("/setup")
        token = self.box.api.web.status()["setup_token"]
        fields = {"token": token, "username": username, "password": password, "confirm": password}
        return await self._follow(await self.post("/setup", fields))

    async def log_in(self, username: str, password: str = PASSWORD):
        await self.get("/login")
        fields = {"username": username, "password": password}
        return await self._follow(await self.post("/login", fields))

    async def _follow(self, response: tornado.httpclient.HTTPResponse):
        """After signing in, land on the home page as a browser would (its CSRF token)."""
        if response.code == 302:
            await self.get(response.headers["Location"])
        return response

    @property
    def session_id(self) -> str:
        return self.cookies.get("__Host-cbx_session", "")


@dataclass
class WebBox:
    """A panel serving on free ports, and what a test needs to reach it."""

    api: ServiceApi
    clock: ManualClock
    https_port: int
    http_port: int
    cert_path: Path
    stops: list[int] = field(default_factory=list)  # statuses the box asked to stop with
    bus: EventBus | None = None  # to publish what the box would see (security events ...)
    database: object = None  # the box's main database (pbx.store.Database)

    def browser(self, source: str = "127.0.0.1") -> Browser:
        return Browser(self, source)

    async def signed_in(self, role: str, username: str = "") -> "Browser":
        """A browser signed in as a new user of `role` (made by a fresh admin if none exists)."""
        admin = self.browser()
        if self.api.web.access.needs_setup:
            await admin.set_up()
        else:
            await admin.log_in("admin")
        username = username or f"{role}1"
        if role == "admin" and username == "admin":
            return admin
        await admin.get("/users")
        made = await admin.post(
            "/users", {"username": username, "role": role, "password": PASSWORD}
        )
        assert made.code == 302, made.body
        user = self.browser()
        await user.log_in(username)
        assert user.session_id
        return user


@dataclass
class DaemonPanel:
    """A real daemon's panel, as Browser needs to see it: `Browser(DaemonPanel.of(daemon))`."""

    https_port: int
    cert_path: Path
    api: object  # only .web.status() is used: the setup token

    @classmethod
    def of(cls, daemon) -> "DaemonPanel":
        from types import SimpleNamespace  # noqa: PLC0415

        status = SimpleNamespace(web=SimpleNamespace(status=lambda: daemon.status()["web"]))
        return cls(
            daemon.sections["web"]["https_port"],
            daemon.data_dir / "web" / "tls" / "cert.pem",
            status,
        )


def _config(data_dir: Path, web: dict, system: dict) -> config_mod.Config:
    path = data_dir / "callbox.toml"
    web = {"https_port": free_port(), "http_port": free_port(), **web}
    path.write_text(
        f'[daemon]\ndata_dir = "{data_dir}"\n[engine]\nsip_port = {free_port()}\n'
        f"[edge]\nenabled = false\n[web]\n"
        + "".join(f"{k} = {v!r}\n" for k, v in web.items())
        + "[system]\n"
        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in system.items())
    )
    return config_mod.load(path)


@contextlib.asynccontextmanager
async def web_box(data_dir: Path, system: dict | None = None, **web_settings):
    """Serve the panel with `web_settings` ([web] keys) and `system` ([system]) until the end."""
    import asyncio  # noqa: PLC0415

    config = _config(data_dir, web_settings, system or {})
    clock = ManualClock(START_S)
    stops: list[int] = []  # exit statuses the system service asked the daemon to stop with
    guard = LoopGuard(asyncio.get_running_loop())
    bus = EventBus(guard)
    async with contextlib.AsyncExitStack() as stack:
        database = main_database(data_dir / "callbox.db")
        await database.open()
        stack.push_async_callback(database.close)
        edge_db = EdgeCredentials.database(data_dir / "edge.db")
        await edge_db.open()
        stack.push_async_callback(edge_db.close)
        registry = EdgeCredentials(edge_db)
        extensions = ExtensionService(ExtensionStore(database), registry)
        await extensions.sync_edge()
        engine = SipEngine(engine_settings(config), bus)  # never started
        web = await build_web_access(config, database, stack, clock.monotonic)
        calls = CallService(engine, bus, CdrStore(database), guard)
        trunks = TrunkService(
            TrunkStore(database), EdgeTrunks(edge_db), engine, EdgeRpc(data_dir / "rpc"), ""
        )
        # Music, prompts and recordings as the daemon has them (their files in data_dir).
        flows = await CallFlowParts.loaded(config, database, trunks)
        recording = build_recording(
            config, engine=engine, calls=calls, bus=bus, database=database, extensions=extensions
        )
        api = ServiceApi(
            calls,
            engine,
            extensions=extensions,
            security=SecurityLog(bus),
            edge=None,
            edge_registry=registry,
            trunks=trunks,
            recordings=recording,
            web=web,
            **flows.services(),
            system=build_system(config, database.snapshot, stops.append),
        )
        await serve_web(api, config, stack)
        yield WebBox(
            api,
            clock,
            config.web.https_port,
            config.web.http_port,
            web.identity.cert_path,
            stops,
            bus,
            database,
        )
