"""G.711 companding (A-law, µ-law) between the PCM bus's bytes and 16-bit linear samples.

The far-end models speak and listen in 16-bit linear PCM (board/dsp works on it); the
bus carries what the chips are programmed for. Encoding goes through a table of every
16-bit value, built once, so a 20 ms frame is one numpy lookup.
"""

from functools import cache

import numpy as np

from board.hal import PcmFormat

_ULAW_BIAS = 0x84
_ULAW_CLIP = 8159  # in the 14-bit domain µ-law works in
_ULAW_SEGMENT_ENDS = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
_ALAW_SEGMENT_ENDS = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])


def _ulaw_encode(linear: np.ndarray) -> np.ndarray:
    value = linear.astype(np.int32) >> 2
    mask = np.where(value < 0, 0x7F, 0xFF)
    value = np.minimum(np.abs(value), _ULAW_CLIP) + (_ULAW_BIAS >> 2)
    segment = np.searchsorted(_ULAW_SEGMENT_ENDS, value)
    code = np.where(segment >= 8, 0x7F, segment << 4 | (value >> (segment + 1)) & 0x0F)
    return (code ^ mask).astype(np.uint8)


def _ulaw_decode(codes: np.ndarray) -> np.ndarray:
    inverted = ~codes.astype(np.int32) & 0xFF
    magnitude = (((inverted & 0x0F) << 3) + _ULAW_BIAS) << ((inverted & 0x70) >> 4)
    return np.where(inverted & 0x80, _ULAW_BIAS - magnitude, magnitude - _ULAW_BIAS)


def _alaw_encode(linear: np.ndarray) -> np.ndarray:
    value = linear.astype(np.int32) >> 3
    mask = np.where(value >= 0, 0xD5, 0x55)
    value = np.where(value >= 0, value, -value - 1)
    segment = np.searchsorted(_ALAW_SEGMENT_ENDS, value)
    shift = np.where(segment < 2, 1, segment)
    code = np.where(segment >= 8, 0x7F, segment << 4 | (value >> shift) & 0x0F)
    return (code ^ mask).astype(np.uint8)


def _alaw_decode(codes: np.ndarray) -> np.ndarray:
    value = codes.astype(np.int32) ^ 0x55
    segment = (value & 0x70) >> 4
    magnitude = ((value & 0x0F) << 4) + np.where(segment == 0, 8, 0x108)
    magnitude = np.where(segment > 1, magnitude << np.maximum(segment - 1, 0), magnitude)
    return np.where(value & 0x80, magnitude, -magnitude)


@cache
def _encode_table(pcm_format: PcmFormat) -> np.ndarray:
    every_value = np.arange(-32768, 32768, dtype=np.int32)
    encode = _ulaw_encode if pcm_format is PcmFormat.ULAW else _alaw_encode
    return np.roll(encode(every_value), -32768)  # indexed by the sample's uint16 bits


@cache
def _decode_table(pcm_format: PcmFormat) -> np.ndarray:
    decode = _ulaw_decode if pcm_format is PcmFormat.ULAW else _alaw_decode
    return decode(np.arange(256)).astype(np.int16)


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


def silence(sample_count: int, pcm_format: PcmFormat) -> bytes:
    """`sample_count` samples of silence in `pcm_format`."""
    return encode(np.zeros(sample_count, dtype=np.int16), pcm_format)
