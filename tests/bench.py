"""`make bench`: the box under steady load on 127.0.0.1, figures written to a JSON file.

Workloads:

- call set-up through the edge. SIPp, as extensions 2001-2010, calls extensions
  2101-2110 at a steady rate; another SIPp, registered as those, rings at once and
  answers 100 ms later. Each call is authenticated at the edge, answered by the engine,
  and placed again towards the callee, as in real use. Measured: INVITE to 180 and
  INVITE to 200 at the caller (the callee's 100 ms answer delay included).
- telephony DSP (board/dsp): how many analog channels' worth of real-time DTMF and
  caller-ID FSK detection one core sustains: 20 ms frames processed per second of
  CPU time, divided by the 50 frames a second one channel delivers.
- callers waiting in a queue (tests/bench_queue.py): outside callers through a trunk
  into a queue no agent serves, with announcements, music on hold and a recording of
  each, stepped up until a call fails, RTP back falls under 99 % or a recording is
  short. Its steps also go to a markdown table beside the JSON file.
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

from board.dsp.alert_tone import AlertToneDetector
from board.dsp.busy_cadence import disconnect_detector
from board.dsp.caller_id import CallerId, encode_mdmf
from board.dsp.country import load_countries
from board.dsp.dtmf import DtmfDetector, DtmfGenerator
from board.dsp.fsk import BELL_202
from board.dsp.fsk_caller_id import FskCallerIdReceiver, fsk_spill
from board.dsp.level import power_of_dbm0
from board.dsp.pcm import FRAME_SAMPLES, split_frames
from tests import bench_queue
from tests.harness import Daemon, free_port, short_tempdir, sipp, sipp_result, wait_until
from tests.latency import percentiles, response_times
from tests.sip_probe import SipProbe

CALLEE_HOST = "127.0.0.4"
WORKLOADS = ["call_setup", "dsp", "queue"]
EXTENSION_PAIRS = 10


def _caller(
    workdir: Path,
    daemon: Daemon,
    caller: str,
    callee: str,
    *,
    secret: str,
    calls: int,
    rate_cps: int,
) -> tuple:
    """One SIPp calling `callee` as `caller`, in a directory of its own."""
    directory = workdir / f"caller-{caller}"
    directory.mkdir()
    (directory / "caller.csv").write_text(f"SEQUENTIAL\n{caller};\n")
    run = sipp(
        "bench_caller",
        f"{daemon.edge[0]}:{daemon.edge[1]}",
        service=callee,
        calls=calls,
        rate=max(rate_cps, 1),
        limit=calls,
        hold_ms=1000,
        workdir=directory,
        media_port=27000 + int(caller) % 100 * 40,
        timeout_s=calls // max(rate_cps, 1) + 120,
        extra=(
            "-inf",
            str(directory / "caller.csv"),
            "-au",
            caller,
            "-ap",
            secret,
            "-trace_rtt",
            "-rtt_freq",
            "1",
        ),
    )
    return run, directory


def _callee(workdir: Path, calls: int, rate_cps: int) -> tuple:
    """The SIPp that plays every callee phone; returns it and its port."""
    port = free_port()
    run = sipp(
        "bench_callee",
        "",
        service="",
        calls=calls,
        rate=rate_cps,
        limit=calls,
        local_port=port,
        media_port=26000,
        workdir=workdir,
        role="uas",
        timeout_s=calls // rate_cps + 120,
    )
    return run, port


def _register(daemon: Daemon, secrets: dict[str, str], contact: str) -> None:
    """Register extensions at the edge with `contact` (host:port) as their phone."""
    probe = SipProbe(CALLEE_HOST, daemon.edge)
    try:
        for number, secret in secrets.items():
            wait_until(
                lambda n=number, s=secret: probe.register(n, s, contact)[1].status == 200,
                10,
                f"{number} registered",
            )
    finally:
        probe.close()


def call_setup(workdir: Path, calls: int, rate_cps: int) -> dict:
    """Run the call set-up workload; returns its figures."""
    (workdir / "box").mkdir()
    daemon = Daemon(
        workdir / "box", {"edge": {"allow": ["127.0.0.0/8"]}, "daemon": {"log_level": "warning"}}
    )
    try:
        daemon.start()
        # Calls spread over extension pairs, one SIPp caller each: an extension
        # takes at most 16 calls at once.
        pairs = [(str(2001 + i), str(2101 + i)) for i in range(EXTENSION_PAIRS)]
        caller_secrets = {c: daemon.add_extension(c, "Bench", max_calls=16) for c, _ in pairs}
        callee_secrets = {c: daemon.add_extension(c, "Bench", max_calls=16) for _, c in pairs}
        callee, callee_port = _callee(workdir, calls, rate_cps)
        _register(daemon, callee_secrets, f"127.0.0.1:{callee_port}")
        started = time.monotonic()
        runs = [
            _caller(
                workdir,
                daemon,
                caller,
                callee,
                secret=caller_secrets[caller],
                calls=calls // EXTENSION_PAIRS,
                rate_cps=rate_cps // EXTENSION_PAIRS,
            )
            for caller, callee in pairs
        ]
        results = [
            sipp_result(run, directory, timeout_s=calls // rate_cps + 180)
            for run, directory in runs
        ]
        elapsed_s = time.monotonic() - started
        callee.kill()
        times = response_times(workdir, "bench_caller")
        return {
            "workload": "call set-up through the edge",
            "rate_cps": rate_cps,
            "calls": calls,
            "successful": sum(r.successful for r in results),
            "failed": sum(r.failed for r in results),
            "elapsed_s": round(elapsed_s, 1),
            "invite_to_180": percentiles(times.get("ringing", [])),
            # 180 is optional in SIP; a caller whose 200 came first saw no ringing.
            "calls_without_180": sum(r.successful for r in results) - len(times.get("ringing", [])),
            "invite_to_200": percentiles(times.get("answer", [])),
            "note": "INVITE to 200 includes the callee's 100 ms answer delay",
        }
    finally:
        daemon.close()


def _dsp_signal(seconds: float) -> list[np.ndarray]:
    """A line's worth of 20 ms frames: digits and caller-ID spills in white noise at
    -30 dBm0, loud enough that the FSK receiver hunts for start bits all the time."""
    rng = np.random.default_rng(1)
    spill = fsk_spill(encode_mdmf(CallerId(number="6095551212", name="DOE JANE")), BELL_202)
    burst = np.concatenate((DtmfGenerator().render("0123456789*#"), spill))
    count = int(seconds * 8000)
    samples = rng.normal(0.0, np.sqrt(power_of_dbm0(-30)), count)
    for start in range(0, count - len(burst), 3 * len(burst)):
        samples[start : start + len(burst)] += burst
    return split_frames(np.rint(samples).astype(np.int16), FRAME_SAMPLES)


def _channels(frames: list[np.ndarray], make_detectors) -> dict:
    """Frames per CPU second through one channel's detectors, channels per core, and
    what they found (digits, caller IDs...: proof the workload was decoded, not skipped)."""
    detectors = make_detectors()
    found = 0
    started = time.process_time()
    for frame in frames:
        for detector in detectors:
            found += len(detector.feed(frame))
    cpu_s = time.process_time() - started
    frames_per_s = len(frames) / cpu_s
    return {
        "frames_per_cpu_s": round(frames_per_s),
        "channels_per_core": round(frames_per_s / 50),
        "events_found": found,
    }


def dsp_channels(seconds: float) -> dict:
    """Run the DSP workload; returns its figures."""
    frames = _dsp_signal(seconds)
    country = load_countries()["UK"]
    return {
        "workload": "real-time DTMF and caller-ID FSK detection per core",
        "audio_s": seconds,
        "dtmf_and_fsk": _channels(frames, lambda: [DtmfDetector(), FskCallerIdReceiver(BELL_202)]),
        "dtmf": _channels(frames, lambda: [DtmfDetector()]),
        "fsk_caller_id": _channels(frames, lambda: [FskCallerIdReceiver(BELL_202)]),
        "with_alert_and_busy": _channels(
            frames,
            lambda: [
                DtmfDetector(),
                FskCallerIdReceiver(BELL_202),
                AlertToneDetector(),
                disconnect_detector(country),
            ],
        ),
        "note": "one core; DTMF and spills in -30 dBm0 noise; a channel is 50 frames/s",
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench-results.json"))
    parser.add_argument("--calls", type=int, default=600)
    parser.add_argument(
        "--rate", type=int, default=20, help=f"calls per second (a multiple of {EXTENSION_PAIRS})"
    )
    parser.add_argument(
        "--workload",
        action="append",
        choices=WORKLOADS,
        help="run only this workload (repeatable; default: all, in this order)",
    )
    parser.add_argument("--dsp-seconds", type=float, default=60.0, help="audio per DSP run")
    queue = parser.add_argument_group("queue workload")
    queue.add_argument(
        "--steps",
        type=lambda text: [int(n) for n in text.split(",")],
        default=list(bench_queue.STEPS),
        help="callers at each step, comma-separated (default: %(default)s)",
    )
    queue.add_argument("--max-calls", type=int, default=1000, help="steps above are skipped")
    queue.add_argument("--queue-rate", type=int, default=20, help="callers rung in per second")
    queue.add_argument("--hold-s", type=float, default=30.0, help="how long all are up at once")
    return parser.parse_args()


def _save(out: Path, figures: dict) -> None:
    """Write the figures (a workload run alone keeps the others' from the last run), and
    the queue workload's table beside them."""
    previous = json.loads(out.read_text()) if out.exists() else {}
    merged = {**previous, **figures}
    out.write_text(json.dumps(merged, indent=2) + "\n")
    if "queue" in merged:
        out.with_suffix(".md").write_text(bench_queue.markdown(merged["queue"]))


def main() -> None:
    args = _arguments()
    workloads = args.workload or WORKLOADS
    figures: dict = {
        "machine": {
            "cpus": len(platform.os.sched_getaffinity(0)),
            "python": platform.python_version(),
            "kernel": platform.release(),
        }
    }
    if "call_setup" in workloads:
        with short_tempdir() as workdir:
            figures["call_setup"] = call_setup(workdir, args.calls, args.rate)
    if "dsp" in workloads:
        figures["dsp"] = dsp_channels(args.dsp_seconds)
    _save(args.out, figures)
    if "queue" in workloads:
        steps = [n for n in args.steps if n <= args.max_calls]
        with short_tempdir() as workdir:
            figures["queue"] = bench_queue.queue_workload(
                workdir,
                steps,
                args.queue_rate,
                args.hold_s,
                on_step=lambda step: print(json.dumps(step), flush=True),
            )
        _save(args.out, figures)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
