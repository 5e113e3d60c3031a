"""The Extensions page: list, add (the new secret shown once), change, delete."""

from pbx.api import CALL_PERMISSIONS, RECORDING_SETTINGS, Extension, ExtensionError, PbxError
from webui.extension_form import CHANGEABLE, by_number, settings
from webui.handler import PanelHandler, Refused

_ADD_FIELDS = ("number", "secret", *CHANGEABLE)
_NUMBER = r"(?P<number>[0-9]{2,8})"  # the URL part naming an extension


class ExtensionsPage(PanelHandler):
    """GET: every extension and whether its phone is registered. POST: add one."""

    async def get(self) -> None:
        await self.show()

    async def show(
        self,
        *,
        error: str = "",
        form: dict | None = None,
        created: tuple[Extension, str | None] | None = None,
    ) -> None:
        """The list, with the add form (and the error, or the extension just made)."""
        registered = by_number(await self.api.registrations())
        rows = [(e, registered.get(e.number, [])) for e in await self.api.extensions.list()]
        self.set_status(400 if error else 200)
        self.render(
            "extensions.html",
            rows=rows,
            error=error,
            form=form or {},
            created=created,
            call_permissions=CALL_PERMISSIONS,
            recording_settings=RECORDING_SETTINGS,
        )

    async def post(self) -> None:
        form = {key: self.get_body_argument(key, "") for key in _ADD_FIELDS}
        try:
            values = settings(form, _ADD_FIELDS)
            number, name = values.pop("number", ""), values.pop("name", "")
            added = self.api.extensions.add(number, name, **values)
            created = await self.audited("extension.add", number, added)
        except PbxError as err:
            await self.show(error=str(err), form={**form, "secret": ""})
            return
        await self.show(created=created)


class ExtensionPage(PanelHandler):
    """GET: one extension's settings. POST: change them, or make a new secret."""

    async def get(self, number: str) -> None:
        await self.show(number)

    async def show(self, number: str, *, error: str = "", new_secret: str | None = None) -> None:
        """The extension's form, with the error or the secret just made."""
        try:
            extension = await self.api.extensions.get(number)
        except ExtensionError as err:
            raise Refused(404, str(err)) from None
        self.set_status(400 if error else 200)
        self.render(
            "extension.html",
            extension=extension,
            error=error,
            new_secret=new_secret,
            call_permissions=CALL_PERMISSIONS,
            recording_settings=RECORDING_SETTINGS,
        )

    async def post(self, number: str) -> None:
        form = {key: self.get_body_argument(key, "") for key in CHANGEABLE}
        wants_secret = self.get_body_argument("new_secret", "") == "on"
        try:
            changes = settings(form, CHANGEABLE)
            change = self.api.extensions.update(number, new_secret_wanted=wants_secret, **changes)
            _, secret = await self.audited("extension.change", number, change)
        except PbxError as err:
            await self.show(number, error=str(err))
            return
        await self.show(number, new_secret=secret)


class ExtensionDelete(PanelHandler):
    """POST: remove an extension; its phone can no longer register or call."""

    async def post(self, number: str) -> None:
        try:
            await self.audited("extension.delete", number, self.api.extensions.delete(number))
        except PbxError as err:
            raise Refused(404, str(err)) from None
        self.redirect("/extensions")


EXTENSION_PATH = f"/extensions/{_NUMBER}"
