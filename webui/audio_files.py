"""Audio files sent to the browser: WAV (16-bit PCM), which every browser plays.

The path always comes from a service that found the file in its own list or
database row; nothing in the request becomes part of it.
"""

import asyncio
import os
from pathlib import Path

from webui.handler import PanelHandler, Refused

_CHUNK_BYTES = 64 * 1024


async def send_wav(handler: PanelHandler, path: Path, download_name: str = "") -> None:
    """Stream the WAV file at `path`; as an attachment named `download_name` if given."""
    try:
        audio = await asyncio.to_thread(open, path, "rb")
    except OSError:
        raise Refused(404, "the audio file is gone") from None
    with audio:
        handler.set_header("Content-Type", "audio/wav")
        handler.set_header("Content-Length", str(os.fstat(audio.fileno()).st_size))
        if download_name:
            handler.set_header("Content-Disposition", f'attachment; filename="{download_name}"')
        while chunk := await asyncio.to_thread(audio.read, _CHUNK_BYTES):
            handler.write(chunk)
            await handler.flush()
    handler.finish()
