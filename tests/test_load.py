"""The appliance build of pjsua2 at work: hundreds of concurrent calls with audio."""

import pytest

from tests.harness import sipp, sipp_result, wait_until

CONCURRENT_CALLS = 300


def ended_records(daemon):
    records = daemon.call_records()
    return records if records and all(r["ended_at"] for r in records) else None


@pytest.mark.load
@pytest.mark.timeout(240)
def test_daemon_holds_300_concurrent_calls_with_rtp(make_daemon, workdir):
    daemon = make_daemon().start()
    peer = sipp(
        "caller_hangs_up",
        f"127.0.0.1:{daemon.sip_port}",
        service="*43",
        calls=CONCURRENT_CALLS,
        rate=60,
        limit=CONCURRENT_CALLS,
        hold_ms=15000,
        workdir=workdir,
        timeout_s=150,
    )
    wait_until(
        lambda: daemon.status()["calls_active"] == CONCURRENT_CALLS,
        60,
        f"{CONCURRENT_CALLS} calls up at once",
    )
    run = sipp_result(peer, workdir, timeout_s=180)

    assert (run.returncode, run.successful, run.failed) == (0, CONCURRENT_CALLS, 0), run.output
    status = daemon.status()
    assert (status["calls_peak"], status["calls_total"]) == (CONCURRENT_CALLS, CONCURRENT_CALLS)
    records = wait_until(lambda: ended_records(daemon), 30, "every call record completed")
    assert len(records) == CONCURRENT_CALLS
    assert {r["disposition"] for r in records} == {"answered"}
    # Every caller's audio reached the engine, and the echo sent it back.
    assert min(r["rtp_rx_packets"] for r in records) > 100
    assert min(r["rtp_tx_packets"] for r in records) > 100
