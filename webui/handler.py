"""The base of every panel handler: security headers, who is asking, CSRF, the route's permission.

Each check happens here, once, before any handler method runs; a handler only
does its own work. The route table (webui/routes.py) gives each handler the
permission each of its methods needs.
"""

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any, ClassVar

import tornado.web

from pbx.api import AccessDenied, Permission, Principal, ServiceApi, role_allows
from webui.navigation import menu_for
from webui.translations import Translator, negotiate

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# __Host- cookies must be Secure, for path / and without a Domain: no other host
# or plain-HTTP page can set or shadow them.
SESSION_COOKIE = "__Host-cbx_session"
FORM_COOKIE = "__Host-cbx_form"  # binds the log-in and setup forms' CSRF token
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Every asset is served by the box itself: no other source may load anything.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_MAX_JSON_BYTES = 64 * 1024
# Sent only once the certificate is not self-signed: a browser that has seen HSTS
# refuses the "continue anyway" click a self-signed certificate needs, which would
# lock the office out of its own box. One year, as browsers' preload lists expect.
HSTS = "max-age=31536000"


@dataclass(frozen=True)
class PanelContext:
    """What every handler is given: the service API and the panel's own settings."""

    api: ServiceApi
    language: str
    form_key: bytes  # signs pre-log-in CSRF tokens; made anew at each start
    assets: dict[str, tuple[bytes, str, str]]  # webui/static: name -> content, type, ETag
    routes: tuple = ()  # the route table served (webui/routes.py), for the API document


class Refused(tornado.web.HTTPError):
    """A request the panel refuses, with a message for the user (never internals)."""

    def __init__(self, status: int, message: str, retry_after_s: float = 0.0) -> None:
        super().__init__(status)
        self.message = message
        self.retry_after_s = retry_after_s


