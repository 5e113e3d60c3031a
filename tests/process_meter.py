"""CPU time and memory of processes and their children, read from /proc (Linux)."""

import os
from dataclasses import dataclass
from pathlib import Path

_TICK_S = 1 / os.sysconf("SC_CLK_TCK")
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces): field 3 onwards."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def cpu_s(pid: int) -> float:
    """User and system CPU seconds of a process, all its threads, so far (0 once gone)."""
    try:
        fields = _stat_fields(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) * _TICK_S


def thread_cpu_s(pid: int) -> dict[str, float]:
    """CPU seconds so far of a process's threads, summed by thread name (their `comm`:
    pjmedia names its threads, "clock", "media"...; Python's carry the process's name)."""
    by_name: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        by_name[name] = by_name.get(name, 0.0) + (int(fields[11]) + int(fields[12])) * _TICK_S
    return by_name


def rss_mb(pid: int) -> float:
    """Resident memory of a process now, in MiB (0 once gone)."""
    try:
        return int(_stat_fields(pid)[21]) * _PAGE_KB / 1024
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def descendants(pid: int) -> list[int]:
    """Every live process under `pid` (children, their children...)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int(_stat_fields(int(entry.name))[1])
            except (FileNotFoundError, ProcessLookupError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], list(children.get(pid, ()))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children.get(child, ()))
    return found


@dataclass(frozen=True)
class CpuReading:
    """CPU seconds so far of the daemon itself, its threads by name, and of what it
    runs (Kamailio)."""

    daemon_s: float
    children_s: float
    threads_s: dict[str, float]  # the daemon's, by thread name

    @classmethod
    def of(cls, pid: int) -> "CpuReading":
        children_s = sum(cpu_s(child) for child in descendants(pid))
        return cls(cpu_s(pid), children_s, thread_cpu_s(pid))

    def since(self, earlier: "CpuReading") -> "CpuReading":
        threads_s = {
            name: spent_s - earlier.threads_s.get(name, 0.0)
            for name, spent_s in self.threads_s.items()
        }
        return CpuReading(
            self.daemon_s - earlier.daemon_s, self.children_s - earlier.children_s, threads_s
        )
