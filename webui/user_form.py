"""Panel users and API tokens as the Users page and the API show and take them."""

from datetime import UTC, datetime

from pbx.api import ApiToken, User
from webui.handler import PanelHandler


def user_dict(user: User) -> dict:
    """A user as JSON: never their password or its hash."""
    return {
        "username": user.username,
        "role": str(user.role),
        "language": user.language,
        "extension": user.extension,
        "created": user.created_at.isoformat(),
    }


def token_dict(token: ApiToken) -> dict:
    """An API token as JSON: never its secret or the secret's hash."""
    last_used = token.last_used_s and datetime.fromtimestamp(token.last_used_s, UTC).isoformat()
    return {
        "id": token.token_id,
        "user": token.username,
        "label": token.label,
        "created": token.created_at.isoformat(),
        "last_used": last_used or None,
    }


async def link_agent(handler: PanelHandler, username: str, extension: str) -> User:
    """Link `username` to the agent `extension` (blank: unlink); it must exist (PbxError)."""
    if extension:
        await handler.api.extensions.get(extension)
    access = handler.web.access
    return await access.link_extension(handler.principal, handler.source, username, extension)
