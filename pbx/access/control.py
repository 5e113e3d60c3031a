"""Access control for the web panel and its API: the first admin, log-ins, users, API tokens."""

import hashlib
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from pbx.access.audit import AuditLog
from pbx.access.passwords import PasswordHasher, check_password
from pbx.access.records import AccessDenied, AccessError, ApiToken, Principal, User
from pbx.access.roles import Role
from pbx.access.sessions import Sessions
from pbx.access.setup_token import SetupToken
from pbx.access.throttle import LoginThrottle
from pbx.store.access import SessionStore, TokenStore, UserStore

logger = logging.getLogger(__name__)
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,31}$")
_EXTENSION = re.compile(r"[0-9]{2,8}")
_LABEL = re.compile(r"^[\w .:@/-]{0,64}$")
_LANGUAGE = re.compile(r"^(?:[a-z]{2,3})?$")  # a language code, or "" for the box's
TOKEN_PREFIX = "cbx_"  # lets secret scanners and people recognise a leaked token


@dataclass(frozen=True)
class AccessSettings:
    """The [web] settings that govern access (see firmware/config.py for their meaning)."""

    idle_timeout_s: float
    absolute_timeout_s: float
    setup_token_ttl_s: float
    login_free_failures: int
    login_max_backoff_s: float
    setup_url: str  # the first-start page, named in the console's banner


def check_username(username: str) -> str:
    """3 to 32 of a-z, 0-9, '.', '_', '-', starting with a letter."""
    if not _USERNAME.match(username):
        raise AccessError(
            "user name must be 3-32 of a-z, 0-9, '.', '_' and '-', starting with a letter"
        )
    return username


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccessError(f"role must be one of {', '.join(Role)}; got {role!r}") from None


def _secret_hash(secret: str) -> str:
    # A token is 256 random bits: a fast hash is enough, unlike a password's.
    return hashlib.sha256(secret.encode()).hexdigest()


