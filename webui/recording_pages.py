"""The Recordings page: search, play, download and delete call recordings, each access audited.

A recording is named by its database id only; its file is whatever the
service finds in that row, checked to lie in the recordings directory.
"""

import urllib.parse
from datetime import datetime

from pbx.api import PbxError, RecordingSearch
from webui.audio_files import send_wav
from webui.handler import PanelHandler, Refused
from webui.query_moment import query_moment

RECORDING_PATH = r"/recordings/(?P<recording_id>[0-9a-f]{32})"
PER_PAGE = 25
FILTERS = ("since", "until", "number", "agent", "queue")


def recordings_of(handler: PanelHandler):
    """The box's recording service (404 on a box without one)."""
    if handler.api.recordings is None:
        raise Refused(404, "this box does not record calls")
    return handler.api.recordings


def _optional_moment(text: str, *, end: bool) -> datetime | None:
    return query_moment(text.strip(), end=end) if text.strip() else None


def search_of(handler: PanelHandler) -> tuple[RecordingSearch, int, int]:
    """The search the query asks for (?since=&until=&number=&agent=&queue=&page=&per_page=),
    with its page number and page size."""
    arg = handler.get_query_argument
    page, per_page = arg("page", "1"), arg("per_page", str(PER_PAGE))
    if not all(n.isdigit() and len(n) <= 6 for n in (page, per_page)) or int(page) < 1:
        raise Refused(400, "page and per_page are whole numbers, from 1")
    search = RecordingSearch(
        since=_optional_moment(arg("since", ""), end=False),
        until=_optional_moment(arg("until", ""), end=True),
        number=arg("number", "").strip(),
        agent=arg("agent", "").strip(),
        queue=arg("queue", "").strip(),
        offset=(int(page) - 1) * int(per_page),
        limit=int(per_page),
    )
    return search, int(page), int(per_page)


async def found(handler: PanelHandler) -> dict:
    """The page of recordings the query asks for, as JSON-ready values."""
    search, page, per_page = search_of(handler)
    try:
        total, entries = await recordings_of(handler).search(search)
    except PbxError as err:
        raise Refused(400, str(err)) from None
    return {
        "total": total,
        "page": page,
        "per_page": per_page,
        "recordings": [recording_dict(e) for e in entries],
    }


def recording_dict(entry) -> dict:
    """A recording as the page and the API show it (never its file's path)."""
    return {
        "id": entry.uid,
        "call_uid": entry.call_uid,
        "caller": entry.caller,
        "callee": entry.callee,
        "queue": entry.queue,
        "agent": entry.agent,
        "started_at": entry.started_at.isoformat(timespec="seconds"),
        "ended_at": entry.ended_at.isoformat(timespec="seconds") if entry.ended_at else None,
        "duration_s": round(entry.duration_ms / 1000, 1),
        "size_bytes": entry.size_bytes,
        "status": entry.status,
        "two_channel": bool(entry.two_channel_path),
        "audio": f"/recordings/{entry.uid}/audio",
        "download": f"/recordings/{entry.uid}/download",
    }


async def send_recording(handler: PanelHandler, recording_id: str, action: str) -> None:
    """Audit `action` (recording.play or recording.download), then send the file: the
    mono one, or with ?channels=2 the two-channel one (caller left, answering side right)."""
    service = recordings_of(handler)
    two = handler.get_query_argument("channels", "1") == "2"
    target = f"{recording_id} (2 channels)" if two else recording_id
    try:
        path = await handler.audited(action, target, service.audio_file(recording_id, two))
    except PbxError as err:
        raise Refused(404, str(err)) from None
    name = f"recording-{recording_id}{'-2ch' if two else ''}.wav"
    await send_wav(handler, path, name if action == "recording.download" else "")


async def delete_recording(handler: PanelHandler, recording_id: str) -> None:
    """Delete a recording (files and row), audited; 404 if it cannot be."""
    try:
        change = recordings_of(handler).delete(recording_id)
        await handler.audited("recording.delete", recording_id, change)
    except PbxError as err:
        raise Refused(404, str(err)) from None


class RecordingsPage(PanelHandler):
    """GET: the search form and a page of the recordings it finds, newest first."""

    async def get(self) -> None:
        result = await found(self)
        filters = {key: self.get_query_argument(key, "") for key in FILTERS}
        pages = -(-result["total"] // result["per_page"])

        def link(page: int) -> str:
            query = {k: v for k, v in filters.items() if v} | {"page": page}
            return "/recordings?" + urllib.parse.urlencode(query)

        self.render("recordings.html", **result, filters=filters, pages=pages, link=link)


class RecordingAudio(PanelHandler):
    """GET: the recording as WAV, for the page's player (audited as a play)."""

    async def get(self, recording_id: str) -> None:
        await send_recording(self, recording_id, "recording.play")


class RecordingDownload(PanelHandler):
    """GET: the recording as a WAV file to keep (audited as a download)."""

    async def get(self, recording_id: str) -> None:
        await send_recording(self, recording_id, "recording.download")


class RecordingDelete(PanelHandler):
    """POST: delete the recording, its files and its row."""

    async def post(self, recording_id: str) -> None:
        await delete_recording(self, recording_id)
        self.redirect("/recordings")
