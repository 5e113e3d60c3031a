"""The queue workload of `make bench`: outside callers waiting in a queue no agent serves.

A provider (SIPp, a trunk the box knows by its address) calls a DID that leads to a
queue with no agent logged in: every caller is answered, joins, hears its position and
the estimated hold time (every `ANNOUNCE_S`), a periodic announcement every 15 s and the
default music on hold between them, and is recorded from joining to hang-up. Each caller
sends a tone and counts the RTP the box sends back (tests/caller_media.py).

N callers are stepped up (100, 200, 400 ...): a step rings them in at `rate_cps`, holds
all N up together for `hold_s`, then hangs them up in the order they came. Stepping stops
at the first step where a call failed, the RTP returned to a caller fell under 99 % of 50
packets a second over the call, or a recording is missing or short (under the call less 1 s).
"""

import contextlib
import os
import re
import sqlite3
import threading
import time
import wave
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from firmware import control
from tests.call_center_box import ask, read_notifications
from tests.caller_media import PACKETS_PER_S, CallerMedia, PortCount
from tests.harness import Daemon, free_port, sipp, sipp_result, wait_until
from tests.latency import percentiles, response_times
from tests.process_meter import CpuReading, rss_mb

STEPS = (100, 200, 400, 600, 800, 1000)
QUEUE = "bench"
DID = "442071234600"
ANNOUNCE_S = 20  # position and hold time
PERIODIC_S = 15
RTP_PORT_MIN = 22000  # the box's: 22000-25999
FIRST_MEDIA_PORT = 28000  # callers' RTP: 28000, 28002 ... below Linux's ephemeral ports
RTP_RETURNED_MIN = 0.99
RECORDING_SLACK_MS = 1000


@dataclass(frozen=True)
class StepPlan:
    """One step: `calls` callers rung in at `rate_cps`, all up together for `hold_s`."""

    calls: int
    rate_cps: int
    hold_s: float

    @property
    def ramp_s(self) -> float:
        return self.calls / self.rate_cps

    @property
    def call_s(self) -> float:
        """How long each caller stays once answered: the first waits for the last."""
        return self.ramp_s + self.hold_s


@dataclass
class QueueBox:
    """The daemon with the trunk, the queue and an agent who never logs in."""

    daemon: Daemon
    provider_port: int
    recording: bool  # False while the queue refuses its `recording` setting
    media_port: int  # the first caller's RTP port; the next ones follow, two apart

    @classmethod
    def start(cls, workdir: Path, media_port: int = FIRST_MEDIA_PORT) -> "QueueBox":
        workdir.mkdir(parents=True, exist_ok=True)
        daemon = Daemon(
            workdir,
            {
                "edge": {"allow": ["127.0.0.0/8"]},
                "daemon": {"log_level": "warning"},
                # An RTP and an RTCP port per caller, and room for ports other
                # daemons on the machine hold in the range.
                "engine": {"rtp_port_min": RTP_PORT_MIN, "rtp_port_max": RTP_PORT_MIN + 3999},
            },
        )
        daemon.start()
        read_notifications(daemon)
        port = free_port()
        daemon.add_extension("1001", "Agent")
        ask(
            daemon,
            "trunk.add",
            name="provider",
            host=f"127.0.0.1:{port}",
            dids={DID: f"queue:{QUEUE}"},
        )
        ask(
            daemon,
            "queue.add",
            name=QUEUE,
            members=["1001"],
            join_when="always",
            announce_frequency_s=ANNOUNCE_S,
            announce_position=True,
            announce_hold_time=True,
            periodic_announce="queue-periodic-announce",
            periodic_frequency_s=PERIODIC_S,
            music_class="default",
        )
        return cls(daemon, port, _record_queue(daemon), media_port)

    @property
    def recordings_dir(self) -> Path | None:
        return self.daemon.data_dir / "recordings" if self.recording else None

    def close(self) -> None:
        self.daemon.close()


def _record_queue(daemon: Daemon) -> bool:
    """Ask for every caller of the queue to be recorded; False if the box cannot yet."""
    try:
        ask(daemon, "queue.set", name=QUEUE, recording="always")
    except control.RequestRefused as refused:
        if "recording" not in str(refused):
            raise
        return False
    return True


@dataclass
class Sample:
    """The box once a second during a step."""

    at_s: float  # time.monotonic()
    calls_up: int
    cpu: CpuReading
    rss_mb: float


