"""Signed-in sessions: random ids, kept server-side, with idle and absolute timeouts."""

import hashlib
import secrets
from collections.abc import Callable

from pbx.access.records import Session
from pbx.store.access import SessionStore

# How far a session's last use may run ahead of the stored one before it is written
# again: a restart then forgets at most this much of the idle time.
_TOUCH_WRITE_S = 30.0


def session_key(session_id: str) -> str:
    """What is stored of a session id: its SHA-256, hex."""
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    """The live sessions, in memory and written through to the database.

    A session ends at log-out, after `idle_timeout_s` without a request, or
    `absolute_timeout_s` after it began, however busy; a password change or
    removal of its user ends all of that user's sessions.
    """

    def __init__(
        self,
        store: SessionStore,
        clock: Callable[[], float],
        *,
        idle_timeout_s: float,
        absolute_timeout_s: float,
    ) -> None:
        self._store = store
        self._clock = clock
        self._idle_timeout_s = idle_timeout_s
        self._absolute_timeout_s = absolute_timeout_s
        self._by_key: dict[str, Session] = {}
        self._stored_seen: dict[str, float] = {}

    async def load(self) -> None:
        """Take up the sessions a previous run left, dropping those that have expired."""
        stored = await self._store.all()
        self._by_key = {s.key: s for s in stored}
        self._stored_seen = {s.key: s.last_seen_s for s in stored}
        await self.sweep()

    async def open(self, username: str, source: str) -> tuple[str, Session]:
        """A new session for `username`; returns its id (for the cookie only) and the session."""
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        session = Session(
            session_key(session_id), username, secrets.token_urlsafe(32), now, now, source
        )
        await self._store.add(session)
        self._by_key[session.key] = session
        self._stored_seen[session.key] = now
        return session_id, session

    async def find(self, session_id: str) -> Session | None:
        """The live session with this id, marked as used now; None if none or expired."""
        key = session_key(session_id)
        session = self._by_key.get(key)
        if session is None:
            return None
        now = self._clock()
        if self._expired(session, now):
            await self.close([key])
            return None
        session.last_seen_s = now
        if now - self._stored_seen.get(key, 0.0) >= _TOUCH_WRITE_S:
            self._stored_seen[key] = now
            await self._store.touch(key, now)
        return session

    def _expired(self, session: Session, now: float) -> bool:
        return (
            now - session.last_seen_s > self._idle_timeout_s
            or now - session.created_s > self._absolute_timeout_s
        )

    async def close(self, keys: list[str]) -> None:
        """End these sessions."""
        for key in keys:
            self._by_key.pop(key, None)
            self._stored_seen.pop(key, None)
        if keys:
            await self._store.delete(keys)

    async def close_user(self, username: str, keep: str = "") -> None:
        """End every session of `username` but the one whose key is `keep`."""
        await self.close(
            [k for k, s in self._by_key.items() if s.username == username and k != keep]
        )

    async def sweep(self) -> None:
        """Drop every expired session."""
        now = self._clock()
        await self.close([k for k, s in self._by_key.items() if self._expired(s, now)])