class PanelHandler(tornado.web.RequestHandler):
    """Every page and API handler derives from this."""

    api_style: ClassVar[bool] = False  # JSON answers, 401 instead of a redirect to log in

    def initialize(self, context: PanelContext, permissions: dict[str, Permission]) -> None:
        self.context = context
        self.api = context.api
        self.web = context.api.web
        self.permissions = permissions
        self.principal: Principal | None = None
        self.translate = Translator(context.language)
        self._strict_transport()

    def set_default_headers(self) -> None:
        self.clear_header("Server")  # names no product or version (ETSI EN 303 645 5.6-2)
        self.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        # Pages carry CSRF tokens and freshly made secrets; API answers, settings.
        self.set_header("Cache-Control", "no-store")
        self._strict_transport()  # again after an error clears the headers

    def _strict_transport(self) -> None:
        context = getattr(self, "context", None)  # not yet given on the first call
        if context is not None and not context.api.web.identity.info().self_signed:
            self.set_header("Strict-Transport-Security", HSTS)

    @property
    def source(self) -> str:
        """The client's address (the panel trusts no forwarding header)."""
        return self.request.remote_ip or ""

    async def prepare(self) -> None:
        """Who is asking, then the CSRF token and the route's permission; refuse otherwise."""
        permission = self.permissions.get(self.request.method)
        if permission is None:
            raise Refused(405, "method not allowed")
        self.principal = await self._who()
        self.translate = Translator(self._language())
        if permission is not Permission.PUBLIC and self.principal is None:
            self._refuse_anonymous()
        if self.request.method in STATE_CHANGING and not self._by_token():
            await self._check_csrf()
        if self.principal is not None and not role_allows(self.principal.role, permission):
            await self.audit("access.denied", self.request.path, outcome="refused")
            raise Refused(403, "your role does not allow this")

    def _language(self) -> str:
        """The signed-in user's own language, else the box's; before signing in, the
        browser's (?lang= or Accept-Language)."""
        if self.principal is not None:
            return self.principal.language or self.context.language
        accept = self.request.headers.get("Accept-Language", "")
        return negotiate(self.get_query_argument("lang", ""), accept, self.context.language)

    def _by_token(self) -> bool:
        return self.principal is not None and self.principal.session is None

    async def _who(self) -> Principal | None:
        header = self.request.headers.get("Authorization")
        if self.api_style and header is not None:
            scheme, _, secret = header.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                raise Refused(401, "use Authorization: Bearer <token>")
            try:
                return await self.web.access.bearer(secret.strip(), self.source)
            except AccessDenied as err:
                status = 429 if err.retry_after_s else 401
                raise Refused(status, str(err), err.retry_after_s) from None
        session_id = self.get_cookie(SESSION_COOKIE)
        return await self.web.access.principal(session_id) if session_id else None

    def _refuse_anonymous(self) -> None:
        if self.api_style:
            raise Refused(401, "sign in, or send an API token")
        self.redirect("/setup" if self.web.access.needs_setup else "/login")
        raise tornado.web.Finish

    # --- CSRF ---------------------------------------------------------------------

    def csrf_token(self) -> str:
        """The token this browser must send back with a form or as X-CSRF-Token.

        Signed in: the session's own. Not yet (log-in and setup forms): one
        bound to a random cookie, so another site cannot sign a victim in as
        someone else.
        """
        if self.principal is not None and self.principal.session is not None:
            return self.principal.session.csrf_token
        nonce = self.get_cookie(FORM_COOKIE)
        if not nonce:
            nonce = secrets.token_urlsafe(24)
            self.set_cookie(FORM_COOKIE, nonce, secure=True, httponly=True, samesite="Strict")
        return self._form_token(nonce)

    def _form_token(self, nonce: str) -> str:
        return hmac.new(self.context.form_key, nonce.encode(), hashlib.sha256).hexdigest()

    async def _check_csrf(self) -> None:
        given = self.request.headers.get(CSRF_HEADER) or self.get_body_argument(CSRF_FIELD, "")
        if self.principal is not None and self.principal.session is not None:
            expected = self.principal.session.csrf_token
        else:
            nonce = self.get_cookie(FORM_COOKIE)
            expected = self._form_token(nonce) if nonce else ""
        if not (expected and given and hmac.compare_digest(given.encode(), expected.encode())):
            if self.principal is not None:
                await self.audit("csrf", self.request.path, outcome="refused")
            raise Refused(403, "the form has expired or did not come from this panel: reload it")

    # --- sessions -----------------------------------------------------------------

    def set_session_cookie(self, session_id: str) -> None:
        """Hand the browser its (new) session id."""
        self.set_cookie(SESSION_COOKIE, session_id, secure=True, httponly=True, samesite="Strict")
        self.clear_cookie(FORM_COOKIE, secure=True, samesite="Strict")

    # --- helpers for handlers -----------------------------------------------------

    async def audit(self, action: str, target: str = "", **outcome: str) -> None:
        """Write one audit event for this request."""
        actor = self.principal.username if self.principal else ""
        await self.web.audit.record(actor, self.source, action, target, **outcome)

    async def audited(self, action: str, target: str, change) -> Any:
        """Carry out `change` (awaitable) and write its audit event, done or refused."""
        actor = self.principal.username if self.principal else ""
        return await self.web.audit.audited(actor, self.source, action, target, change)

    def json_body(self) -> dict:
        """The request's JSON object (400 if the body is not one)."""
        if len(self.request.body) > _MAX_JSON_BYTES:
            raise Refused(413, "request body too large")
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            raise Refused(400, "the body is not JSON") from None
        if not isinstance(body, dict):
            raise Refused(400, "the body must be a JSON object")
        return body

    def allowed(self, permission: Permission) -> bool:
        """True if whoever is asking may use routes needing `permission`."""
        return self.principal is not None and role_allows(self.principal.role, permission)

    def get_template_namespace(self) -> dict[str, Any]:
        namespace = super().get_template_namespace()
        namespace.update(
            _=self.translate,
            language=self.translate.language,
            direction=self.translate.direction,
            principal=self.principal,
            csrf_field=CSRF_FIELD,
            csrf_token=self.csrf_token(),
            nav=menu_for(self.allowed, self.request.path) if self.principal else [],
            Permission=Permission,
            allowed=self.allowed,
        )
        return namespace

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = error.message if isinstance(error, Refused) else self._reason
        if isinstance(error, Refused) and error.retry_after_s:
            self.set_header("Retry-After", str(max(1, round(error.retry_after_s))))
        if self.api_style:
            if status_code == 401:
                self.set_header("WWW-Authenticate", 'Bearer realm="panel"')
            self.finish({"error": message})
        else:
            self.render("error.html", status=status_code, message=message)


class ApiHandler(PanelHandler):
    """A JSON API handler: a Bearer token or a session (with X-CSRF-Token to change things).

    For the OpenAPI document (webui/api_document.py) a handler may describe its JSON, by
    HTTP method, as JSON Schemas (2020-12): `request_schema` for the body it takes,
    `response_schema` for the body of its success answer. `api_schemas` names schemas
    the others may point at as {"$ref": "#/components/schemas/<name>"}. All optional:
    a method without one is documented as taking or giving "a JSON object".
    """

    api_style = True
    request_schema: ClassVar[dict[str, dict]] = {}
    response_schema: ClassVar[dict[str, dict]] = {}
    api_schemas: ClassVar[dict[str, dict]] = {}
