"""Call-center test bench: a daemon with agents' and callers' phones, prompts made of tones."""

import contextlib
import math
import sqlite3
import statistics
import time
from pathlib import Path

from firmware import control
from tests.harness import free_port
from tests.phone_client import Phone
from tests.test_edge import write_tone
from tests.tones import read_wav, rms_dbfs, tone_level_db

MUSIC_HZ = 440  # the music on hold
POSITION_HZ = 1500  # every English position and hold-time prompt
PERIODIC_HZ = 2000  # the periodic announcement
# French: each part of "il y a <n> appels en attente" has its own tone, so the order shows.
FR_THERE_ARE_HZ, FR_NUMBER_HZ, FR_WAITING_HZ = 1100, 1300, 1700
HOSTS = {
    "1001": "127.0.0.3",
    "1002": "127.0.0.4",
    "1003": "127.0.0.5",
    "1008": "127.0.0.7",  # a supervisor
    "1009": "127.0.0.6",  # a caller from the office
}
AGENTS = ("1001", "1002", "1003")
_DIGITS = [f"digits/{n}" for n in (*range(21), 30, 40, 50, 60, 70, 80, 90)]


def make_sounds(workdir: Path) -> dict:
    """Music, and prompt sets in English and French whose tones a test can recognise;
    settings pointing at them."""
    music, sounds = workdir / "music", workdir / "sounds"
    music.mkdir()
    write_tone(music / "hold.wav", MUSIC_HZ)
    english = ["queue-youarenext", "queue-thereare", "queue-callswaiting", "queue-holdtime"]
    english += ["queue-less-than", "queue-thankyou", "digits/hundred", *_DIGITS]
    english += ["minute", "minutes", "second", "seconds", "vm-and"]  # durations
    for name in english:
        _prompt(sounds / "en" / f"{name}.wav", POSITION_HZ)
    _prompt(sounds / "en" / "queue-periodic.wav", PERIODIC_HZ, 0.6)
    french = {"queue-thereare": FR_THERE_ARE_HZ, **dict.fromkeys(_DIGITS, FR_NUMBER_HZ)}
    french |= {"queue-callswaiting": FR_WAITING_HZ, "queue-youarenext": FR_WAITING_HZ}
    for name, hz in french.items():
        _prompt(sounds / "fr" / f"{name}.wav", hz)
    return {"moh": {"default_dir": str(music)}, "prompts": {"sounds_dir": str(sounds)}}


def _prompt(path: Path, hz: int, seconds: float = 0.8) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_tone(path, hz, seconds)


def ask(box, command: str, **args):
    return control.request(box.data_dir / "callbox.sock", command, **args)


def start_box(make_daemon, workdir: Path, numbers=(*AGENTS, "1008", "1009"), **settings):
    sounds = make_sounds(workdir)
    box = make_daemon({**sounds, "routing": {"ring_timeout_s": 10}, **settings}).start()
    box.secrets = {n: box.add_extension(n, f"Ext {n}") for n in numbers}
    return box


@contextlib.contextmanager
def phones(box, *numbers: str):
    """Registered phones for `numbers`, closed on the way out."""
    started: list[Phone] = []
    try:
        for number in numbers:
            started.append(
                Phone.start(
                    port=free_port(),
                    name=f"p{number}",
                    user=number,
                    secret=box.secrets[number],
                    bind=HOSTS[number],
                    registrar=box.registrar,
                )
            )
        for phone in started:
            phone.wait_for("registration", active=True, timeout=10)
        yield started
    finally:
        for phone in started:
            phone.close()


def add_queue(box, name: str, members, **settings) -> dict:
    """A queue with number 6xx-style `settings["number"]`, members as numbers or pairs."""
    settings.setdefault("wrapup_s", 0)
    settings.setdefault("retry_s", 0)
    return ask(box, "queue.add", name=name, members=list(members), **settings)


def log_in(box, *agents: str) -> None:
    for agent in agents:
        ask(box, "agent.login", extension=agent)


def first_to_ring(phones_: list[Phone], timeout_s: float = 10.0) -> Phone:
    """The phone that gets an incoming call first (others keep their events)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for phone in phones_:
            with contextlib.suppress(AssertionError):
                phone.take("incoming", timeout=0.02)
                return phone
    raise AssertionError(f"no phone of {[p.name for p in phones_]} rang")


def no_ringing(phones_: list[Phone], within_s: float = 0.5) -> bool:
    """True if none of the phones gets an incoming call within `within_s`."""
    try:
        first_to_ring(phones_, within_s)
    except AssertionError:
        return True
    return False


def answer(phone: Phone) -> None:
    phone.answer()
    phone.wait_for("state", state="CONFIRMED", timeout=10)
    phone.wait_for("media", timeout=5)


def tone_spans(path, hz_list, window_s: float = 0.2, threshold_db: float = -6.0) -> list:
    """For each window of a recording, which of `hz_list` dominates it (None: none/silence)."""
    samples, rate = read_wav(path)
    size = round(window_s * rate)
    spans = []
    for start in range(0, len(samples) - size + 1, size):
        window = samples[start : start + size]
        found = None
        if rms_dbfs(window) > -50:
            found = next(
                (hz for hz in hz_list if tone_level_db(window, rate, hz) >= threshold_db), None
            )
        spans.append(found)
    return spans


def _windows(path, window_s: float, skip_s: float = 0.0) -> tuple[list[list[float]], int]:
    """A recording cut in windows of `window_s` from `skip_s` on, and its rate."""
    samples, rate = read_wav(path)
    size = round(window_s * rate)
    starts = range(round(skip_s * rate), len(samples) - size + 1, size)
    return [samples[i : i + size] for i in starts], rate


def mix_level_db(path, hz: float, skip_s: float = 0.3, window_s: float = 0.02) -> float:
    """How much of a recording is `hz`: its share of the power of the median window, in
    dB (-inf for silence). Short windows keep a frame that a jitter buffer drops or
    repeats from smearing the tone's phase, which one long window would count as loss."""
    windows, rate = _windows(path, window_s, skip_s)
    return statistics.median(tone_level_db(window, rate, hz) for window in windows)


def tone_end_s(path, hz: float, window_s: float = 0.02) -> float:
    """When `hz` was last heard in a recording (within 10 dB of its loudest), in seconds
    from the start, to `window_s`."""
    windows, rate = _windows(path, window_s)
    levels = [rms_dbfs(window) + tone_level_db(window, rate, hz) for window in windows]
    loudest = max(levels, default=-math.inf)
    assert loudest > -40, f"no {hz} Hz in {path}"
    last = max(i for i, level in enumerate(levels) if level > loudest - 10)
    return (last + 1) * window_s


def events(box, kind: str | None = None) -> list[dict]:
    with contextlib.closing(sqlite3.connect(box.data_dir / "callbox.db")) as db:
        db.row_factory = sqlite3.Row
        rows = [dict(r) for r in db.execute("SELECT * FROM queue_event ORDER BY id")]
    return [r for r in rows if kind is None or r["kind"] == kind]


def call_queue(caller, number: str = "600") -> None:
    caller.call(number)
    caller.wait_for("state", state="CONFIRMED", timeout=10)
    caller.wait_for("media", timeout=5)


def rung(agents, caller, number: str = "600"):
    """Call the queue; return the agent that rings (it answers, then hangs up)."""
    call_queue(caller, number)
    agent = first_to_ring(agents)
    answer(agent)
    agent.hangup()
    caller.wait_for("state", state="DISCONNECTED", timeout=10)
    agent.wait_for("state", state="DISCONNECTED", timeout=10)
    return agent
