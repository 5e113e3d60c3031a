"""G.711 (µ-law, A-law): the PCM bus's 8-bit samples to 16-bit linear frames and back.

Decoding follows the G.711 tables; encoding picks, for every 16-bit value, the code
that decodes nearest to it (a table of 65 536 codes built once), so a 20 ms frame is
one numpy lookup each way.
"""

from functools import cache

import numpy as np

from board.hal import PcmFormat

_BIAS = 0x84


def _ulaw_values() -> np.ndarray:
    codes = ~np.arange(256) & 0xFF
    magnitude = (((codes & 0x0F) << 3) + _BIAS << ((codes & 0x70) >> 4)) - _BIAS
    return np.where(codes & 0x80, -magnitude, magnitude)


def _alaw_values() -> np.ndarray:
    codes = np.arange(256) ^ 0x55
    segment = (codes & 0x70) >> 4
    magnitude = ((codes & 0x0F) << 4) + np.where(segment == 0, 8, 0x108)
    magnitude = np.where(segment > 1, magnitude << np.maximum(segment - 1, 0), magnitude)
    return np.where(codes & 0x80, magnitude, -magnitude)


@cache
def _decode_table(pcm_format: PcmFormat) -> np.ndarray:
    values = _ulaw_values() if pcm_format is PcmFormat.ULAW else _alaw_values()
    return values.astype(np.int16)


@cache
def _encode_table(pcm_format: PcmFormat) -> np.ndarray:
    """The code for each 16-bit value, indexed by the value's uint16 bits."""
    values = _decode_table(pcm_format).astype(np.int32)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    midpoints = (ordered[:-1] + ordered[1:]) / 2
    every_value = np.arange(-32768, 32768)
    # A value halfway between two codes takes the upper one: 0 is 0xFF in µ-law
    # (not 0x7F, its negative twin) and 0xD5 in A-law, as G.711 encoders send it.
    nearest = order[np.searchsorted(midpoints, every_value, side="right")].astype(np.uint8)
    return np.roll(nearest, -32768)


def encode(samples: np.ndarray, pcm_format: PcmFormat) -> bytes:
    """int16 samples as the bus carries them in `pcm_format`."""
    samples = np.asarray(samples, dtype=np.int16)
    if pcm_format is PcmFormat.LINEAR16:
        return samples.astype("<i2").tobytes()
    return _encode_table(pcm_format)[samples.view(np.uint16)].tobytes()


def decode(data: bytes | bytearray, pcm_format: PcmFormat) -> np.ndarray:
    """Bus bytes in `pcm_format` as int16 samples."""
    if pcm_format is PcmFormat.LINEAR16:
        return np.frombuffer(bytes(data), dtype="<i2").astype(np.int16)
    return _decode_table(pcm_format)[np.frombuffer(bytes(data), dtype=np.uint8)]
