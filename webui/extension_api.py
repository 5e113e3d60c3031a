"""/api/extensions: the Extensions page's operations as JSON, for API tokens and scripts."""

from typing import ClassVar

from pbx.api import CALL_PERMISSIONS, RECORDING_SETTINGS, ExtensionError, PbxError
from webui.api_schema import REF, listing
from webui.extension_form import CHANGEABLE, by_number, extension_dict, settings
from webui.handler import ApiHandler, Refused

_ADD_FIELDS = ("number", "secret", *CHANGEABLE)
_CHANGE_FIELDS = ("secret", "new_secret", *CHANGEABLE)
_SETTINGS = {
    "name": {"type": "string", "description": "who or where the phone is"},
    "caller_id_name": {"type": "string"},
    "caller_id_number": {"type": "string"},
    "permission": {"enum": list(CALL_PERMISSIONS), "description": "where it may call"},
    "max_calls": {"type": ["integer", "string"], "description": "calls at once"},
    "recording": {"enum": list(RECORDING_SETTINGS), "description": '"": the box\'s policy'},
}
# The OpenAPI document's schemas for the extensions API (see ApiHandler).
SCHEMAS: dict[str, dict] = {
    "Extension": {
        "type": "object",
        "properties": {
            "number": {"type": "string", "pattern": "^[1-9][0-9]{1,7}$"},
            **_SETTINGS,
            "max_calls": {"type": "integer"},
            "registered": {"type": "boolean"},
            "registrations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "contact": {"type": "string"},
                        "user_agent": {"type": "string"},
                        "expires": {"type": "number"},
                    },
                },
            },
            "secret": {
                "type": ["string", "null"],
                "description": "after adding or a new secret only: the SIP secret, this once",
            },
        },
        "required": ["number", "name", "permission", "registered"],
    },
    "NewExtension": {
        "type": "object",
        "properties": {
            "number": {"type": "string", "pattern": "^[1-9][0-9]{1,7}$"},
            "secret": {"type": "string", "description": "blank or absent: a random one is made"},
            **_SETTINGS,
        },
        "required": ["number", "name"],
        "additionalProperties": False,
    },
    "ExtensionChange": {
        "type": "object",
        "properties": {
            "secret": {"type": "string", "description": "a SIP secret of your choosing"},
            "new_secret": {"type": "boolean", "description": "true: the box makes a new one"},
            **_SETTINGS,
        },
        "additionalProperties": False,
    },
}


class ExtensionsApi(ApiHandler):
    """GET: every extension with its registrations. POST: add one (201, its secret once)."""

    api_schemas: ClassVar[dict[str, dict]] = SCHEMAS
    request_schema: ClassVar[dict[str, dict]] = {"POST": {"$ref": REF + "NewExtension"}}
    response_schema: ClassVar[dict[str, dict]] = {
        "GET": listing("extensions", "Extension"),
        "POST": {"$ref": REF + "Extension"},
    }

    async def get(self) -> None:
        """Every extension, with the phones registered for it now."""
        registered = by_number(await self.api.registrations())
        extensions = await self.api.extensions.list()
        self.finish(
            {"extensions": [extension_dict(e, registered.get(e.number, [])) for e in extensions]}
        )

    async def post(self) -> None:
        """Add an extension (201); its SIP secret is in the answer, this once."""
        try:
            values = settings(self.json_body(), _ADD_FIELDS)
            number, name = values.pop("number", ""), values.pop("name", "")
            added = self.api.extensions.add(number, name, **values)
            extension, secret = await self.audited("extension.add", number, added)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.set_status(201)
        self.finish({**extension_dict(extension, []), "secret": secret})


class ExtensionApi(ApiHandler):
    """GET one extension; PUT changes it (only the settings given); DELETE removes it."""

    request_schema: ClassVar[dict[str, dict]] = {"PUT": {"$ref": REF + "ExtensionChange"}}
    response_schema: ClassVar[dict[str, dict]] = {
        "GET": {"$ref": REF + "Extension"},
        "PUT": {"$ref": REF + "Extension"},
        "DELETE": {"description": "nothing: 204"},
    }

    async def get(self, number: str) -> None:
        """One extension, with the phones registered for it now."""
        extension = await self._extension(number)
        registered = by_number(await self.api.registrations())
        self.finish(extension_dict(extension, registered.get(number, [])))

    async def put(self, number: str) -> None:
        """Change the settings given (the others stay); new_secret: true makes a new secret."""
        await self._extension(number)
        try:
            changes = settings(self.json_body(), _CHANGE_FIELDS)
            wants_secret = changes.pop("new_secret", False)
            change = self.api.extensions.update(number, new_secret_wanted=wants_secret, **changes)
            extension, secret = await self.audited("extension.change", number, change)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.finish({**extension_dict(extension, []), "secret": secret})

    async def delete(self, number: str) -> None:
        """Remove the extension (204): its phone can no longer register or call."""
        await self._extension(number)
        await self.audited("extension.delete", number, self.api.extensions.delete(number))
        self.set_status(204)
        self.finish()

    async def _extension(self, number: str):
        try:
            return await self.api.extensions.get(number)
        except ExtensionError as err:
            raise Refused(404, str(err)) from None
