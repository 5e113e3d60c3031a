"""The host's health as Linux reports it: CPU load, memory, temperature, the data disk."""

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HostReading:
    """One look at the host. A figure Linux does not offer here is None ("not available")."""

    cpus: int
    load_1m: float | None  # runnable tasks, averaged (/proc/loadavg)
    load_5m: float | None
    load_15m: float | None
    memory_used_percent: float | None
    temperature_c: float | None  # the hottest thermal zone
    temperature_zone: str  # its type, e.g. "cpu-thermal"
    disk_total_mb: int | None  # the data partition (database, recordings, prompts)
    disk_free_mb: int | None
    disk_used_percent: float | None
    uptime_s: float | None  # since the host booted


class HostHealth:
    """Reads the host's figures from /proc, /sys/class/thermal and the data partition.

    The roots are parameters so a test (or a container without /sys) can point
    them elsewhere; each figure that cannot be read is None, never an error.
    """

    def __init__(self, data_dir: Path, proc: Path = Path("/proc"), sys: Path = Path("/sys")):
        self._data_dir = data_dir
        self._proc = proc
        self._thermal = sys / "class" / "thermal"

    def reading(self) -> HostReading:
        """The figures now (a few small reads of kernel files, no disk I/O)."""
        loads = self._loads()
        temperature, zone = self._temperature()
        total, free = self._disk()
        used = round(100.0 * (total - free) / total, 1) if total else None
        return HostReading(
            os.cpu_count() or 1,
            *loads,
            self._memory_used_percent(),
            temperature,
            zone,
            total,
            free,
            used,
            self._uptime_s(),
        )

    def _read(self, path: Path) -> str | None:
        try:
            return path.read_text()
        except (OSError, UnicodeDecodeError):
            return None

    def _loads(self) -> tuple[float | None, float | None, float | None]:
        text = self._read(self._proc / "loadavg")
        try:
            one, five, fifteen = (float(x) for x in (text or "").split()[:3])
        except ValueError:
            return None, None, None
        return one, five, fifteen

    def _memory_used_percent(self) -> float | None:
        fields = {}
        for line in (self._read(self._proc / "meminfo") or "").splitlines():
            name, _, rest = line.partition(":")
            if rest.split():
                fields[name] = rest.split()[0]
        try:
            total, available = int(fields["MemTotal"]), int(fields["MemAvailable"])
        except (KeyError, ValueError):
            return None
        return round(100.0 * (total - available) / total, 1) if total else None

    def _temperature(self) -> tuple[float | None, str]:
        hottest: tuple[float | None, str] = (None, "")
        try:
            zones = sorted(self._thermal.glob("thermal_zone*"))
        except OSError:
            return hottest
        for zone in zones:
            try:
                celsius = int((self._read(zone / "temp") or "").strip()) / 1000.0
            except ValueError:
                continue  # a zone that cannot be read now (sensor asleep)
            if hottest[0] is None or celsius > hottest[0]:
                hottest = (round(celsius, 1), (self._read(zone / "type") or "").strip())
        return hottest

    def _disk(self) -> tuple[int | None, int | None]:
        try:
            usage = shutil.disk_usage(self._data_dir)
        except OSError:
            return None, None
        return usage.total // 2**20, usage.free // 2**20

    def _uptime_s(self) -> float | None:
        try:
            return float((self._read(self._proc / "uptime") or "").split()[0])
        except (ValueError, IndexError):
            return None
