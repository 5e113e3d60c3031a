"""Caller ID over FSK: the whole spill as a line sends it, and the receiver for it."""

import numpy as np

from board.dsp.caller_id import MDMF, SDMF, CallerId, CallerIdError, decode_message
from board.dsp.fsk import FskReceiver, FskStandard, modulate, uart_bits
from board.dsp.pcm import Frame, to_pcm

# A message starts after at least this much idle mark (the spill has 180 bits, a
# call-waiting spill 80); bytes inside a message follow one another directly.
_MIN_MARK_BITS = 8


def fsk_spill(
    message: bytes,
    standard: FskStandard,
    *,
    level_dbm0: float = -13.5,
    seizure_bits: int = 300,
    mark_bits: int = 180,
    freq_scale: float = 1.0,
) -> np.ndarray:
    """Channel seizure (alternating bits, 0x55 bytes), a mark run, then the message, as PCM.

    Defaults are Bellcore's on-hook spill at its -13.5 dBm level; for a call-waiting
    spill use seizure_bits=0, mark_bits=80. `freq_scale` puts the sender's clock off.
    """
    seizure = [i % 2 for i in range(seizure_bits)]  # starts with a space, as 0x55 bytes do
    bits = seizure + [1] * mark_bits + uart_bits(message) + [1] * 4
    return to_pcm(modulate(bits, standard, level_dbm0, freq_scale))


class FskCallerIdReceiver:
    """Streaming caller-ID receiver: FSK frames in, CallerId out.

    A message is taken only after an idle mark run, from its type byte through its
    length and checksum; a message that fails its checksum or content checks is
    dropped and counted in `rejected`.
    """

    def __init__(self, standard: FskStandard, *, min_level_dbm0: float = -48.0) -> None:
        self._receiver = FskReceiver(standard, min_level_dbm0=min_level_dbm0)
        self._message: bytearray | None = None  # None: no message open
        self.rejected = 0

    def feed(self, frame: Frame) -> list[CallerId]:
        """Caller IDs whose last byte arrived in the samples fed so far."""
        found = []
        for byte in self._receiver.feed(frame):
            if byte.idle_bits_before >= _MIN_MARK_BITS:
                self._message = bytearray() if byte.value in (SDMF, MDMF) else None
            if self._message is None:
                continue
            self._message.append(byte.value)
            if len(self._message) >= 2 and len(self._message) == self._message[1] + 3:
                caller = self._decode(bytes(self._message))
                self._message = None
                if caller is not None:
                    found.append(caller)
        return found

    def _decode(self, message: bytes) -> CallerId | None:
        try:
            return decode_message(message)
        except CallerIdError:
            self.rejected += 1
            return None
