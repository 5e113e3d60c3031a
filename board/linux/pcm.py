"""PCM backend: the board's TDM character device, split into per-timeslot streams.

Untested on hardware: no kernel driver exists yet. It assumes a character device
(an OAK8X-style DMA driver, or a shim over ALSA's bcm2835-i2s with four 8-bit slots
packed per 32-bit channel) that reads and writes whole frames: `frame_slots` bytes
per 125 us frame, slot 0 first. Audio is moved in Python here only for tests and
control tones; the media path proper belongs in C (hardware.md §4).
"""

import os
from collections import defaultdict

from board import BoardError
from board.hal import PcmFormat

IDLE_BYTE = 0xFF


class TdmPcmBus:
    """A `board.hal.PcmBus` over a TDM device that carries `frame_slots` bytes a frame.

    `pump` (called when the device is readable) reads the frames that have arrived,
    sorts each slot's bytes to its queue, and writes as many frames back, built from
    what was queued for each slot, so both directions keep the device's pace.
    """

    def __init__(self, fd: int, pcm_format: PcmFormat, frame_slots: int):
        if pcm_format is PcmFormat.LINEAR16:
            raise BoardError("the TDM backend carries companded (8-bit) samples only")
        self._fd = fd
        self._format = pcm_format
        self._frame_slots = frame_slots
        self._received: dict[int, bytearray] = defaultdict(bytearray)
        self._to_send: dict[int, bytearray] = defaultdict(bytearray)

    @classmethod
    def open(cls, path: str, pcm_format: PcmFormat, frame_slots: int) -> "TdmPcmBus":
        return cls(os.open(path, os.O_RDWR | os.O_NONBLOCK), pcm_format, frame_slots)

    @property
    def pcm_format(self) -> PcmFormat:
        return self._format

    def fileno(self) -> int:
        return self._fd

    def read(self, timeslot: int, max_samples: int) -> bytes:
        queue = self._received[timeslot]
        size = max_samples * self._format.bytes_per_sample
        data = bytes(queue[:size])
        del queue[:size]
        return data

    def write(self, timeslot: int, data: bytes) -> None:
        self._to_send[timeslot].extend(data)

    def pump(self, max_frames: int = 64) -> int:
        """Move the frames that have arrived in, and as many out; returns how many."""
        try:
            data = os.read(self._fd, max_frames * self._frame_slots)
        except BlockingIOError:
            return 0
        frames = len(data) // self._frame_slots
        for slot in range(self._frame_slots):
            self._received[slot].extend(data[slot : frames * self._frame_slots : self._frame_slots])
        os.write(self._fd, self._frames_out(frames))
        return frames

    def _frames_out(self, frames: int) -> bytes:
        out = bytearray([IDLE_BYTE]) * (frames * self._frame_slots)
        for slot, queue in self._to_send.items():
            chunk = queue[:frames]
            out[slot : len(chunk) * self._frame_slots : self._frame_slots] = chunk
            del queue[:frames]
        return bytes(out)

    def close(self) -> None:
        os.close(self._fd)
