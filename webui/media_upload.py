"""Audio uploads: a request body larger than the panel's usual limit, for the routes that take one.

The panel reads at most 1 MiB of any other request. An upload handler lifts
that for its own request only, once the sender is known and allowed; the file
may come as a form's `file` field (multipart) or as the whole body (the API:
`curl --data-binary @song.mp3`). Its type is found from its content by the
service, never from its name or Content-Type.
"""

import tornado.httputil
import tornado.web

from pbx.api import MAX_UPLOAD_BYTES
from webui.handler import CSRF_HEADER, PanelHandler, Refused

_FORM_OVERHEAD_BYTES = 64 * 1024  # the form's other fields and multipart boundaries
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + _FORM_OVERHEAD_BYTES
# An upload somewhat too large is read (and dropped) so the sender gets the reason;
# one far too large is cut off at once.
_DISCARD_LIMIT_BYTES = 4 * MAX_UPLOAD_BYTES
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
TOO_LARGE = f"the file is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB"


@tornado.web.stream_request_body
class UploadHandler(PanelHandler):
    """A handler whose POST takes an audio file; call `upload()` first thing in `post`.

    The base handler's checks run before a byte of the body is read. A browser's
    form carries its CSRF token in the body, so without the X-CSRF-Token header
    the token is checked once the body is in, before anything is done with it.
    """

    async def prepare(self) -> None:
        self._body = bytearray()
        self._too_large = False
        self._csrf_deferred = False
        await super().prepare()
        length = int(self.request.headers.get("Content-Length") or 0)
        if length > _DISCARD_LIMIT_BYTES:
            raise Refused(413, TOO_LARGE)
        self.request.connection.set_max_body_size(max(length, MAX_REQUEST_BYTES))

    def data_received(self, chunk: bytes) -> None:
        if self._too_large or len(self._body) + len(chunk) > MAX_REQUEST_BYTES:
            self._too_large = True
            self._body.clear()
            return
        self._body += chunk

    async def _check_csrf(self) -> None:
        if self.request.headers.get(CSRF_HEADER):
            await super()._check_csrf()
        else:
            self._csrf_deferred = True

    async def upload(self) -> tuple[dict[str, str], bytes]:
        """The request's fields (form or query) and the file; refused (413) if the file is
        too large, (403) if a deferred CSRF token is wrong."""
        body, self._body = bytes(self._body), bytearray()
        content_type = self.request.headers.get("Content-Type", "")
        is_form = content_type.startswith(_FORMS)
        if is_form and not self._too_large:
            request = self.request
            tornado.httputil.parse_body_arguments(
                content_type, body, request.body_arguments, request.files, request.headers
            )
        if self._too_large:  # refused whoever sent it: nothing is done with the body
            raise Refused(413, TOO_LARGE)
        if self._csrf_deferred:
            await super()._check_csrf()
        files = self.request.files.get("file", [])
        data = files[0].body if files else (b"" if is_form else body)
        fields = {name: self.get_query_argument(name) for name in self.request.query_arguments}
        fields |= {name: self.get_body_argument(name) for name in self.request.body_arguments}
        fields.pop("csrf_token", None)
        if files and not fields.get("title", "").strip():
            fields["title"] = files[0].filename or ""
        return fields, data
