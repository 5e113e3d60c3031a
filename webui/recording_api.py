"""/api/recordings: the Recordings page's operations as JSON, each access audited alike."""

from pbx.api import PbxError
from webui.handler import ApiHandler, Refused
from webui.recording_pages import (
    delete_recording,
    found,
    recording_dict,
    recordings_of,
    send_recording,
)


class RecordingsApi(ApiHandler):
    """GET ?since=&until=&number=&agent=&queue=&page=&per_page=: a page of recordings."""

    async def get(self) -> None:
        self.finish(await found(self))


class RecordingApi(ApiHandler):
    """GET: one recording's details. DELETE: delete it (recordings.delete)."""

    async def get(self, recording_id: str) -> None:
        try:
            self.finish(recording_dict(await recordings_of(self).get(recording_id)))
        except PbxError as err:
            raise Refused(404, str(err)) from None

    async def delete(self, recording_id: str) -> None:
        await delete_recording(self, recording_id)
        self.set_status(204)
        self.finish()


class RecordingDownloadApi(ApiHandler):
    """GET: the recording's WAV file (audited as a download)."""

    async def get(self, recording_id: str) -> None:
        await send_recording(self, recording_id, "recording.download")
