"""The Music on hold page: classes and their files, uploads (converted), playing, removing."""

from pbx.api import AUDIO_FORMATS, MAX_UPLOAD_BYTES, PbxError
from webui.audio_files import send_wav
from webui.handler import PanelHandler, Refused
from webui.media_upload import UploadHandler

_CLASS = r"(?P<class_name>[a-z][a-z0-9-]{0,31})"  # a class's name, as the catalog allows
_FILE = r"(?P<file_id>[A-Za-z0-9_.-]{1,80})"  # a file's id, looked up in its class's list
MUSIC_PATH = f"/music/{_CLASS}"
TRACK_PATH = f"{MUSIC_PATH}/files/{_FILE}"
ORDERS = ("ordered", "shuffled")


def music_library(handler: PanelHandler):
    """The box's music-on-hold library (404 on a box without one)."""
    if handler.api.music is None:
        raise Refused(404, "this box has no music on hold")
    return handler.api.music


def class_dict(library, music) -> dict:
    """A class as the API and the page show it: its order and files, each with its URL."""
    return {
        "name": music.name,
        "order": music.order,
        "files": [
            {
                "id": file,
                "title": title,
                "uploaded": uploaded,
                "audio": f"/music/{music.name}/files/{file}",
            }
            for file, title, uploaded in library.tracks(music.name)
        ],
    }


async def show_music(
    handler: PanelHandler, *, error: str = "", status: int = 0, added: str = ""
) -> None:
    """The page: every class, with the error (or the file just added)."""
    library = music_library(handler)
    classes = [class_dict(library, m) for m in library.classes()]
    handler.set_status(status or (400 if error else 200))
    handler.render(
        "music.html",
        classes=classes,
        error=error,
        added=added if any(added == f["id"] for c in classes for f in c["files"]) else "",
        orders=ORDERS,
        formats=AUDIO_FORMATS,
        max_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
    )


class MusicPage(PanelHandler):
    """GET: every class with its files. POST: add a class, or change one's order."""

    async def get(self) -> None:
        await show_music(self, added=self.get_query_argument("added", ""))

    async def post(self) -> None:
        name = self.get_body_argument("name", "").strip()
        order = self.get_body_argument("order", "ordered")
        try:
            change = music_library(self).set_class(name, order)
            await self.audited("moh.class.set", name, change)
        except PbxError as err:
            await show_music(self, error=str(err))
            return
        self.redirect("/music")


class MusicUpload(UploadHandler):
    """POST a file (form field `file`, optional `title`): converted and added to the class."""

    async def post(self, class_name: str) -> None:
        try:
            fields, data = await self.upload()
        except Refused as refused:
            if refused.status_code == 403:
                raise
            await show_music(self, error=refused.message, status=refused.status_code)
            return
        title = fields.get("title", "") or "untitled"
        try:
            change = music_library(self).upload(class_name, title, data)
            _, file = await self.audited("moh.upload", f"{class_name}: {title}", change)
        except PbxError as err:
            await show_music(self, error=str(err))
            return
        self.redirect(f"/music?added={file}")  # a reload shows the page, uploads nothing


class MusicClassDelete(PanelHandler):
    """POST: remove a class and its uploaded files."""

    async def post(self, class_name: str) -> None:
        try:
            change = music_library(self).delete_class(class_name)
            await self.audited("moh.class.delete", class_name, change)
        except PbxError as err:
            await show_music(self, error=str(err))
            return
        self.redirect("/music")


class TrackDelete(PanelHandler):
    """POST: take an uploaded file out of its class (and off the disk)."""

    async def post(self, class_name: str, file_id: str) -> None:
        try:
            change = music_library(self).remove_file(class_name, file_id)
            await self.audited("moh.remove", f"{class_name}/{file_id}", change)
        except PbxError as err:
            await show_music(self, error=str(err))
            return
        self.redirect("/music")


class TrackAudio(PanelHandler):
    """GET: one file of a class, as WAV, for the page's player."""

    async def get(self, class_name: str, file_id: str) -> None:
        await send_track(self, class_name, file_id)


async def send_track(handler: PanelHandler, class_name: str, file_id: str) -> None:
    """Send a class's file, found in the class's own list (404 if it is not there)."""
    try:
        path = music_library(handler).track_path(class_name, file_id)
    except PbxError as err:
        raise Refused(404, str(err)) from None
    await send_wav(handler, path)