class AccessControl:
    """Who may use the panel, and proof of who is asking. Loop thread only.

    Every log-in, failed or not, and every change to users and tokens writes
    one audit event. Failed log-ins, setup tokens and API tokens slow their
    source address down (LoginThrottle); no account is ever locked.
    """

    def __init__(
        self,
        users: UserStore,
        sessions: SessionStore,
        tokens: TokenStore,
        audit: AuditLog,
        *,
        settings: AccessSettings,
        clock: Callable[[], float],
    ) -> None:
        self._user_store = users
        self._token_store = tokens
        self._audit = audit
        self._clock = clock
        self.sessions = Sessions(
            sessions,
            clock,
            idle_timeout_s=settings.idle_timeout_s,
            absolute_timeout_s=settings.absolute_timeout_s,
        )
        self.throttle = LoginThrottle(
            clock,
            free_failures=settings.login_free_failures,
            max_delay_s=settings.login_max_backoff_s,
        )
        self._setup_token = SetupToken(clock, settings.setup_token_ttl_s, settings.setup_url)
        self._hasher = PasswordHasher()
        self._users: dict[str, tuple[User, str]] = {}
        self._tokens: dict[str, ApiToken] = {}  # by the hash of the secret

    async def load(self) -> None:
        """Read users, sessions and tokens; on a first start, make the setup token."""
        self._users = {user.username: (user, h) for user, h in await self._user_store.all()}
        self._tokens = {h: token for token, h in await self._token_store.all()}
        await self.sessions.load()
        if self.needs_setup:
            self._setup_token.current()

    def close(self) -> None:
        """Stop the password-hashing thread."""
        self._hasher.close()

    # --- first start --------------------------------------------------------------

    @property
    def needs_setup(self) -> bool:
        """True until an admin exists: the panel then offers only the first-start page."""
        return not any(user.role is Role.ADMIN for user, _ in self._users.values())

    def setup_token(self) -> tuple[str, float] | None:
        """The one-time setup token and its expiry (epoch s) while no admin exists."""
        return self._setup_token.current() if self.needs_setup else None

    async def set_up(
        self, token: str, username: str, password: str, source: str
    ) -> tuple[str, Principal]:
        """Create the first admin with the setup token and sign them in (a new session id)."""
        if not self.needs_setup:
            raise AccessError("the panel has an admin already: sign in")
        self._check_throttle(source)
        check_username(username)
        check_password(password, username)
        if not self._setup_token.redeem(token):
            delay_s = self.throttle.failed(source)
            await self._audit.record(
                "", source, "setup", username, outcome="failed", detail="wrong token"
            )
            raise AccessDenied("wrong or expired setup token", delay_s)
        await self._create_user(username, Role.ADMIN, password)
        self._setup_token.retire()
        await self._audit.record(username, source, "setup", username)
        logger.warning("web panel: admin %s created with the setup token", username)
        return await self._open_session(username, source)

    # --- signing in ---------------------------------------------------------------

    def _check_throttle(self, source: str) -> None:
        wait_s = self.throttle.retry_after_s(source)
        if wait_s > 0:
            raise AccessDenied("too many failed attempts from your address: wait", wait_s)

    async def log_in(self, username: str, password: str, source: str) -> tuple[str, Principal]:
        """Check the password and open a new session; AccessDenied (never saying which
        part was wrong) otherwise. Returns the session id, for the cookie."""
        self._check_throttle(source)
        _, stored_hash = self._users.get(username, (None, None))
        if not await self._hasher.verify(stored_hash, password):
            delay_s = self.throttle.failed(source)
            await self._audit.record("", source, "login", username, outcome="failed")
            raise AccessDenied("wrong user name or password", delay_s)
        self.throttle.succeeded(source)
        await self._audit.record(username, source, "login", username)
        return await self._open_session(username, source)

    async def _open_session(self, username: str, source: str) -> tuple[str, Principal]:
        await self.sessions.sweep()
        session_id, session = await self.sessions.open(username, source)
        user = self._users[username][0]
        return session_id, Principal(username, user.role, session, language=user.language)

    async def principal(self, session_id: str) -> Principal | None:
        """Who holds this session id, if it is live (and the user still exists)."""
        session = await self.sessions.find(session_id)
        if session is None:
            return None
        user, _ = self._users.get(session.username, (None, None))
        if user is None:
            await self.sessions.close([session.key])
            return None
        return Principal(user.username, user.role, session, language=user.language)

    async def log_out(self, principal: Principal, source: str) -> None:
        """End the principal's session."""
        if principal.session is not None:
            await self.sessions.close([principal.session.key])
            await self._audit.record(principal.username, source, "logout", principal.username)

    async def bearer(self, secret: str, source: str) -> Principal:
        """Who an API token acts for; AccessDenied (and a throttle failure) if none."""
        self._check_throttle(source)
        token = self._tokens.get(_secret_hash(secret))
        user, _ = self._users.get(token.username, (None, None)) if token else (None, None)
        if token is None or user is None:
            delay_s = self.throttle.failed(source)
            await self._audit.record("", source, "api.token", outcome="failed")
            raise AccessDenied("invalid API token", delay_s)
        now = self._clock()
        if now - token.last_used_s >= 60:  # written at most a minute apart
            token = self._tokens[_secret_hash(secret)] = ApiToken(
                token.token_id, token.username, token.label, token.created_at, now
            )
            await self._token_store.touch(token.token_id, now)
        return Principal(user.username, user.role, None, token.token_id, user.language)

    # --- users --------------------------------------------------------------------

    def users(self) -> list[User]:
        """Every user, by name."""
        return [self._users[name][0] for name in sorted(self._users)]

    async def _create_user(self, username: str, role: Role, password: str) -> User:
        check_username(username)
        check_password(password, username)
        if username in self._users:
            raise AccessError(f"user {username} already exists")
        user = User(username, role, datetime.fromtimestamp(self._clock(), UTC))
        password_hash = await self._hasher.hash(password)
        await self._user_store.add(user, password_hash)
        self._users[username] = (user, password_hash)
        return user

    async def _audited(
        self, actor: Principal, source: str, action: str, target: str, change: Awaitable
    ):
        return await self._audit.audited(actor.username, source, action, target, change)

    async def add_user(
        self, actor: Principal, source: str, username: str, role: str, password: str
    ) -> User:
        """Create a panel user."""

        async def add() -> User:
            return await self._create_user(username, _parse_role(role), password)

        return await self._audited(actor, source, "user.add", username, add())

    async def change_user(
        self, actor: Principal, source: str, username: str, *, role: str = "", password: str = ""
    ) -> User:
        """Change a user's role and/or password; a new password ends their other sessions."""

        async def change() -> User:
            user, stored_hash = self._user(username)
            new_role = _parse_role(role) if role else user.role
            if user.role is Role.ADMIN and new_role is not Role.ADMIN:
                self._keep_an_admin(username)
            new_hash = None
            if password:
                new_hash = await self._hasher.hash(check_password(password, username))
            await self._user_store.update(username, new_role, new_hash)
            changed = replace(user, role=new_role)
            self._users[username] = (changed, new_hash or stored_hash)
            if new_hash is not None:
                keep = actor.session.key if actor.session and actor.username == username else ""
                await self.sessions.close_user(username, keep)
            return changed

        return await self._audited(actor, source, "user.change", username, change())

    async def link_extension(
        self, actor: Principal, source: str, username: str, extension: str
    ) -> User:
        """Say which agent (extension number; blank: none) a user is, for the Agent page."""

        async def link() -> User:
            user, password_hash = self._user(username)
            if extension and not _EXTENSION.fullmatch(extension):
                raise AccessError("an extension is 2 to 8 digits")
            await self._user_store.set_extension(username, extension)
            linked = replace(user, extension=extension)
            self._users[username] = (linked, password_hash)
            return linked

        return await self._audited(actor, source, "user.extension", username, link())

    def extension_of(self, username: str) -> str:
        """The extension a user is linked to ("" if none, or no such user)."""
        found = self._users.get(username)
        return found[0].extension if found else ""

    async def delete_user(self, actor: Principal, source: str, username: str) -> None:
        """Remove a user, with their sessions and API tokens."""

        async def delete() -> None:
            user, _ = self._user(username)
            if username == actor.username:
                raise AccessError("you cannot remove yourself")
            if user.role is Role.ADMIN:
                self._keep_an_admin(username)
            await self._user_store.delete(username)
            del self._users[username]
            self._tokens = {h: t for h, t in self._tokens.items() if t.username != username}
            await self.sessions.close_user(username)

        await self._audited(actor, source, "user.delete", username, delete())

    # --- one's own account --------------------------------------------------------

    async def change_own_password(
        self, principal: Principal, source: str, current: str, new: str
    ) -> None:
        """A user's new password, with their current one as proof: a wrong one is audited
        as a failed log-in and slows the address down as one. Ends their other sessions."""
        username = principal.username
        self._check_throttle(source)
        user, stored_hash = self._user(username)
        if not await self._hasher.verify(stored_hash, current):
            delay_s = self.throttle.failed(source)
            await self._audit.record(
                username, source, "password.change", username, outcome="failed",
                detail="wrong current password",
            )  # fmt: skip
            raise AccessDenied("the current password is wrong", delay_s)

        async def change() -> None:
            if new == current:
                raise AccessError("the new password is the current one")
            new_hash = await self._hasher.hash(check_password(new, username))
            await self._user_store.update(username, user.role, new_hash)
            self._users[username] = (self._users[username][0], new_hash)
            keep = principal.session.key if principal.session else ""
            await self.sessions.close_user(username, keep)

        await self._audited(principal, source, "password.change", username, change())

    async def set_language(self, principal: Principal, source: str, language: str) -> User:
        """The panel's language for the principal's own pages ("" for the box's)."""

        async def change() -> User:
            if not _LANGUAGE.match(language):
                raise AccessError(f"language must be a code such as en, ar or fa; got {language!r}")
            user, stored_hash = self._user(principal.username)
            await self._user_store.set_language(user.username, language)
            changed = replace(user, language=language)
            self._users[user.username] = (changed, stored_hash)
            return changed

        return await self._audited(principal, source, "user.language", principal.username, change())

    def _user(self, username: str) -> tuple[User, str]:
        try:
            return self._users[username]
        except KeyError:
            raise AccessError(f"no user {username}") from None

    def _keep_an_admin(self, username: str) -> None:
        admins = [u for u, _ in self._users.values() if u.role is Role.ADMIN]
        if [u.username for u in admins] == [username]:
            raise AccessError(f"{username} is the only admin: make another admin first")

    # --- API tokens ---------------------------------------------------------------

    def tokens(self) -> list[ApiToken]:
        """Every API token (never a secret), oldest first."""
        return sorted(self._tokens.values(), key=lambda t: t.created_at)

    async def add_token(
        self, actor: Principal, source: str, username: str, label: str
    ) -> tuple[ApiToken, str]:
        """Make an API token acting as `username`; returns it and its secret (shown once)."""

        async def add() -> tuple[ApiToken, str]:
            self._user(username)
            if not _LABEL.match(label):
                raise AccessError("label must be up to 64 letters, digits, spaces or .:@/_-")
            secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
            token = ApiToken(
                secrets.token_hex(8), username, label, datetime.fromtimestamp(self._clock(), UTC)
            )
            await self._token_store.add(token, _secret_hash(secret))
            self._tokens[_secret_hash(secret)] = token
            return token, secret

        return await self._audited(actor, source, "token.add", username, add())

    async def revoke_token(self, actor: Principal, source: str, token_id: str) -> None:
        """Revoke an API token: the next request with it is refused."""

        async def revoke() -> None:
            found = [h for h, t in self._tokens.items() if t.token_id == token_id]
            if not found:
                raise AccessError(f"no API token {token_id}")
            await self._token_store.delete(token_id)
            del self._tokens[found[0]]

        await self._audited(actor, source, "token.revoke", token_id, revoke())
