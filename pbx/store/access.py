"""The panel's users, sessions, API tokens and audit log in the database."""

from datetime import UTC, datetime

import peewee

from pbx.access.records import AccessError, ApiToken, AuditEvent, Session, User
from pbx.access.roles import Role
from pbx.store.database import Database
from pbx.store.models import ApiTokenRecord, AuditRecord, SessionRecord, UserRecord

AUDIT_KEPT = 100_000  # newest events kept; a spray of failed log-ins cannot fill the disk
_AUDIT_TRIM_EVERY = 1000


class UserStore:
    """Panel users and their password hashes."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def all(self) -> list[tuple[User, str]]:
        """Every user with their password hash, by name."""
        query = UserRecord.select().order_by(UserRecord.username)
        return await self._db.run(lambda: [(_user(r), r.password_hash) for r in query])

    async def add(self, user: User, password_hash: str) -> None:
        """Create a user; AccessError if the name is taken."""

        def insert() -> None:
            try:
                UserRecord.create(
                    username=user.username,
                    role=str(user.role),
                    password_hash=password_hash,
                    created_at=user.created_at,
                    password_changed_at=user.created_at,
                    language=user.language,
                )
            except peewee.IntegrityError:
                raise AccessError(f"user {user.username} already exists") from None

        await self._db.submit(insert)

    async def update(self, username: str, role: Role, password_hash: str | None) -> None:
        """Set a user's role, and their password hash when given."""

        def write() -> None:
            row = _user_row(username)
            row.role = str(role)
            if password_hash is not None:
                row.password_hash = password_hash
                row.password_changed_at = datetime.now(UTC)
            row.save()

        await self._db.submit(write)

    async def set_language(self, username: str, language: str) -> None:
        """Set the panel's language for a user ("" for the box's)."""
        await self._db.submit(
            lambda: (
                UserRecord.update(language=language)
                .where(UserRecord.username == username)
                .execute()
            )
        )

    async def set_extension(self, username: str, extension: str) -> None:
        """Link a user to the agent (extension) they are; blank unlinks."""

        def write() -> None:
            row = _user_row(username)
            row.extension = extension
            row.save()

        await self._db.submit(write)

    async def delete(self, username: str) -> None:
        """Remove a user with their sessions and API tokens."""

        def remove() -> None:
            _user_row(username).delete_instance()
            SessionRecord.delete().where(SessionRecord.username == username).execute()
            ApiTokenRecord.delete().where(ApiTokenRecord.username == username).execute()

        await self._db.submit(remove)


def _user(row: UserRecord) -> User:
    return User(
        row.username, Role(row.role), row.created_at, language=row.language, extension=row.extension
    )


def _user_row(username: str) -> UserRecord:
    try:
        return UserRecord.get(UserRecord.username == username)
    except UserRecord.DoesNotExist:
        raise AccessError(f"no user {username}") from None


class SessionStore:
    """Signed-in sessions, so a restart of the daemon signs nobody out."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def all(self) -> list[Session]:
        """Every stored session."""
        fields = ("key", "username", "csrf_token", "created_s", "last_seen_s", "source")
        return await self._db.run(
            lambda: [Session(*(getattr(r, f) for f in fields)) for r in SessionRecord.select()]
        )

    async def add(self, session: Session) -> None:
        """Store a new session."""
        await self._db.submit(
            lambda: SessionRecord.create(
                key=session.key,
                username=session.username,
                csrf_token=session.csrf_token,
                created_s=session.created_s,
                last_seen_s=session.last_seen_s,
                source=session.source,
            )
        )

    async def touch(self, key: str, last_seen_s: float) -> None:
        """Record when a session was last used (for its idle timeout after a restart)."""
        await self._db.submit(
            lambda: (
                SessionRecord.update(last_seen_s=last_seen_s)
                .where(SessionRecord.key == key)
                .execute()
            )
        )

    async def delete(self, keys: list[str]) -> None:
        """Remove sessions (logged out, timed out, or their user's password changed)."""
        await self._db.submit(
            lambda: SessionRecord.delete().where(SessionRecord.key.in_(keys)).execute()
        )


class TokenStore:
    """API tokens, by the hash of their secret."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def all(self) -> list[tuple[ApiToken, str]]:
        """Every token with the hash of its secret."""
        query = ApiTokenRecord.select().order_by(ApiTokenRecord.created_at)
        return await self._db.run(
            lambda: [
                (
                    ApiToken(r.token_id, r.username, r.label, r.created_at, r.last_used_s),
                    r.secret_hash,
                )
                for r in query
            ]
        )

    async def add(self, token: ApiToken, secret_hash: str) -> None:
        """Store a new token."""
        await self._db.submit(
            lambda: ApiTokenRecord.create(
                token_id=token.token_id,
                secret_hash=secret_hash,
                username=token.username,
                label=token.label,
                created_at=token.created_at,
            )
        )

    async def touch(self, token_id: str, last_used_s: float) -> None:
        """Record when a token was last used."""
        await self._db.submit(
            lambda: (
                ApiTokenRecord.update(last_used_s=last_used_s)
                .where(ApiTokenRecord.token_id == token_id)
                .execute()
            )
        )

    async def delete(self, token_id: str) -> None:
        """Revoke a token."""
        await self._db.submit(
            lambda: ApiTokenRecord.delete().where(ApiTokenRecord.token_id == token_id).execute()
        )


class AuditStore:
    """The audit log: rows are appended, never changed, and only the oldest ever go."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._appended = 0

    async def append(self, event: AuditEvent) -> None:
        """Write one event (committed before this returns)."""
        self._appended += 1
        trim = self._appended % _AUDIT_TRIM_EVERY == 0

        def insert() -> None:
            row = AuditRecord.create(**vars(event))
            if trim:
                AuditRecord.delete().where(AuditRecord.id <= row.id - AUDIT_KEPT).execute()

        await self._db.submit(insert)

    async def recent(self, limit: int, action: str = "") -> list[AuditEvent]:
        """The newest `limit` events, newest first; only those of `action` if given."""
        query = AuditRecord.select().order_by(AuditRecord.id.desc()).limit(limit)
        if action:
            query = query.where(AuditRecord.action == action)
        fields = ("at", "actor", "source", "action", "target", "outcome", "detail")
        return await self._db.run(
            lambda: [AuditEvent(*(getattr(r, f) for f in fields)) for r in query]
        )
