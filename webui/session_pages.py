"""Signing in and out, the first-start page, and the home page."""

from pbx.api import AccessDenied, PbxError
from webui.handler import SESSION_COOKIE, PanelHandler
from webui.setup_checklist import CHECKLIST_PERMISSION, setup_steps


class _SignIn(PanelHandler):
    """Shared by the log-in and setup pages: a new session id at every sign-in."""

    async def sign_in(self, session_id: str) -> None:
        # Whatever session this browser had ends: the new one gets a new id, so
        # an id planted before the log-in is worth nothing (session fixation).
        if self.principal is not None and self.principal.session is not None:
            await self.web.access.sessions.close([self.principal.session.key])
        self.set_session_cookie(session_id)
        self.redirect("/")

    def refuse(self, page: str, err: PbxError, **fields: str) -> None:
        status = 400
        if isinstance(err, AccessDenied):
            status = 429 if err.retry_after_s else 401
            if err.retry_after_s:
                self.set_header("Retry-After", str(max(1, round(err.retry_after_s))))
        self.set_status(status)
        self.render(page, error=str(err), **fields)


class LoginPage(_SignIn):
    """GET: the log-in form. POST: check the password, open a session."""

    def get(self) -> None:
        if self.web.access.needs_setup:
            self.redirect("/setup")
            return
        self.render("login.html", error="", username="")

    async def post(self) -> None:
        username = self.get_body_argument("username", "").strip()
        password = self.get_body_argument("password", "")
        try:
            session_id, _ = await self.web.access.log_in(username, password, self.source)
        except AccessDenied as err:
            self.refuse("login.html", err, username=username)
            return
        await self.sign_in(session_id)


class SetupPage(_SignIn):
    """First start: the setup token from the console, and the first admin's password."""

    def get(self) -> None:
        if not self.web.access.needs_setup:
            self.redirect("/login")
            return
        self.render("setup.html", error="", username="admin")

    async def post(self) -> None:
        username = self.get_body_argument("username", "").strip()
        password = self.get_body_argument("password", "")
        if password != self.get_body_argument("confirm", ""):
            self.set_status(400)
            self.render(
                "setup.html", error=self.translate("The passwords differ."), username=username
            )
            return
        try:
            session_id, _ = await self.web.access.set_up(
                self.get_body_argument("token", ""), username, password, self.source
            )
        except PbxError as err:
            self.refuse("setup.html", err, username=username)
            return
        await self.sign_in(session_id)


class LogoutAction(PanelHandler):
    """POST: end this session."""

    async def post(self) -> None:
        await self.web.access.log_out(self.principal, self.source)
        self.clear_cookie(SESSION_COOKIE, secure=True, samesite="Strict")
        self.redirect("/login")


class HomePage(PanelHandler):
    """Who is signed in, what the box still needs (for admins), and the pages their role opens."""

    async def get(self) -> None:
        admin = self.allowed(CHECKLIST_PERMISSION)
        self.render("home.html", steps=await setup_steps(self.api) if admin else [])
