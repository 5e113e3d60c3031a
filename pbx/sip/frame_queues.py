"""Frame queues between an analog channel (event loop) and its conference port (media clock)."""

from collections import deque

FRAME_BYTES = 320  # 20 ms of 16-bit mono at 8 kHz
SILENCE = bytes(FRAME_BYTES)
DEPTH_FRAMES = 4  # 80 ms: beyond it the oldest frame goes, so delay never builds up


class FrameQueues:
    """Two bounded queues of 20 ms frames (16-bit little-endian, 8 kHz, mono).

    The channel's side runs on the event loop; the `*_threadsafe` side runs on
    pjmedia's clock thread, inside the conference bridge's callbacks. Neither side
    ever waits for the other: a deque's append and popleft are atomic in CPython,
    a full queue drops its oldest frame, and an empty one reads as silence.
    """

    def __init__(self, depth_frames: int = DEPTH_FRAMES) -> None:
        self._to_bridge: deque[bytes] = deque(maxlen=depth_frames)
        self._from_bridge: deque[bytes] = deque(maxlen=depth_frames)
        self.underruns = 0  # frames the bridge asked for and found none (silence sent)

    # --- the channel's side (event loop) --------------------------------------------

    def send(self, frame: bytes) -> None:
        """Queue a frame of line audio for the bridge."""
        self._to_bridge.append(frame)

    def receive(self) -> bytes | None:
        """The oldest frame the bridge sent, or None if none is waiting."""
        try:
            return self._from_bridge.popleft()
        except IndexError:
            return None

    def clear(self) -> None:
        """Drop every waiting frame both ways (a new call starts afresh)."""
        self._to_bridge.clear()
        self._from_bridge.clear()

    # --- the conference port's side (pjmedia clock thread) ----------------------------

    def next_for_bridge_threadsafe(self) -> bytes:
        """The oldest frame for the bridge; silence if the channel is behind."""
        try:
            return self._to_bridge.popleft()
        except IndexError:
            self.underruns += 1
            return SILENCE

    def from_bridge_threadsafe(self, frame: bytes) -> None:
        """A frame the bridge mixed for the line."""
        self._from_bridge.append(frame)
