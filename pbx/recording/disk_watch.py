"""The recordings' disk against its reserve, and the disk-full alarm."""

import logging
from collections import Counter

from pbx.bus import EventBus
from pbx.events import RecordingAlarm
from pbx.recording.storage import MIB, RecordingStorage

logger = logging.getLogger(__name__)

DISK_FULL = "disk-full"
_CLEAR_MARGIN_MAX_BYTES = 64 * MIB


class DiskWatch:
    """Says whether a recording may start, and raises the alarm when it may not.

    The disk is full once free space falls to the reserve. The alarm clears
    only once free space is back above the reserve by a margin (a tenth of it,
    at most 64 MiB), so a disk hovering at the line raises one alarm, not one
    per call. Each raise and clear is logged and published as RecordingAlarm.
    """

    def __init__(self, storage: RecordingStorage, bus: EventBus) -> None:
        self._storage = storage
        self._bus = bus
        self._margin_bytes = min(storage.reserve_bytes // 10, _CLEAR_MARGIN_MAX_BYTES)
        self.alarm = ""  # DISK_FULL while raised
        self.raised = Counter()  # alarms raised since start, by kind
        self.free_bytes = 0

    def full(self) -> bool:
        """Look at the free space now: True while the disk is at its reserve.

        A disk that cannot be asked (gone, unmounted) counts as full.
        """
        try:
            self.free_bytes = self._storage.free_bytes()  # statvfs: no disk I/O
        except OSError as err:
            logger.error("recordings' disk %s: %s", self._storage.root, err)
            self.free_bytes = 0
        limit = self._storage.reserve_bytes + (self._margin_bytes if self.alarm else 0)
        if self.free_bytes <= limit:
            self._raise()
            return True
        if self.alarm:
            self._clear()
        return False

    def _raise(self) -> None:
        if self.alarm:
            return
        self.alarm = DISK_FULL
        self.raised[DISK_FULL] += 1
        detail = (
            f"{self.free_bytes // MIB} MiB free on {self._storage.root}, reserve "
            f"{self._storage.reserve_bytes // MIB} MiB: calls are no longer recorded"
        )
        logger.error("recording alarm: %s", detail)
        self._bus.publish(RecordingAlarm(DISK_FULL, True, detail))

    def _clear(self) -> None:
        self.alarm = ""
        detail = f"{self.free_bytes // MIB} MiB free on {self._storage.root}: recording again"
        logger.warning("recording alarm cleared: %s", detail)
        self._bus.publish(RecordingAlarm(DISK_FULL, False, detail))

    def status(self) -> dict:
        """The alarm, how often it was raised, and the space, for `callbox status`."""
        return {
            "alarm": self.alarm or None,
            "alarms": dict(self.raised),
            "disk_free_mb": self.free_bytes // MIB,
            "reserve_mb": self._storage.reserve_bytes // MIB,
        }
