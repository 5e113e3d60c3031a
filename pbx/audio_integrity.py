"""Whether an uploaded audio file is whole: WAV chunks, MP3 frames and Ogg pages walked to the end.

sox decodes what it can of a cut-off MP3, Ogg or WAV file and succeeds, so a
broken upload would become a short prompt without a word. These checks read
only the container's own framing, never the audio, and name what is wrong.
"""

import struct

# MPEG audio: kbit/s by (version is MPEG-1, layer) and bitrate index; rates by version.
_BITRATES_KBPS = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES_HZ = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_MP3_TRAILERS = (b"TAG", b"APETAGEX", b"LYRICSBEGIN")  # tags that may follow the last frame


def problem(kind: str, data: bytes) -> str | None:
    """What is wrong with the framing of `data` (sox type `kind`), or None if it is whole
    or of a kind not checked here (sox itself refuses broken FLAC, AIFF and AU)."""
    check = {"wav": _wav_problem, "mp3": _mp3_problem, "ogg": _ogg_problem}.get(kind)
    return check(data) if check else None


def _wav_problem(data: bytes) -> str | None:
    position = 12
    while position + 8 <= len(data):
        chunk, size = data[position : position + 4], struct.unpack_from("<I", data, position + 4)[0]
        if chunk == b"data":
            return "is cut short" if position + 8 + size > len(data) else None
        position += 8 + size + (size & 1)
    return "has no audio data"


def mp3_frame_length(header: bytes) -> int | None:
    """The length in bytes of the MPEG audio frame starting with `header` (4 bytes),
    or None if it is not a frame header (or a free-format one, whose length is not given)."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer = (header[1] >> 3) & 3, 4 - ((header[1] >> 1) & 3)
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer == 4 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate = _BITRATES_KBPS[version == 3, layer][bitrate_index] * 1000
    rate_hz, padding = _RATES_HZ[version][rate_index], (header[2] >> 1) & 1
    if layer == 1:
        return (12 * bitrate // rate_hz + padding) * 4
    per_frame = 144 if layer == 2 or version == 3 else 72
    return per_frame * bitrate // rate_hz + padding


def _id3_end(data: bytes) -> int:
    if not data.startswith(b"ID3") or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size + (10 if data[5] & 0x10 else 0)


def _mp3_problem(data: bytes) -> str | None:
    position = _id3_end(data)
    while position < len(data) and data[position] == 0:  # padding after the tag
        position += 1
    if (declared := _xing_bytes(data, position)) and position + declared > len(data):
        return "is cut short"
    frames = 0
    while position < len(data):
        length = mp3_frame_length(data[position : position + 4])
        if length is None:
            rest = data[position:]
            if frames and (rest.startswith(_MP3_TRAILERS) or not rest.strip(b"\0")):
                return None
            return "is damaged" if frames else "holds no MPEG audio frames"
        if position + length > len(data):
            return "is cut short"
        position, frames = position + length, frames + 1
    return None if frames else "holds no MPEG audio frames"


def _xing_bytes(data: bytes, first: int) -> int:
    """The stream's length as the encoder's Xing/Info frame gives it (0: not given)."""
    length = mp3_frame_length(data[first : first + 4]) or 0
    frame = data[first : first + length]
    at = max(frame.find(b"Xing"), frame.find(b"Info"))
    if at < 0 or len(frame) < at + 16:
        return 0
    flags = struct.unpack_from(">I", frame, at + 4)[0]
    if not flags & 2:
        return 0
    return struct.unpack_from(">I", frame, at + (12 if flags & 1 else 8))[0]


def _ogg_problem(data: bytes) -> str | None:
    position, last_flags = 0, 0
    while position < len(data):
        if data[position : position + 4] != b"OggS" or position + 27 > len(data):
            return "is damaged" if position + 27 <= len(data) else "is cut short"
        flags, segments = data[position + 5], data[position + 26]
        table_end = position + 27 + segments
        if table_end > len(data):
            return "is cut short"
        position = table_end + sum(data[position + 27 : table_end])
        if position > len(data):
            return "is cut short"
        last_flags = flags
    return None if last_flags & 0x04 else "is cut short"  # the last page ends the stream