@dataclass
class Sampler:
    """Samples the daemon every second on a thread of its own, until stopped."""

    daemon: Daemon
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pid = self.daemon.process.pid
        while True:
            cpu = CpuReading.of(pid)
            if not cpu.daemon_s:  # the daemon has gone: its figures would all read 0
                return
            calls_up = -1
            with contextlib.suppress(OSError, control.RequestRefused):
                calls_up = self.daemon.status()["calls_active"]
            self.samples.append(Sample(time.monotonic(), calls_up, cpu, rss_mb(pid)))
            if self._stop.wait(1.0):
                return

    def stop(self) -> list[Sample]:
        self._stop.set()
        self._thread.join(timeout=10)
        return self.samples


def _callers_file(directory: Path, calls: int, media_port: int) -> Path:
    """SIPp's injection file: each caller's number and the RTP port its SDP offers."""
    path = directory / "callers.csv"
    rows = (f"+4477009{index:05d};{CallerMedia.port(media_port, index)};" for index in range(calls))
    path.write_text("SEQUENTIAL\n" + "\n".join(rows) + "\n")
    return path


def _ring_callers(box: QueueBox, plan: StepPlan, directory: Path):
    """SIPp as the provider, delivering `plan.calls` callers to the DID."""
    return sipp(
        "queue_caller",
        f"{box.daemon.edge[0]}:{box.daemon.edge[1]}",
        service=DID,
        calls=plan.calls,
        rate=plan.rate_cps,
        limit=plan.calls,
        hold_ms=round(plan.call_s * 1000),
        local_port=box.provider_port,
        media_port=box.media_port - 4,  # SIPp binds this and +2 for an echo it never does
        workdir=directory,
        timeout_s=round(plan.ramp_s + plan.call_s) + 120,
        extra=(
            "-inf",
            str(_callers_file(directory, plan.calls, box.media_port)),
            "-trace_rtt",
            "-rtt_freq",
            "1",
        ),
    )


def _children_cpu_s() -> float:
    """CPU seconds of this process's finished children (SIPp, once waited for)."""
    usage = os.times()
    return usage.children_user + usage.children_system


def _db_time(moment: datetime) -> str:
    """A time as the store writes it, so that rows compare by text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")


def _ms_between(start: str | None, end: str | None) -> float:
    if not start or not end:
        return 0.0
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() * 1000


def call_rows(daemon: Daemon, since: datetime) -> list[dict]:
    """The callers' call records since `since`, each with its recording's row (or None)."""
    query = (
        "SELECT c.*, r.status AS rec_status, r.duration_ms AS rec_duration_ms, r.path AS rec_path"
        " FROM call_record c LEFT JOIN recording r ON r.uid = c.recording_uid AND c.recording_uid"
        " != '' WHERE c.started_at >= ? AND c.trunk = 'provider' ORDER BY c.id"
    )
    with contextlib.closing(sqlite3.connect(daemon.data_dir / "callbox.db")) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(query, (_db_time(since),))]


def _settled(daemon: Daemon, since: datetime) -> list[dict] | None:
    """The step's records once no call is up and no recording is still open."""
    if daemon.status()["calls_active"]:
        return None
    rows = call_rows(daemon, since)
    if any(not r["ended_at"] or r["rec_status"] == "recording" for r in rows):
        return None
    return rows


def _step_rows(daemon: Daemon, since: datetime) -> tuple[list[dict], str]:
    """The step's records, and what went wrong if the box did not settle ("" if it did)."""
    try:
        return wait_until(lambda: _settled(daemon, since), 120, "the step to settle"), ""
    except (AssertionError, OSError, control.RequestRefused) as err:
        if daemon.process.poll() is not None:
            trouble = f"the daemon died (exit status {daemon.process.returncode})"
        else:
            trouble = f"the box did not settle: {err}"
        return call_rows(daemon, since), trouble


def _file_ms(path: Path) -> float:
    """How much audio a recording's WAV file holds, in ms (0 if missing or unreadable)."""
    try:
        with wave.open(str(path)) as wav:
            return 1000 * wav.getnframes() / wav.getframerate()
    except (OSError, EOFError, wave.Error):
        return 0.0


def recording_figures(rows: list[dict], expected: int, recordings_dir: Path | None) -> dict:
    """How many callers' recordings are complete: recorded, and their file as long as the
    call less 1 s. `recordings_dir` None: the box cannot record queue callers yet."""
    if recordings_dir is None:
        return {"available": False, "note": "recordings unavailable: the queue refuses `recording`"}
    complete = short = missing = 0
    worst_shortfall_ms = 0.0
    for row in rows:
        if row["recording_status"] != "recorded" or row["rec_status"] != "complete":
            missing += 1
            continue
        audio_ms = min(row["rec_duration_ms"], _file_ms(recordings_dir / row["rec_path"]))
        shortfall_ms = _ms_between(row["answered_at"], row["ended_at"]) - audio_ms
        worst_shortfall_ms = max(worst_shortfall_ms, shortfall_ms)
        if shortfall_ms > RECORDING_SLACK_MS:
            short += 1
        else:
            complete += 1
    return {
        "available": True,
        "complete": complete,
        "expected": expected,
        "short": short,
        "missing": missing + max(0, expected - len(rows)),
        "worst_shortfall_ms": round(worst_shortfall_ms),
    }


