"""One's own account (every signed-in user): the panel's language and one's password."""

import dataclasses
from typing import ClassVar

from pbx.api import AccessDenied, PbxError, Permission, role_allows
from webui.handler import ApiHandler, PanelHandler, Refused
from webui.translations import LANGUAGE_NAMES, LANGUAGES

_WHO_MAY_COME = (Permission.PUBLIC, Permission.SIGNED_IN)  # not held by a role


class _AccountView(PanelHandler):
    """Renders the account page; each action below answers with it."""

    def show(self, *, error: str = "", done: str = "", status: int = 0) -> None:
        """The page, with the error or what was just done."""
        self.set_status(status or (400 if error else 200))
        self.render(
            "account.html",
            error=error,
            done=done,
            languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            own_language=self.principal.language,
            box_language=LANGUAGE_NAMES[self.context.language],
        )


class AccountPage(_AccountView):
    """GET: the language and password forms."""

    def get(self) -> None:
        self.show()


class AccountLanguage(_AccountView):
    """POST: the panel's language for one's own pages ("" for the box's)."""

    async def post(self) -> None:
        language = self.get_body_argument("language", "")
        if language and language not in LANGUAGES:
            self.show(error=self.translate("The panel has no such language."))
            return
        try:
            await self.web.access.set_language(self.principal, self.source, language)
        except PbxError as err:
            self.show(error=str(err))
            return
        self.redirect("/account")


class AccountPassword(_AccountView):
    """POST: a new password, given the current one; one's other sessions end."""

    async def post(self) -> None:
        new = self.get_body_argument("new_password", "")
        if new != self.get_body_argument("confirm", ""):
            self.show(error=self.translate("The passwords differ."))
            return
        current = self.get_body_argument("current_password", "")
        try:
            await self.web.access.change_own_password(self.principal, self.source, current, new)
        except AccessDenied as err:
            if err.retry_after_s:
                self.set_header("Retry-After", str(max(1, round(err.retry_after_s))))
            self.show(error=str(err), status=429 if err.retry_after_s else 400)
            return
        except PbxError as err:
            self.show(error=str(err))
            return
        self.show(done=self.translate("Your password is changed; your other sessions have ended."))


def _account(handler: PanelHandler) -> dict:
    principal = handler.principal
    return {
        "username": principal.username,
        "role": str(principal.role),
        "language": principal.language,
        "box_language": handler.context.language,
        "languages": list(LANGUAGES),
        "permissions": sorted(
            str(p) for p in Permission if p not in _WHO_MAY_COME and role_allows(principal.role, p)
        ),
    }


class AccountApi(ApiHandler):
    """GET: who you are, your language and what your role may do. PUT: {"language": "ar"}."""

    api_schemas: ClassVar[dict[str, dict]] = {
        "Account": {
            "type": "object",
            "properties": {
                "username": {"type": "string"},
                "role": {"type": "string", "enum": ["admin", "supervisor", "agent", "technician"]},
                "language": {"type": "string", "description": '"": the box\'s language'},
                "box_language": {"type": "string"},
                "languages": {"type": "array", "items": {"type": "string"}},
                "permissions": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["username", "role", "language", "permissions"],
        }
    }
    response_schema: ClassVar[dict[str, dict]] = {
        "GET": {"$ref": "#/components/schemas/Account"},
        "PUT": {"$ref": "#/components/schemas/Account"},
    }
    request_schema: ClassVar[dict[str, dict]] = {
        "PUT": {
            "type": "object",
            "properties": {"language": {"type": "string", "enum": ["", *LANGUAGES]}},
            "required": ["language"],
            "additionalProperties": False,
        }
    }

    def get(self) -> None:
        self.finish(_account(self))

    async def put(self) -> None:
        body = self.json_body()
        language = body.get("language")
        if set(body) != {"language"} or (language and language not in LANGUAGES):
            raise Refused(400, f'send {{"language": one of {", ".join(LANGUAGES)} or ""}}')
        try:
            await self.web.access.set_language(self.principal, self.source, language or "")
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.principal = dataclasses.replace(self.principal, language=language or "")
        self.finish(_account(self))


class AccountPasswordApi(ApiHandler):
    """POST: {"current_password", "new_password"}: your new password (204); your other
    sessions end."""

    request_schema: ClassVar[dict[str, dict]] = {
        "POST": {
            "type": "object",
            "properties": {
                "current_password": {"type": "string"},
                "new_password": {"type": "string", "minLength": 12},
            },
            "required": ["current_password", "new_password"],
        }
    }

    async def post(self) -> None:
        body = self.json_body()
        current, new = body.get("current_password"), body.get("new_password")
        if not isinstance(current, str) or not isinstance(new, str):
            raise Refused(400, "send current_password and new_password")
        try:
            await self.web.access.change_own_password(self.principal, self.source, current, new)
        except AccessDenied as err:
            raise Refused(429 if err.retry_after_s else 400, str(err), err.retry_after_s) from None
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.set_status(204)
        self.finish()
