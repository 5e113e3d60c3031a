"""Every route of the panel's route table: signed out, without CSRF, and by each role.

The routes come from the table itself (webui.routes.ROUTES), so a handler added
later is walked too; a URL part these tests do not know a sample for fails.
"""

import re

import pytest

from pbx.api import Permission
from tests.web_box import web_box
from webui.handler import STATE_CHANGING, PanelHandler
from webui.panel import WebPanel
from webui.routes import ROUTES, Route, RouteError, check_routes

# A value for each named part of a URL pattern.
SAMPLES = {
    "number": "1001",
    "username": "someone",
    "token_id": "0123456789abcdef",
    "name": "panel.css",
    "item": "main",  # a trunk, route, menu ... (call flows)
    "port": "fxs1",
    "peer": "ann-phone",
    "queue": "sales",
    "extension": "1001",
    "group": "front",
    "class_name": "default",
    "file_id": "0123456789abcdef0123456789abcdef.wav",
    "prompt_name": "welcome",
    "language": "en",
    "recording_id": "0123456789abcdef0123456789abcdef",
}

# Only these may be reached signed out; a new public route must be added here on purpose.
PUBLIC = {("/login", "GET"), ("/login", "POST"), ("/setup", "GET"), ("/setup", "POST"),
          ("/static/panel.css", "GET"), ("/.well-known/security.txt", "GET")}  # fmt: skip

# The README's permission matrix, written out: who may use what.
MATRIX = {
    "admin": {p.value for p in Permission} - {"public", "signed-in"},
    "supervisor": {"dashboard.view", "wallboard.view", "extensions.view", "call-flows.view",
                   "night-mode.set", "queues.view", "agents.manage", "agent.self", "media.view",
                   "media.edit", "recordings.listen", "reports.view"},
    "agent": {"wallboard.view", "agent.self"},
    "technician": {"dashboard.view", "extensions.view", "trunks.view", "ports.view", "ports.test",
                   "call-flows.view", "queues.view", "system.view", "system.restart",
                   "metrics.view"},
}  # fmt: skip


def url(route: Route) -> str:
    """The route's pattern with each named group replaced by its sample."""
    path, rest = "", route.pattern
    while (start := rest.find("(?P<")) >= 0:
        name = rest[start + 4 : rest.index(">", start)]
        depth, end = 0, start
        while True:
            depth += {"(": 1, ")": -1}.get(rest[end], 0)
            if depth == 0:
                break
            end += 1
        path, rest = path + rest[:start] + SAMPLES[name], rest[end + 1 :]
    path += rest
    assert re.fullmatch(route.pattern, path), (route.pattern, path)
    return path


REQUESTS = [(url(r), method, r.permissions[method]) for r in ROUTES for method in r.permissions]
# API handlers (/api/..., /metrics) answer 401 where pages redirect to the log-in page.
API_PATHS = {url(r) for r in ROUTES if r.handler.api_style}


def _body(method: str) -> bytes | None:
    return b"" if method in ("POST", "PUT") else None


@pytest.mark.asyncio
async def test_every_route_refuses_a_request_without_a_session(tmp_path):
    async with web_box(tmp_path) as box:
        await box.browser().set_up()  # an admin exists: refusals send to /login
        stranger = box.browser()
        public = set()
        for path, method, _ in REQUESTS:
            response = await stranger.fetch(path, method, _body(method))
            if response.code in (200, 304):
                public.add((path, method))
                continue
            if path in API_PATHS:
                assert response.code == 401, (method, path, response.code)
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
            elif (path, method) not in PUBLIC:
                assert (response.code, response.headers.get("Location")) == (302, "/login"), (
                    method, path, response.code
                )  # fmt: skip
        assert public <= PUBLIC
        # The log-in and setup forms refuse a POST without their token.
        assert (
            await stranger.post("/login", {"username": "admin", "password": "x"}, csrf=False)
        ).code == 403


