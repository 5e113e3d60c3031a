"""Large uploads for the System page: a backup to restore, a firmware bundle. Streamed to disk.

Each is the request's raw body (the page's system.js sends the file as it is),
written to a file the service makes as it arrives, up to the service's limit for
its kind, far above the panel's 1 MiB for other requests. The CSRF token comes
as the X-CSRF-Token header: a streamed body has no form fields to carry it.
"""

import tornado.web

from pbx.api import PbxError
from webui.handler import ApiHandler, Refused

PASSPHRASE_HEADER = "X-Backup-Passphrase"


@tornado.web.stream_request_body
class _UploadApi(ApiHandler):
    kind = ""

    async def prepare(self) -> None:
        self.upload = None
        self.problem = ""
        await super().prepare()  # who is asking, CSRF, permission: before a byte is kept
        limit = self.api.system.max_upload_bytes[self.kind]
        length = self.request.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > limit:
            raise Refused(413, f"the file is larger than {limit >> 20} MiB")
        self.request.connection.set_max_body_size(limit)
        self.upload = self.api.system.upload(self.kind)

    def data_received(self, chunk: bytes) -> None:
        if self.upload is None or self.problem:
            return  # refused already: the rest of the body is dropped
        try:
            self.upload.write(chunk)
        except PbxError as err:
            self.problem = str(err)
            self.upload.discard()

    def on_connection_close(self) -> None:
        if self.upload is not None:
            self.upload.discard()

    def received(self):
        """The upload, whole; 413 if it was too large, 400 if nothing came."""
        if self.problem:
            raise Refused(413, self.problem)
        if self.upload.size == 0:
            self.upload.discard()
            raise Refused(400, "no file was sent")
        return self.upload


class RestoreApi(_UploadApi):
    """POST the archive as the body, its passphrase as X-Backup-Passphrase: 202, then restart."""

    kind = "restore"

    async def post(self) -> None:
        upload = self.received()
        passphrase = self.request.headers.get(PASSPHRASE_HEADER, "")
        try:
            restore = self.api.system.restore(upload, passphrase)
            summary = await self.audited("system.restore", "", restore)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        finally:
            upload.discard()
        self.set_status(202)
        self.finish({"restored": summary, "restarting": True})


class FirmwareApi(_UploadApi):
    """POST a firmware bundle as the body: 202 once it is verified and staged, then reboot."""

    kind = "firmware"

    async def post(self) -> None:
        upload = self.received()
        try:
            installing = self.api.system.install_update(upload)
            staged = await self.audited("system.firmware", "", installing)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        finally:
            upload.discard()
        self.set_status(202)
        self.finish({"version": staged.version, "board": staged.board, "rebooting": True})
