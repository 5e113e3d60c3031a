"""PCM HAL: the TDM audio bus, one 8 kHz stream per timeslot in each direction."""

from enum import Enum
from typing import Protocol

SAMPLE_RATE_HZ = 8000


class PcmFormat(Enum):
    """How a sample travels on the bus; the chips are programmed to match."""

    ALAW = "alaw"
    ULAW = "ulaw"
    LINEAR16 = "linear16"

    @property
    def bytes_per_sample(self) -> int:
        return 2 if self is PcmFormat.LINEAR16 else 1

    @property
    def slots_per_sample(self) -> int:
        """Eight-bit timeslots one sample occupies on the bus."""
        return self.bytes_per_sample


class PcmBus(Protocol):
    """The board's TDM bus as the host sees it.

    Each port's chip sends and receives on a timeslot (its PCM start count is the slot
    times 8 bit clocks). Audio is 8 kHz in `pcm_format`: one byte per sample companded,
    two (little-endian) in linear mode. Python moves control and test audio only; on the
    appliance the media path reads the bus in 20 ms frames (160 samples).
    """

    @property
    def pcm_format(self) -> PcmFormat:
        """The sample format of every timeslot."""
        ...

    def read(self, timeslot: int, max_samples: int) -> bytes:
        """Audio the chip on `timeslot` sent (line to host): up to `max_samples`
        samples, fewer (maybe none) if no more have arrived."""
        ...

    def write(self, timeslot: int, data: bytes) -> None:
        """Queue audio for the chip on `timeslot` to play to its line (host to line)."""
        ...
