"""The queue workload of `make bench`, end to end with five callers, so that it cannot rot."""

import random

from tests.bench_queue import markdown, queue_workload

CALLS = 5


def test_the_queue_workload_measures_a_small_step(workdir):
    # Clear of the bench's own callers (28000 up) and of Linux's ephemeral ports.
    media_port = 31000 + 2 * random.randrange(800)
    figures = queue_workload(workdir, [CALLS], rate_cps=CALLS, hold_s=5, media_port=media_port)

    step = figures["steps"][0]
    assert (step["answered"], step["failed"], step["limit"]) == (CALLS, 0, ""), step
    assert step["calls_up_peak"] == CALLS
    assert step["setup_ms"]["count"] == CALLS
    assert step["rtp"]["worst_call_pct"] >= 99, step["rtp"]
    assert step["cpu"]["daemon_ms_per_call"] > 0
    assert step["cpu"]["daemon_core_pct_per_call"] > 0
    assert step["daemon_peak_rss_mb"] > 20
    assert step["daemon_errors"]["count"] >= 0  # counted (other daemons' ports may log some)
    if figures["recordings_available"]:
        assert step["recordings"]["complete"] == CALLS, step["recordings"]
    assert figures["held_calls"] == CALLS
    assert f"| {CALLS} | 0 |" in markdown(figures)
