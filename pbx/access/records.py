"""What the panel's access control keeps: users, sessions, API tokens and audit events."""

from dataclasses import dataclass
from datetime import datetime

from pbx import PbxError
from pbx.access.roles import Role


class AccessError(PbxError):
    """A request about users, sessions or tokens cannot be carried out; the text says why."""


class AccessDenied(AccessError):
    """A log-in, setup token or API token was refused.

    The text never says which part was wrong. `retry_after_s` is how long the
    source address must now wait (0: it may try again at once).
    """

    def __init__(self, message: str, retry_after_s: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class User:
    """A panel user as the panels see them (never the password hash)."""

    username: str
    role: Role
    created_at: datetime
    language: str = ""  # the panel's language for them; "" for the box's (web.language)
    extension: str = ""  # the agent (extension) this user is, for their own queue log-in


@dataclass
class Session:
    """A signed-in browser. `key` is the SHA-256 of the session id: the id itself lives
    only in the browser's cookie, so a copy of the database opens no session."""

    key: str
    username: str
    csrf_token: str  # required with every state-changing request of this session
    created_s: float  # epoch seconds, by the access control's clock
    last_seen_s: float
    source: str  # the address that signed in


@dataclass(frozen=True)
class ApiToken:
    """An API token (never its secret, which is shown once when it is made)."""

    token_id: str  # public handle, for listing and revoking
    username: str  # the token acts as this user, with their role
    label: str
    created_at: datetime
    last_used_s: float = 0.0  # epoch seconds; 0: never used


@dataclass(frozen=True)
class Principal:
    """Who is making a request: a signed-in user, through a session or an API token."""

    username: str
    role: Role
    session: Session | None = None  # None: an API token
    token_id: str = ""
    language: str = ""  # their own choice of the panel's language; "" for the box's


@dataclass(frozen=True)
class AuditEvent:
    """One line of the audit log."""

    at: datetime
    actor: str  # a user name, or "-" when nobody is signed in
    source: str  # the address the request came from
    action: str  # e.g. "login", "extension.add"
    target: str  # what it was done to: a user, an extension number ...
    outcome: str  # "ok", "failed" (wrong credentials), "refused" (not allowed, or invalid)
    detail: str = ""
