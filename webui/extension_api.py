"""/api/extensions: the Extensions page's operations as JSON, for API tokens and scripts."""

from pbx.api import ExtensionError, PbxError
from webui.extension_form import CHANGEABLE, by_number, extension_dict, settings
from webui.handler import ApiHandler, Refused

_ADD_FIELDS = ("number", "secret", *CHANGEABLE)
_CHANGE_FIELDS = ("secret", "new_secret", *CHANGEABLE)


class ExtensionsApi(ApiHandler):
    """GET: every extension with its registrations. POST: add one (201, its secret once)."""

    async def get(self) -> None:
        registered = by_number(await self.api.registrations())
        extensions = await self.api.extensions.list()
        self.finish(
            {"extensions": [extension_dict(e, registered.get(e.number, [])) for e in extensions]}
        )

    async def post(self) -> None:
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

    async def get(self, number: str) -> None:
        extension = await self._extension(number)
        registered = by_number(await self.api.registrations())
        self.finish(extension_dict(extension, registered.get(number, [])))

    async def put(self, number: str) -> None:
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
        await self._extension(number)
        await self.audited("extension.delete", number, self.api.extensions.delete(number))
        self.set_status(204)
        self.finish()

    async def _extension(self, number: str):
        try:
            return await self.api.extensions.get(number)
        except ExtensionError as err:
            raise Refused(404, str(err)) from None
