"""The Users page (admins): panel users and their roles, passwords and API tokens."""

from collections.abc import Awaitable

import tornado.web

from pbx.api import PbxError, Role
from webui.handler import PanelHandler, Refused
from webui.permission_matrix import permission_matrix
from webui.user_form import link_agent

USER_PATH = r"/users/(?P<username>[a-z][a-z0-9._-]{2,31})"
TOKEN_PATH = r"/tokens/(?P<token_id>[0-9a-f]{16})"


class _UsersView(PanelHandler):
    """Renders the Users page; each action below answers with it."""

    def show(self, *, error: str = "", token_made: tuple | None = None) -> None:
        """Users and tokens, with the error or the token just made (its secret shown once)."""
        self.set_status(400 if error else 200)
        self.render(
            "users.html",
            users=self.web.access.users(),
            tokens=self.web.access.tokens(),
            roles=list(Role),
            error=error,
            token_made=token_made,
            matrix=permission_matrix(),
        )

    async def attempt(self, change: Awaitable):
        """Carry out `change`; if it is refused, answer with the page and the reason."""
        try:
            return await change
        except PbxError as err:
            self.show(error=str(err))
            raise tornado.web.Finish from None


class UsersPage(_UsersView):
    """GET: users and API tokens. POST: add a user."""

    def get(self) -> None:
        self.show()

    async def post(self) -> None:
        username = self.get_body_argument("username", "").strip()
        role, password = self.get_body_argument("role", ""), self.get_body_argument("password", "")
        access = self.web.access
        await self.attempt(access.add_user(self.principal, self.source, username, role, password))
        self.redirect("/users")


class UserChange(_UsersView):
    """POST: a user's new role and/or password (a new password ends their other sessions)."""

    async def post(self, username: str) -> None:
        role, password = self.get_body_argument("role", ""), self.get_body_argument("password", "")
        await self.attempt(
            self.web.access.change_user(
                self.principal, self.source, username, role=role, password=password
            )
        )
        self.redirect("/users")


class UserExtension(_UsersView):
    """POST: link a user to the extension they answer as an agent (blank: unlink)."""

    async def post(self, username: str) -> None:
        extension = self.get_body_argument("extension", "").strip()
        await self.attempt(link_agent(self, username, extension))
        self.redirect("/users")


class UserDelete(_UsersView):
    """POST: remove a user, their sessions and API tokens."""

    async def post(self, username: str) -> None:
        await self.attempt(self.web.access.delete_user(self.principal, self.source, username))
        self.redirect("/users")


class TokenAdd(_UsersView):
    """POST: a new API token for a user; its secret is on this one page, never again."""

    async def post(self) -> None:
        username = self.get_body_argument("username", "")
        label = self.get_body_argument("label", "").strip()
        access = self.web.access
        made = await self.attempt(access.add_token(self.principal, self.source, username, label))
        self.show(token_made=made)


class TokenRevoke(_UsersView):
    """POST: revoke an API token."""

    async def post(self, token_id: str) -> None:
        try:
            await self.web.access.revoke_token(self.principal, self.source, token_id)
        except PbxError as err:
            raise Refused(404, str(err)) from None
        self.redirect("/users")
