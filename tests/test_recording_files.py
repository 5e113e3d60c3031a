"""Recording without calls: WAV repair after a cut, the two-channel merge, retention and quotas,
the feature code and policy resolution."""

import struct
import wave
from array import array
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from pbx.recording import RecordingMode, RecordingPolicies, RecordingPolicy, Retention, Scope
from pbx.recording.closing import close_files
from pbx.recording.feature_code import FeatureCode
from pbx.recording.retention import RetentionSweep
from pbx.recording.storage import RecordingStorage, files_for
from pbx.recording.two_channel import merge
from pbx.recording.wav_file import header, is_closed, repair
from pbx.store import RecordingEntry, RecordingStore, main_database

RATE = 8000
FRAME_BYTES = 320  # 20 ms of 16-bit mono at 8 kHz


def left_open(path, samples: array, torn_bytes: int = 0) -> None:
    """A file as pjmedia's writer leaves it when the process dies: sizes still 0."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header(RATE, 1, 0) + samples.tobytes() + b"\x7f" * torn_bytes)


def ramp(seconds: float, start: int = 0) -> array:
    return array("h", ((start + n) % 20000 for n in range(round(seconds * RATE))))


def frames_of(path) -> tuple[int, int, bytes]:
    with wave.open(str(path)) as wav:
        return wav.getnchannels(), wav.getnframes(), wav.readframes(wav.getnframes())


def test_a_file_left_open_by_a_kill_plays_after_repair_with_every_whole_frame(tmp_path):
    path = tmp_path / "cut.wav"
    samples = ramp(2.5)
    left_open(path, samples, torn_bytes=123)  # the write the cut broke off
    assert not is_closed(path)

    assert repair(path, RATE) == pytest.approx(2.5)
    assert is_closed(path)
    channels, count, data = frames_of(path)
    assert (channels, count) == (1, len(samples))
    assert data == samples.tobytes(), "not a sample lost or changed"


def test_a_torn_header_becomes_a_valid_empty_file(tmp_path):
    path = tmp_path / "torn.wav"
    path.write_bytes(b"RIFF\0\0")
    assert repair(path, RATE) == 0.0
    assert frames_of(path)[:2] == (1, 0)


def test_a_closed_file_is_left_as_it_is(tmp_path):
    path = tmp_path / "whole.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(ramp(1.0).tobytes())
    before = path.read_bytes()
    assert is_closed(path)
    assert repair(path, RATE) == pytest.approx(1.0)
    assert path.read_bytes() == before


def test_two_sides_merge_into_one_file_left_and_right(tmp_path):
    left, right, out = tmp_path / "L.wav", tmp_path / "R.wav", tmp_path / "2ch.wav"
    a, b = ramp(1.0), ramp(0.5, start=5000)  # the shorter side is padded with silence
    for path, samples in ((left, a), (right, b)):
        left_open(path, samples)
        repair(path, RATE)

    assert merge(left, right, out) == pytest.approx(1.0)
    channels, count, data = frames_of(out)
    assert (channels, count) == (2, len(a))
    both = array("h", data)
    assert both[0::2] == a
    assert both[1::2] == b + array("h", bytes(2 * (len(a) - len(b))))
    assert not out.with_name(out.name + ".part").exists()


def test_a_cut_two_channel_recording_is_repaired_and_merged_at_start_up(tmp_path):
    storage = RecordingStorage(tmp_path, 0)
    files = files_for("c0ffee", datetime(2026, 5, 4, 10, tzinfo=UTC), two_channel=True)
    assert files.mono == "2026/05/04/c0ffee.wav"
    for relative, start in ((files.mono, 0), (files.left, 1), (files.right, 2)):
        left_open(storage.path(relative), ramp(1.5, start), torn_bytes=FRAME_BYTES - 1)

    closed = close_files(storage, files, RATE, wait_s=0.0)
    assert closed.repaired
    assert closed.duration_s == pytest.approx(1.5)
    assert frames_of(storage.path(files.two_channel))[:2] == (2, 1.5 * RATE)
    assert not storage.path(files.left).exists()
    assert not storage.path(files.right).exists()
    assert closed.size_bytes == sum(
        storage.path(f).stat().st_size for f in (files.mono, files.two_channel)
    )


NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def retention_box(tmp_path):
    database = main_database(tmp_path / "callbox.db")
    await database.open()
    store = RecordingStore(database)
    storage = RecordingStorage(tmp_path / "recordings", 0)
    yield store, storage
    await database.close()


async def add_recording(store, storage, uid: str, age_days: float, size: int, *, policy="default"):
    started = NOW - timedelta(days=age_days)
    files = files_for(uid, started, two_channel=False)
    path = storage.path(files.mono)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0" * size)
    entry = RecordingEntry(uid, f"call-{uid}", files.mono, started, policy=policy)
    await store.started(entry)
    await store.updated(uid, status="complete", size_bytes=size)


@pytest.mark.asyncio
async def test_retention_deletes_what_is_older_than_its_days(retention_box):
    store, storage = retention_box
    for uid, age in (("old", 31), ("edge", 29.9), ("new", 1)):
        await add_recording(store, storage, uid, age, 1000)
    policies = RecordingPolicies(RecordingPolicy(RecordingMode.ALWAYS, retention=Retention(30)))

    assert await RetentionSweep(store, storage, policies).run(NOW) == 1
    assert {r.uid for r in await store.finished()} == {"edge", "new"}
    assert not any(storage.root.rglob("old.wav"))
    assert await RetentionSweep(store, storage, policies).run(NOW + timedelta(days=1)) == 1


@pytest.mark.asyncio
async def test_a_quota_deletes_the_oldest_first_per_retention_class(retention_box):
    store, storage = retention_box
    for uid, age in (("a", 5), ("b", 4), ("c", 3), ("d", 2)):
        await add_recording(store, storage, uid, age, 1000)
    await add_recording(store, storage, "queue-old", 9, 5000, policy="queue:sales")
    policies = RecordingPolicies(
        RecordingPolicy(RecordingMode.ALWAYS, retention=Retention(quota_bytes=2500))
    )
    policies.add_class("queue:sales", Retention())  # a class with no limits of its own

    assert await RetentionSweep(store, storage, policies).run(NOW) == 2
    assert [r.uid for r in await store.finished()] == ["queue-old", "c", "d"]
    assert sorted(p.name for p in storage.root.rglob("*.wav")) == [
        "c.wav",
        "d.wav",
        "queue-old.wav",
    ]


@pytest.mark.asyncio
async def test_a_recording_still_being_written_is_never_swept(retention_box):
    store, storage = retention_box
    await store.started(RecordingEntry("live", "call", "live.wav", NOW - timedelta(days=400)))
    policies = RecordingPolicies(RecordingPolicy(RecordingMode.ALWAYS, retention=Retention(1, 1)))
    assert await RetentionSweep(store, storage, policies).run(NOW) == 0


def test_the_feature_code_is_recognised_only_when_keyed_in_time():
    now = [0.0]
    code = FeatureCode("*1", gap_s=3.0, clock=lambda: now[0])
    assert [code.feed(7, d) for d in "5*1"] == [False, False, True]
    assert code.feed(8, "1") is False, "each leg keys its own"
    code.feed(7, "*")
    now[0] += 3.5
    assert code.feed(7, "1") is False, "too slow: starts over"
    assert [code.feed(7, d) for d in "**1"] == [False, False, True]


@pytest.mark.asyncio
async def test_the_strongest_policy_of_a_calls_scopes_wins_and_the_default_fills_in():
    default = RecordingPolicy(RecordingMode.ON_DEMAND)
    policies = RecordingPolicies(default)
    settings = {"1001": RecordingMode.NEVER, "1002": RecordingMode.ALWAYS}

    async def extension(number: str) -> RecordingPolicy | None:
        mode = settings.get(number)
        return RecordingPolicy(mode) if mode else None

    sales = RecordingPolicy(RecordingMode.ALWAYS, name="queue:sales", two_channel=True)
    policies.add_kind("extension", extension)
    policies.add_kind("queue", lambda name: _async(sales if name == "sales" else None))

    def ext(n: str) -> Scope:
        return Scope("extension", n)

    assert await policies.resolve([ext("1003")]) is default
    assert (await policies.resolve([ext("1001"), ext("1003")])).mode is RecordingMode.NEVER
    assert (await policies.resolve([ext("1001"), ext("1002")])).mode is RecordingMode.ALWAYS
    assert await policies.resolve([Scope("queue", "sales"), ext("1002")]) is sales
    assert await policies.resolve([Scope("route", "unknown kind")]) is default


async def _async(value):
    return value


def test_header_matches_what_pjmedia_writes():
    # pjmedia_wave_hdr: RIFF, sizes, fmt chunk of 16 bytes, data chunk; 44 bytes in all.
    assert len(header(RATE, 1)) == 44
    assert struct.unpack_from("<HHIIHH", header(RATE, 1), 20) == (1, 1, RATE, 2 * RATE, 2, 16)


def test_flushing_syncs_the_recordings_file_system(tmp_path):
    storage = RecordingStorage(tmp_path / "recordings", 0)
    storage.flush()  # no directory yet: nothing to flush
    files = files_for("f00d", NOW, two_channel=False)
    storage.prepare(files)
    left_open(storage.path(files.mono), ramp(0.1))
    storage.flush()
    assert storage.path(files.mono).parent.stat().st_mode & 0o007 == 0, "no access for others"
