"""/api/users, /api/tokens: the Users page's operations as JSON, for API tokens and scripts."""

from typing import ClassVar

from pbx.api import PbxError, Role, User
from webui.api_schema import REF, listing
from webui.handler import ApiHandler, Refused
from webui.user_form import link_agent, token_dict, user_dict

_USERNAME = {"type": "string", "pattern": "^[a-z][a-z0-9._-]{2,31}$"}
_ROLE = {"enum": [str(role) for role in Role]}
_PASSWORD = {"type": "string", "minLength": 12}
_EXTENSION = {"type": "string", "pattern": "^([0-9]{2,8})?$", "description": '"": none'}
_TOKEN_ID = {"type": "string", "pattern": "^[0-9a-f]{16}$"}
_WHEN = {"type": "string", "format": "date-time"}
# The OpenAPI document's schemas for the users and tokens API (see ApiHandler).
SCHEMAS: dict[str, dict] = {
    "User": {
        "type": "object",
        "properties": {
            "username": _USERNAME,
            "role": _ROLE,
            "language": {"type": "string", "description": '"": the box\'s'},
            "extension": {**_EXTENSION, "description": 'the agent they are; "": none'},
            "created": _WHEN,
        },
        "required": ["username", "role", "language", "extension", "created"],
    },
    "NewUser": {
        "type": "object",
        "properties": {"username": _USERNAME, "role": _ROLE, "password": _PASSWORD},
        "required": ["username", "role", "password"],
        "additionalProperties": False,
    },
    "UserChange": {
        "type": "object",
        "properties": {
            "role": _ROLE,
            "password": {**_PASSWORD, "description": "ends the user's sessions"},
            "extension": {**_EXTENSION, "description": 'the agent they are; "": unlink'},
        },
        "additionalProperties": False,
    },
    "ApiToken": {
        "type": "object",
        "properties": {
            "id": _TOKEN_ID,
            "user": _USERNAME,
            "label": {"type": "string"},
            "created": _WHEN,
            "last_used": {"type": ["string", "null"], "format": "date-time"},
            "secret": {"type": "string", "description": "after making it only: shown this once"},
        },
        "required": ["id", "user", "label", "created", "last_used"],
    },
    "NewApiToken": {
        "type": "object",
        "properties": {"username": _USERNAME, "label": {"type": "string", "maxLength": 64}},
        "required": ["username"],
        "additionalProperties": False,
    },
}


def _fields(body: dict, allowed: tuple[str, ...]) -> dict[str, str]:
    """The body's fields, each a string and each one of `allowed` (400 otherwise)."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise Refused(400, f"unknown field(s): {', '.join(unknown)}; use {', '.join(allowed)}")
    for name, value in body.items():
        if not isinstance(value, str):
            raise Refused(400, f"{name} must be a string")
    return body


class UsersApi(ApiHandler):
    """GET: every panel user (never a password hash). POST: add a user (201)."""

    api_schemas: ClassVar[dict[str, dict]] = SCHEMAS
    request_schema: ClassVar[dict[str, dict]] = {"POST": {"$ref": REF + "NewUser"}}
    response_schema: ClassVar[dict[str, dict]] = {
        "GET": listing("users", "User"),
        "POST": {"$ref": REF + "User"},
    }

    def get(self) -> None:
        """Every panel user, by name."""
        self.finish({"users": [user_dict(u) for u in self.web.access.users()]})

    async def post(self) -> None:
        """Add a user with a role and a password (12 characters or more); 201."""
        body = _fields(self.json_body(), ("username", "role", "password"))
        username, role = body.get("username", "").strip(), body.get("role", "")
        access = self.web.access
        try:
            user = await access.add_user(
                self.principal, self.source, username, role, body.get("password", "")
            )
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.set_status(201)
        self.finish(user_dict(user))


class UserApi(ApiHandler):
    """GET one user; PUT changes their role, password or agent extension; DELETE removes them."""

    request_schema: ClassVar[dict[str, dict]] = {"PUT": {"$ref": REF + "UserChange"}}
    response_schema: ClassVar[dict[str, dict]] = {
        "GET": {"$ref": REF + "User"},
        "PUT": {"$ref": REF + "User"},
        "DELETE": {"description": "nothing: 204"},
    }

    def get(self, username: str) -> None:
        """One panel user."""
        self.finish(user_dict(self._user(username)))

    async def put(self, username: str) -> None:
        """Change what is given: role, password (ends their sessions), extension ("": unlink).

        The only admin cannot be made something else: make another admin first.
        """
        self._user(username)
        body = _fields(self.json_body(), ("role", "password", "extension"))
        if not body:
            raise Refused(400, "send role, password and/or extension")
        access, extension = self.web.access, body.get("extension", "").strip()
        try:
            if extension:  # before any change: a wrong one changes nothing
                await self.api.extensions.get(extension)
            if body.get("role") or body.get("password"):
                await access.change_user(
                    self.principal, self.source, username,
                    role=body.get("role", ""), password=body.get("password", ""),
                )  # fmt: skip
            if "extension" in body:
                await link_agent(self, username, extension)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.finish(user_dict(self._user(username)))

    async def delete(self, username: str) -> None:
        """Remove the user, their sessions and API tokens (204); never yourself or the only
        admin."""
        self._user(username)
        try:
            await self.web.access.delete_user(self.principal, self.source, username)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.set_status(204)
        self.finish()

    def _user(self, username: str) -> User:
        for user in self.web.access.users():
            if user.username == username:
                return user
        raise Refused(404, f"no user {username}")


class TokensApi(ApiHandler):
    """GET: every API token (never a secret). POST: make one for a user (201, its secret once)."""

    request_schema: ClassVar[dict[str, dict]] = {"POST": {"$ref": REF + "NewApiToken"}}
    response_schema: ClassVar[dict[str, dict]] = {
        "GET": listing("tokens", "ApiToken"),
        "POST": {"$ref": REF + "ApiToken"},
    }

    def get(self) -> None:
        """Every API token, oldest first: never its secret or the secret's hash."""
        self.finish({"tokens": [token_dict(t) for t in self.web.access.tokens()]})

    async def post(self) -> None:
        """Make a token acting as `username`, with their role (201); its secret is in this
        answer only, never again."""
        body = _fields(self.json_body(), ("username", "label"))
        username, label = body.get("username", ""), body.get("label", "").strip()
        access = self.web.access
        try:
            token, secret = await access.add_token(self.principal, self.source, username, label)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.set_status(201)
        self.finish({**token_dict(token), "secret": secret})


class TokenApi(ApiHandler):
    """DELETE: revoke an API token (204): the next request with it is refused."""

    response_schema: ClassVar[dict[str, dict]] = {"DELETE": {"description": "nothing: 204"}}

    async def delete(self, token_id: str) -> None:
        """Revoke an API token (204): the next request with it is refused."""
        try:
            await self.web.access.revoke_token(self.principal, self.source, token_id)
        except PbxError as err:
            raise Refused(404, str(err)) from None
        self.set_status(204)
        self.finish()