def rtp_figures(counts: list[PortCount], plan: StepPlan) -> dict:
    """RTP the callers got back, against 50 packets a second for as long as they were up."""
    expected = round(plan.call_s * PACKETS_PER_S)
    returned = [min(1.0, c.received / expected) for c in counts]
    return {
        "returned_pct": round(100 * sum(returned) / len(returned), 2),
        "worst_call_pct": round(100 * min(returned), 2),
        "expected_per_call": expected,
        "received": sum(c.received for c in counts),
    }


def cpu_figures(samples: list[Sample], plan: StepPlan) -> dict:
    """The daemon's and Kamailio's CPU: per call over the whole step, and per call held
    while all the step's callers were up together (the cost of a waiting caller)."""
    whole = samples[-1].cpu.since(samples[0].cpu)
    figures = {
        "daemon_ms_per_call": round(1000 * whole.daemon_s / plan.calls, 1),
        "kamailio_ms_per_call": round(1000 * whole.children_s / plan.calls, 1),
    }
    full = [s for s in samples if s.calls_up >= plan.calls]
    if len(full) >= 2:
        held_s = full[-1].at_s - full[0].at_s
        held = full[-1].cpu.since(full[0].cpu)
        figures |= {
            "all_up_s": round(held_s, 1),
            "daemon_core_pct_all_up": round(100 * held.daemon_s / held_s, 1),
            "daemon_core_pct_per_call": round(100 * held.daemon_s / held_s / plan.calls, 3),
            "kamailio_core_pct_all_up": round(100 * held.children_s / held_s, 1),
            "daemon_threads_core_pct_all_up": {
                name: round(100 * spent_s / held_s, 1)
                for name, spent_s in sorted(held.threads_s.items(), key=lambda t: -t[1])
                if spent_s > 0
            },
        }
    return figures


def _verdict(step: dict, plan: StepPlan) -> str:
    """Why this step is the limit ("" if the box held it)."""
    recordings = step["recordings"]
    if step["failed"] or step["answered"] < plan.calls:
        return f"{plan.calls - step['answered']} calls not answered, {step['failed']} failed"
    if step["rtp"]["worst_call_pct"] < 100 * RTP_RETURNED_MIN:
        return f"RTP returned to the worst caller {step['rtp']['worst_call_pct']} %"
    if recordings["available"] and recordings["complete"] < plan.calls:
        return f"recordings: {recordings['short']} short, {recordings['missing']} missing"
    return ""


def run_step(box: QueueBox, plan: StepPlan, workdir: Path) -> dict:
    """Ring `plan.calls` callers into the queue, hold them, hang up; the step's figures."""
    directory = workdir / f"step-{plan.calls}"
    directory.mkdir()
    since, load_1m = datetime.now(UTC), os.getloadavg()[0]
    log_offset = box.daemon.log_path.stat().st_size
    media = CallerMedia(box.media_port, plan.calls).start()
    sampler = Sampler(box.daemon)
    sipp_cpu_s = _children_cpu_s()
    try:
        run = sipp_result(
            _ring_callers(box, plan, directory),
            directory,
            timeout_s=plan.ramp_s + plan.call_s + 180,
        )
    finally:
        counts = media.stop()
        sipp_cpu_s = _children_cpu_s() - sipp_cpu_s
    rows, trouble = _step_rows(box.daemon, since)
    samples = sampler.stop()
    step = {
        "calls": plan.calls,
        "rate_cps": plan.rate_cps,
        "call_s": round(plan.call_s, 1),
        "answered": sum(1 for r in rows if r["answered_at"]),
        "failed": max(run.failed, plan.calls - run.successful),
        "calls_up_peak": max(s.calls_up for s in samples),
        "setup_ms": percentiles(response_times(directory, "queue_caller").get("answer", [])),
        "rtp": rtp_figures(counts, plan),
        "recordings": recording_figures(rows, plan.calls, box.recordings_dir),
        "cpu": cpu_figures(samples, plan),
        "daemon_peak_rss_mb": round(max(s.rss_mb for s in samples), 1),
        "load_generator_cpu_s": {
            "sipp": round(sipp_cpu_s, 1),
            "caller_media": round(media.cpu_s, 1),
        },
        "machine_load_1m_before": round(load_1m, 2),
        "daemon_errors": logged_errors(box.daemon.log_path, log_offset),
    }
    step["limit"] = trouble or _verdict(step, plan)
    _drop_recordings(box.daemon)
    return step


