"""Response times the bench's SIPp callers measured (-trace_rtt), and their percentiles."""

import statistics
from pathlib import Path


def percentiles(values: list[float]) -> dict:
    """Count, p50/p95/p99, max and mean of times in ms ({} for none)."""
    ordered = sorted(values)
    if not ordered:
        return {}

    def at(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 2)

    return {
        "count": len(ordered),
        "p50_ms": at(0.5),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(ordered[-1], 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
    }


def response_times(workdir: Path, scenario: str) -> dict[str, list[float]]:
    """SIPp's per-call response times under `workdir` (-trace_rtt), by timer name."""
    times: dict[str, list[float]] = {}
    for path in workdir.glob(f"**/{scenario}_*_rtt.csv"):
        for line in path.read_text().splitlines()[1:]:
            fields = line.split(";")
            if len(fields) >= 3:
                times.setdefault(fields[2].strip(), []).append(float(fields[1]))
    return times