@pytest.mark.asyncio
async def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(tmp_path):
    async with web_box(tmp_path) as box:
        admin = box.browser()
        await admin.set_up()
        await admin.post("/extensions", {"number": "1001", "name": "Ann"})
        changing = [(p, m) for p, m, _ in REQUESTS if m in STATE_CHANGING]
        assert len(changing) >= 10
        for path, method in changing:
            for headers in ({}, {"X_CSRF_Token": "0" * 43}):
                response = await admin.fetch(path, method, b"csrf_token=wrong", **headers)
                assert response.code == 403, (method, path, headers, response.code)
        # Nothing changed: the admin is still signed in, and 1001 is still there.
        assert [e.number for e in await box.api.extensions.list()] == ["1001"]
        assert (await admin.get("/extensions")).code == 200
        csrf_rows = await box.api.web.audit.recent(1000, action="csrf")
        assert len(csrf_rows) == 2 * len(changing)


@pytest.mark.asyncio
@pytest.mark.parametrize("role", sorted(MATRIX))
async def test_the_role_matrix_holds_on_every_route(tmp_path, role):
    async with web_box(tmp_path) as box:
        user = await box.signed_in(role, "admin" if role == "admin" else "")
        await user.get("/")  # its CSRF token
        for path, method, permission in REQUESTS:
            if (path, method) == ("/logout", "POST"):
                continue  # would end the session the walk goes on with
            body = f"csrf_token={user.csrf_token}".encode() if method in STATE_CHANGING else None
            response = await user.fetch(path, method, body, X_CSRF_Token=user.csrf_token)
            allowed = permission in ("public", "signed-in") or permission in MATRIX[role]
            assert (response.code != 403) == allowed, (role, method, path, response.code)


@pytest.mark.asyncio
async def test_an_agent_cannot_add_an_extension(tmp_path):
    async with web_box(tmp_path) as box:
        agent = await box.signed_in("agent")
        assert (await agent.get("/extensions")).code == 403
        await agent.get("/")
        refused = await agent.post("/extensions", {"number": "1001", "name": "Sneaky"})
        assert refused.code == 403
        assert b"your role does not allow this" in refused.body
        assert await box.api.extensions.list() == []
        denied = await box.api.web.audit.recent(action="access.denied")
        assert [(e.actor, e.target) for e in denied][:2] == [("agent1", "/extensions")] * 2


def test_a_handler_method_without_a_permission_stops_the_panel_at_start():
    class Unguarded(PanelHandler):
        def get(self) -> None: ...
        def post(self) -> None: ...

    with pytest.raises(RouteError, match="no permission for POST"):
        check_routes((Route("/x", Unguarded, {"GET": "signed-in"}),))
    extra = Route("/x", Unguarded, {"GET": ROUTES[0].permissions["GET"]})
    with pytest.raises(RouteError, match="no permission for POST"):
        WebPanel(None, address="127.0.0.1", https_port=1, http_port=2, routes=(*ROUTES, extra))
    with pytest.raises(RouteError, match="has no DELETE"):
        check_routes((Route("/x", Unguarded, {"GET": "x", "POST": "x", "DELETE": "x"}),))
    check_routes(ROUTES)


@pytest.mark.asyncio
async def test_pages_and_answers_carry_the_security_headers(tmp_path):
    async with web_box(tmp_path) as box:
        browser = box.browser()
        for path in ("/login", "/setup", "/api/extensions", "/no-such-page", "/static/panel.js"):
            response = await browser.get(path)
            headers = response.headers
            assert "Server" not in headers, path
            csp = headers["Content-Security-Policy"]
            assert "default-src 'none'" in csp, path
            assert "frame-ancestors 'none'" in csp, path
            assert "http" not in csp, path  # no source but the box itself
            assert headers["X-Frame-Options"] == "DENY", path
            assert headers["X-Content-Type-Options"] == "nosniff", path
        assert (await browser.get("/api/extensions")).headers["Cache-Control"] == "no-store"
        assert (await browser.get("/login")).headers["Cache-Control"] == "no-store"
        for path in ("/no-such-page", "/static/nope.css", "/static/..%2f..%2fpanel.py",
                     "/static/%2e%2e/handler.py", "/static//etc/passwd"):  # fmt: skip
            response = await browser.get(path)
            assert response.code == 404, path
            assert b"import" not in response.body
        css = await browser.get("/static/panel.css")
        assert css.code == 200
        assert css.headers["Content-Type"].startswith("text/css")
        again = await browser.fetch("/static/panel.css", If_None_Match=css.headers["Etag"])
        assert again.code == 304
