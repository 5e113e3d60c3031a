"""An analog channel's port on the conference bridge: a pjsua2 AudioMediaPort. SIP thread only
to create and free; its two callbacks run on pjmedia's clock thread.

pjmedia calls get_frame and put_frame holding the port's group lock, and the pjsua2
destructor takes that lock to cut the port off from this object, so a callback must
return at once: they only move one frame through `FrameQueues` (no domain state, no
logging, no allocation beyond the frame). The destructor runs on the SIP thread with
the GIL released (the binding is built with SWIG -threads), so a callback waiting for
the GIL cannot deadlock it.
"""

import pjsua2 as pj

from pbx.sip.frame_queues import FRAME_BYTES, FrameQueues

CLOCK_RATE_HZ = 8000
FRAME_US = 20_000


def _format() -> "pj.MediaFormatAudio":
    fmt = pj.MediaFormatAudio()
    fmt.type = pj.PJMEDIA_TYPE_AUDIO
    fmt.clockRate = CLOCK_RATE_HZ
    fmt.channelCount = 1
    fmt.bitsPerSample = 16
    fmt.frameTimeUsec = FRAME_US
    return fmt


class PjAnalogPort(pj.AudioMediaPort):
    """One leg's conference port, exchanging 20 ms frames with its channel."""

    def __init__(self, leg_id: int, queues: FrameQueues) -> None:
        super().__init__()
        self.leg_id = leg_id
        self._queues = queues
        self._received = bytearray(FRAME_BYTES)

    def create(self, name: str) -> None:
        """Register the port on the conference bridge."""
        self.createPort(name, _format())

    def onFrameRequested(self, frame: "pj.MediaFrame") -> None:
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        frame.buf.assign_from_bytes(self._queues.next_for_bridge_threadsafe())
        frame.size = FRAME_BYTES

    def onFrameReceived(self, frame: "pj.MediaFrame") -> None:
        if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO or frame.buf.size() != FRAME_BYTES:
            return
        frame.buf.copy_to_bytearray(self._received)
        self._queues.from_bridge_threadsafe(bytes(self._received))