def logged_errors(log_path: Path, offset: int) -> dict:
    """The ERROR lines the daemon logged since `offset`: how many, and the commonest kinds
    (an announcement the engine refused is heard by no one, yet fails no other figure)."""
    with log_path.open("rb") as log:
        log.seek(offset)
        lines = log.read().decode(errors="replace").splitlines()
    kinds = Counter(
        re.sub(r"\d+", "N", line.split(" ERROR ", 1)[1].strip())[:120]
        for line in lines
        if " ERROR " in line
    )
    return {"count": sum(kinds.values()), "commonest": dict(kinds.most_common(3))}


def _drop_recordings(daemon: Daemon) -> None:
    """Delete the step's recording files once checked: a 1000-call step writes ~1 GB."""
    for path in (daemon.data_dir / "recordings").rglob("*.wav"):
        path.unlink(missing_ok=True)


def queue_workload(
    workdir: Path,
    steps: list[int],
    rate_cps: int,
    hold_s: float,
    *,
    media_port: int = FIRST_MEDIA_PORT,
    on_step=None,
) -> dict:
    """Step the callers up until a step fails; the figures of every step run."""
    box = QueueBox.start(workdir / "box", media_port)
    results = []
    try:
        for calls in steps:
            step = run_step(box, StepPlan(calls, rate_cps, hold_s), workdir)
            results.append(step)
            if on_step:
                on_step(step)
            if step["limit"]:
                break
    finally:
        box.close()
    held = [s["calls"] for s in results if not s["limit"]]
    return {
        "workload": "callers waiting in a queue with announcements, MOH and recording",
        "rate_cps": rate_cps,
        "hold_s": hold_s,
        "recordings_available": box.recording,
        "held_calls": max(held, default=0),
        "limit": next((f"{s['calls']} calls: {s['limit']}" for s in results if s["limit"]), ""),
        "steps": results,
    }


_COLUMNS = (
    ("N", lambda s: s["calls"]),
    ("failed", lambda s: s["failed"]),
    (
        "set-up p50/p95/p99 ms",
        lambda s: "/".join(str(s["setup_ms"].get(k, "-")) for k in ("p50_ms", "p95_ms", "p99_ms")),
    ),
    (
        "RTP returned % (worst call)",
        lambda s: f"{s['rtp']['returned_pct']} ({s['rtp']['worst_call_pct']})",
    ),
    ("recordings complete", lambda s: _recordings_cell(s["recordings"], s["calls"])),
    ("daemon % core, all up", lambda s: s["cpu"].get("daemon_core_pct_all_up", "-")),
    ("daemon % core per call", lambda s: s["cpu"].get("daemon_core_pct_per_call", "-")),
    ("of which bridge clock / RTP / the rest", lambda s: _threads_cell(s["cpu"])),
    ("Kamailio % core, all up", lambda s: s["cpu"].get("kamailio_core_pct_all_up", "-")),
    ("daemon CPU ms/call", lambda s: s["cpu"]["daemon_ms_per_call"]),
    ("daemon peak RSS MB", lambda s: s["daemon_peak_rss_mb"]),
    ("SIPp + media CPU s", lambda s: round(sum(s["load_generator_cpu_s"].values()), 1)),
    ("daemon errors logged", lambda s: s["daemon_errors"]["count"]),
)


def _threads_cell(cpu: dict) -> str:
    """pjmedia's bridge clock (mixing, players, recorders) and RTP threads, and the rest
    (the Python threads: loop, SIP, database) in % of a core while all were up."""
    threads = cpu.get("daemon_threads_core_pct_all_up")
    if not threads:
        return "-"
    clock, rtp = threads.get("clock", 0.0), threads.get("media", 0.0)
    rest = cpu["daemon_core_pct_all_up"] - clock - rtp
    return f"{clock} / {rtp} / {round(rest, 1)}"


def _recordings_cell(recordings: dict, calls: int) -> str:
    if not recordings["available"]:
        return "unavailable"
    return f"{recordings['complete']}/{calls}"


def markdown(figures: dict) -> str:
    """The queue workload's steps as a markdown table, with what limited N."""
    lines = [
        f"Queue workload: {figures['rate_cps']} calls/s in, all up together for "
        f"{figures['hold_s']} s; held {figures['held_calls']} calls.",
        "",
        "| " + " | ".join(name for name, _ in _COLUMNS) + " |",
        "|" + "---|" * len(_COLUMNS),
    ]
    lines += [
        "| " + " | ".join(str(cell(s)) for _, cell in _COLUMNS) + " |" for s in figures["steps"]
    ]
    lines += ["", f"Limit: {figures['limit'] or 'none reached'}."]
    return "\n".join(lines) + "\n"
