"""Emulated PCM bus: audio per timeslot between the host and the chip models, in process."""

from collections.abc import Callable

from board.hal import PcmFormat


class PcmEndpoint:
    """A chip model's PCM interface, as its registers program it.

    `from_line` holds audio the far end sent (already in the bus format), waiting for
    the host to read it; `to_line` collects what the host sent for the far end. Audio
    passes only while the chip's PCM is enabled and `passing()` (its line state lets
    sound through, e.g. a DAA off-hook or monitoring).
    """

    def __init__(self, passing: Callable[[], bool]):
        self.enabled = False
        self.tx_timeslot = 0
        self.rx_timeslot = 0
        self.pcm_format = PcmFormat.ALAW
        self.from_line = bytearray()
        self.to_line = bytearray()
        self._passing = passing

    @property
    def active(self) -> bool:
        return self.enabled and self._passing()


class EmulatedPcmBus:
    """A `board.hal.PcmBus` carrying audio between the host and the emulated chips.

    It is not paced: audio moves when one side writes and the other reads, so tests
    are not tied to the 8 kHz frame clock. A timeslot no active chip sends on reads
    as nothing yet; audio written to a slot no chip listens on is dropped, as on a bus.
    """

    def __init__(self, pcm_format: PcmFormat, frame_slots: int):
        self._pcm_format = pcm_format
        self.frame_slots = frame_slots
        self._endpoints: list[PcmEndpoint] = []

    @property
    def pcm_format(self) -> PcmFormat:
        return self._pcm_format

    def attach(self, endpoint: PcmEndpoint) -> None:
        self._endpoints.append(endpoint)

    def read(self, timeslot: int, max_samples: int) -> bytes:
        endpoint = self._sender(timeslot)
        if endpoint is None:
            return b""
        size = max_samples * self._pcm_format.bytes_per_sample
        data = bytes(endpoint.from_line[:size])
        del endpoint.from_line[:size]
        return data

    def write(self, timeslot: int, data: bytes) -> None:
        for endpoint in self._endpoints:
            if endpoint.active and endpoint.rx_timeslot == timeslot:
                endpoint.to_line.extend(data)

    def _sender(self, timeslot: int) -> PcmEndpoint | None:
        for endpoint in self._endpoints:
            if endpoint.active and endpoint.tx_timeslot == timeslot:
                return endpoint
        return None
