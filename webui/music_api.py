"""/api/music: the Music on hold page's operations as JSON, for API tokens and scripts."""

from pbx.api import PbxError
from webui.handler import ApiHandler, Refused
from webui.media_upload import UploadHandler
from webui.music_pages import class_dict, music_library, send_track


class MusicApi(ApiHandler):
    """GET: every class and its files. POST {"name", "order"}: add a class or change it."""

    async def get(self) -> None:
        library = music_library(self)
        self.finish({"classes": [class_dict(library, m) for m in library.classes()]})

    async def post(self) -> None:
        body = self.json_body()
        name, order = body.get("name", ""), body.get("order", "ordered")
        try:
            music = await self.audited(
                "moh.class.set", str(name), music_library(self).set_class(name, order)
            )
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.finish(class_dict(music_library(self), music))


class MusicClassApi(ApiHandler):
    """GET one class; DELETE it and its uploaded files."""

    async def get(self, class_name: str) -> None:
        library = music_library(self)
        try:
            self.finish(class_dict(library, library.get(class_name)))
        except PbxError as err:
            raise Refused(404, str(err)) from None

    async def delete(self, class_name: str) -> None:
        change = music_library(self).delete_class(class_name)
        try:
            await self.audited("moh.class.delete", class_name, change)
        except PbxError as err:
            raise Refused(404, str(err)) from None
        self.set_status(204)
        self.finish()


class MusicUploadApi(UploadHandler):
    """POST a file (the body, or a form's `file`; `?title=`): 201 with the class."""

    api_style = True

    async def post(self, class_name: str) -> None:
        fields, data = await self.upload()
        title = fields.get("title", "") or "untitled"
        try:
            change = music_library(self).upload(class_name, title, data)
            music, file = await self.audited("moh.upload", f"{class_name}: {title}", change)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.set_status(201)
        self.finish({**class_dict(music_library(self), music), "file": file})


class TrackApi(ApiHandler):
    """GET: the file as WAV. DELETE: take an uploaded file out of its class."""

    async def get(self, class_name: str, file_id: str) -> None:
        await send_track(self, class_name, file_id)

    async def delete(self, class_name: str, file_id: str) -> None:
        change = music_library(self).remove_file(class_name, file_id)
        try:
            await self.audited("moh.remove", f"{class_name}/{file_id}", change)
        except PbxError as err:
            raise Refused(404, str(err)) from None
        self.set_status(204)
        self.finish()
