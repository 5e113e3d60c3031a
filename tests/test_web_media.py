"""Music on hold, prompts and recordings in the panel and its API (the panel in this process).

Uploads are real audio made by sox (an MP3, a WAV at 22 kHz) and real broken
files; recordings are rows and files placed as the recorder leaves them.
"""

import io
import json
import subprocess
import uuid
import wave
from datetime import UTC, datetime, timedelta

import pytest

from pbx.recording.storage import files_for
from pbx.store import RecordingEntry, RecordingStore
from pbx.transcoder import AudioError, Transcoder
from tests.web_box import web_box

MIB = 1024 * 1024


def sox(*args) -> None:
    subprocess.run(["sox", *map(str, args)], check=True, capture_output=True)


def tone(tmp_path, name: str, *args: str, seconds: float = 2.0) -> bytes:
    """A 440 Hz tone in the format `name`'s suffix says (sox options in `args`)."""
    sox("-n", *args, tmp_path / name, "synth", str(seconds), "sine", "440", "gain", "-6")
    return (tmp_path / name).read_bytes()


def multipart(fields: dict[str, str], filename: str, data: bytes) -> tuple[bytes, str]:
    """A browser's form upload: the fields, then the file as `file`."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: audio/mpeg\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def wav_format(data: bytes) -> tuple[int, int, int, float]:
    """Rate, channels, bytes per sample and seconds of a WAV file's bytes."""
    with wave.open(io.BytesIO(data)) as audio:
        frames, rate = audio.getnframes(), audio.getframerate()
        return rate, audio.getnchannels(), audio.getsampwidth(), frames / rate


async def upload(browser, path: str, data: bytes, **query: str):
    """POST raw bytes to an API upload route with the session's CSRF token."""
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    response = await browser.fetch(
        path + suffix, "POST", data, X_CSRF_Token=browser.csrf_token,
        Content_Type="application/octet-stream",
    )  # fmt: skip
    return response.code, json.loads(response.body or b"{}")


def box_dir(tmp_path):
    (tmp_path / "box").mkdir()
    return tmp_path / "box"


def music_files(box) -> set[str]:
    folder = box.api.music._dir
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


@pytest.mark.asyncio
async def test_mp3_and_wav_uploads_become_engine_wavs_and_play_back(tmp_path):
    mp3 = tone(tmp_path, "song.mp3", "-r", "44100", "-c", "2")
    wav = tone(tmp_path, "jingle.wav", "-r", "22050", "-c", "2")
    async with web_box(box_dir(tmp_path)) as box:
        boss = await box.signed_in("supervisor")
        await boss.get("/music")
        made = await boss.api("/api/music", "POST", {"name": "sales", "order": "shuffled"})
        assert made[0] == 200, made

        code, added = await upload(boss, "/api/music/sales/files", mp3, title="Song")
        assert code == 201, added
        body, content_type = multipart({"csrf_token": boss.csrf_token}, "Jingle.wav", wav)
        page = await boss.fetch("/music/sales/upload", "POST", body, Content_Type=content_type)
        assert page.code == 302, page.body
        shown = await boss.get(page.headers["Location"])
        assert b"The file was converted and added." in shown.body

        code, listing = await boss.api("/api/music/sales")
        titles = {f["title"]: f for f in listing["files"]}
        assert sorted(titles) == ["Jingle", "Song"]
        assert listing["order"] == "shuffled"
        for track in titles.values():
            played = await boss.get(track["audio"])
            assert played.code == 200
            assert played.headers["Content-Type"] == "audio/wav"
            rate, channels, width, seconds = wav_format(played.body)
            assert (rate, channels, width) == (8000, 1, 2), "the engine's format"
            assert seconds == pytest.approx(2.0, abs=0.1)
            assert f'data-play="{track["audio"]}"'.encode() in (await boss.get("/music")).body

        # The default class lists Debian's music too, played from its own list only.
        code, default = await boss.api("/api/music/default")
        debian = [f for f in default["files"] if not f["uploaded"]]
        assert debian, "asterisk-moh-opsound-wav is installed"
        assert (await boss.get(debian[0]["audio"])).code == 200
        for sneaky in ("..%2f..%2fetc%2fpasswd", "%2e%2e", "passwd", "x.wav"):
            assert (await boss.get(f"/music/default/files/{sneaky}")).code == 404

        file_id = titles["Song"]["id"]
        gone = await boss.api(f"/api/music/sales/files/{file_id}", "DELETE")
        assert gone[0] == 204
        assert (await boss.get(titles["Song"]["audio"])).code == 404
        assert music_files(box) == {titles["Jingle"]["id"]}
        actions = [e.action for e in await box.api.web.audit.recent(action="")]
        assert actions.count("moh.upload") == 2
        assert "moh.remove" in actions


BAD_UPLOADS = {
    "a text file called .mp3": (b"Dear customer, this is not music.\n" * 40, "not an audio file"),
    "an empty file": (b"", "the file is empty"),
    "a truncated MP3": (None, "the MP3 file cannot be read: it is cut short"),
    "a truncated WAV": (None, "the WAV file cannot be read: it is cut short"),
}


@pytest.mark.asyncio
async def test_malformed_uploads_are_refused_with_a_message_and_nothing_is_lost(tmp_path):
    mp3 = tone(tmp_path, "good.mp3", "-r", "44100", "-c", "2")
    cut = {
        "a truncated MP3": mp3[: len(mp3) // 2 + 7],
        "a truncated WAV": tone(tmp_path, "w.wav", "-r", "8000")[:9000],
    }
    async with web_box(box_dir(tmp_path)) as box:
        admin = await box.signed_in("admin", "admin")
        await admin.get("/music")
        code, before = await upload(admin, "/api/music/default/files", mp3, title="Keep")
        assert code == 201
        kept = box.api.music.track_path("default", before["file"]).read_bytes()
        files_before = music_files(box)

        for what, (text, message) in BAD_UPLOADS.items():
            data = cut.get(what, text)
            code, answer = await upload(admin, "/api/music/default/files", data)
            assert (code, message in answer.get("error", "")) == (400, True), (what, answer)
            body, content_type = multipart({"csrf_token": admin.csrf_token}, "bad.mp3", data)
            page = await admin.fetch(
                "/music/default/upload", "POST", body, Content_Type=content_type
            )
            assert page.code == 400, what
            assert message.encode() in page.body, what
            assert b'id="media-error"' in page.body
            code, answer = await upload(admin, "/api/prompts/welcome/en/upload", data)
            assert (code, message in answer["error"]) == (400, True), (what, answer)

        huge = mp3 * (17 * MIB // len(mp3) + 1)
        code, answer = await upload(admin, "/api/music/default/files", huge)
        assert (code, answer["error"]) == (413, "the file is over 16 MiB")
        body, content_type = multipart({"csrf_token": admin.csrf_token}, "huge.mp3", huge)
        page = await admin.fetch("/music/default/upload", "POST", body, Content_Type=content_type)
        assert page.code == 413
        assert b"the file is over 16 MiB" in page.body

        assert music_files(box) == files_before, "no file added, none lost"
        assert box.api.music.track_path("default", before["file"]).read_bytes() == kept
        assert box.api.prompts.prompts() == []
        refused = await box.api.web.audit.recent(action="moh.upload")
        assert [e.outcome for e in refused].count("refused") == 2 * len(BAD_UPLOADS)


@pytest.mark.asyncio
async def test_prompts_by_language_uploaded_or_spoken_then_removed(tmp_path):
    wav = tone(tmp_path, "hello.wav", "-r", "44100")
    async with web_box(box_dir(tmp_path)) as box:
        boss = await box.signed_in("supervisor")
        await boss.get("/prompts")
        code, _ = await upload(boss, "/api/prompts/welcome/en/upload", wav)
        assert code == 201
        first = (await boss.get("/prompts/welcome/en/audio")).body
        code, refused = await upload(boss, "/api/prompts/welcome/en/upload", wav[:5000])
        assert (code, refused["error"]) == (400, "the WAV file cannot be read: it is cut short")
        assert (await boss.get("/prompts/welcome/en/audio")).body == first, "the old one stays"
        spoken = await boss.api("/api/prompts/welcome/fr", "PUT", {"text": "Bonjour et bienvenue"})
        assert spoken[0] == 200, spoken
        code, listing = await boss.api("/api/prompts")
        (welcome,) = listing["prompts"]
        assert [(v["language"], v["kind"]) for v in welcome["versions"]] == [
            ("en", "recording"), ("fr", "text")
        ]  # fmt: skip
        assert listing["recorded"]["en"] > 100, "Debian's English set"
        typed = await boss.post("/prompts/text", {"name": "bye", "language": "", "text": "Goodbye"})
        assert (typed.code, typed.headers["Location"]) == (302, "/prompts?saved=bye")
        page = (await boss.get("/prompts?saved=bye")).body.decode()
        assert "Prompt bye saved." in page
        assert "Bonjour et bienvenue" in page
        for version in welcome["versions"]:
            played = await boss.get(version["audio"])
            assert played.code == 200
            assert wav_format(played.body)[:3] == (8000, 1, 2)
        assert (await boss.get("/prompts/welcome/de/audio")).code == 404
        assert (await boss.api("/api/prompts/welcome/fr", "DELETE"))[0] == 204
        assert (await boss.get("/prompts/welcome/fr/audio")).code == 404
        await boss.get("/prompts")
        for name in ("welcome", "bye"):
            removed = await boss.post(f"/prompts/{name}/delete", {"language": ""})
            assert removed.code == 302
        assert box.api.prompts.prompts() == []


# --- recordings --------------------------------------------------------------------------

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CALLS = [  # minutes after START, caller, callee, queue, agent
    (0, "0612345678", "1001", "", "1001"),
    (60, "1002", "1003", "", "1003"),
    (24 * 60, "0798765432", "200", "sales", "1004"),
    (2 * 24 * 60, "0612345678", "200", "support", "1001"),
]


async def place_recordings(box) -> list[str]:
    """Rows and files as the recorder leaves them; each file's bytes name its call."""
    store = RecordingStore(box.database)
    root = box.api.recordings._storage.root
    uids = []
    for minutes, caller, callee, queue, agent in CALLS:
        uid, started = uuid.uuid4().hex, START + timedelta(minutes=minutes)
        files = files_for(uid, started, two_channel=queue == "support")
        (root / files.mono).parent.mkdir(parents=True, exist_ok=True)
        (root / files.mono).write_bytes(b"RIFF" + uid.encode() * 50)
        if files.two_channel:
            (root / files.two_channel).write_bytes(b"RIFF 2ch" + uid.encode() * 50)
        entry = RecordingEntry(
            uid, f"call-{uid}", files.mono, started, caller=caller, callee=callee,
            queue=queue, agent=agent, two_channel_path=files.two_channel,
        )  # fmt: skip
        await store.started(entry)
        await store.updated(uid, status="complete", duration_ms=61_000, size_bytes=204)
        uids.append(uid)
    return uids


@pytest.mark.asyncio
async def test_recordings_are_found_by_date_number_agent_and_queue_a_page_at_a_time(tmp_path):
    async with web_box(box_dir(tmp_path)) as box:
        uids = await place_recordings(box)
        boss = await box.signed_in("supervisor")

        async def ids(query: str) -> list[str]:
            code, found = await boss.api(f"/api/recordings?{query}")
            assert code == 200, found
            return [r["id"] for r in found["recordings"]]

        assert await ids("") == uids[::-1], "newest first"
        assert await ids("since=2027-03-02") == [uids[3], uids[2]]
        assert await ids("since=2027-03-01&until=2027-03-01") == [uids[1], uids[0]]
        assert await ids("until=2027-03-01T09:30:00Z") == [uids[0]]
        assert await ids("number=0612345678") == [uids[3], uids[0]]
        assert await ids("number=1003") == [uids[1]], "the called number too"
        assert await ids("number=5678") == [uids[3], uids[0]], "part of a number"
        assert await ids("agent=1001") == [uids[3], uids[0]]
        assert await ids("queue=sales") == [uids[2]]
        assert await ids("queue=support&agent=1004") == []
        code, page = await boss.api("/api/recordings?per_page=3&page=2")
        assert (page["total"], page["page"], [r["id"] for r in page["recordings"]]) == (
            4, 2, [uids[0]]
        )  # fmt: skip
        for bad in ("since=yesterday", "number=%25", "page=0", "per_page=5000", "page=" + "9" * 30):
            code, answer = await boss.api(f"/api/recordings?{bad}")
            assert code == 400, bad
            assert answer["error"], bad

        page = (await boss.get("/recordings?queue=sales")).body.decode()
        assert f'data-recording="{uids[2]}"' in page
        assert uids[0] not in page
        assert "1 recordings found" in page


@pytest.mark.asyncio
async def test_play_download_and_delete_are_audited_and_delete_is_for_admins(tmp_path):
    async with web_box(box_dir(tmp_path)) as box:
        uids = await place_recordings(box)
        root = box.api.recordings._storage.root
        boss = await box.signed_in("supervisor")
        admin = await box.signed_in("admin", "admin")
        stored = (root / files_for(uids[0], START, False).mono).read_bytes()

        played = await boss.get(f"/recordings/{uids[0]}/audio")
        assert (played.code, played.body) == (200, stored)
        download = await boss.get(f"/recordings/{uids[0]}/download")
        assert download.body == stored
        assert download.headers["Content-Disposition"].startswith("attachment")
        api_download = await boss.fetch(f"/api/recordings/{uids[0]}/download")
        assert api_download.body == stored
        both = await boss.get(f"/recordings/{uids[3]}/download?channels=2")
        assert both.body.startswith(b"RIFF 2ch")
        assert (await boss.get(f"/recordings/{uids[0]}/download?channels=2")).code == 404

        await boss.get("/recordings")
        refused = await boss.post(f"/recordings/{uids[0]}/delete")
        assert refused.code == 403
        assert (await boss.api(f"/api/recordings/{uids[0]}", "DELETE"))[0] == 403
        await admin.get("/recordings")
        assert (await admin.post(f"/recordings/{uids[0]}/delete")).code == 302
        assert (await admin.api(f"/api/recordings/{uids[1]}", "DELETE"))[0] == 204
        assert not (root / files_for(uids[0], START, False).mono).exists()
        assert (await boss.get(f"/recordings/{uids[0]}/audio")).code == 404
        _, left = await boss.api("/api/recordings")
        assert [r["id"] for r in left["recordings"]] == [uids[3], uids[2]]

        audit = await box.api.web.audit.recent(action="")
        rows = [(e.actor, e.action, e.target, e.outcome) for e in audit[::-1]]
        assert [r for r in rows if r[1].startswith("recording.")] == [
            ("supervisor1", "recording.play", uids[0], "ok"),
            ("supervisor1", "recording.download", uids[0], "ok"),
            ("supervisor1", "recording.download", uids[0], "ok"),
            ("supervisor1", "recording.download", f"{uids[3]} (2 channels)", "ok"),
            ("supervisor1", "recording.download", f"{uids[0]} (2 channels)", "refused"),
            ("admin", "recording.delete", uids[0], "ok"),
            ("admin", "recording.delete", uids[1], "ok"),
            ("supervisor1", "recording.play", uids[0], "refused"),
        ]


@pytest.mark.asyncio
async def test_no_request_reads_a_file_outside_the_recordings(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"TOP SECRET")
    async with web_box(box_dir(tmp_path)) as box:
        uids = await place_recordings(box)
        store = RecordingStore(box.database)
        root = box.api.recordings._storage.root
        # Rows changed behind the box's back: an absolute path, a climb out, a planted symlink.
        await store.updated(uids[0], path=str(secret))
        await store.updated(uids[1], path="../../secret.txt")
        (root / "link.wav").symlink_to(secret)
        await store.updated(uids[2], path="link.wav")
        admin = await box.signed_in("admin", "admin")
        attempts = [
            *(f"/recordings/{uid}/{what}" for uid in uids[:3] for what in ("audio", "download")),
            *(f"/api/recordings/{uid}/download" for uid in uids[:3]),
            "/recordings/../../etc/passwd/audio",
            "/recordings/..%2f..%2fetc%2fpasswd/download",
            "/recordings/%2e%2e%2f%2e%2e%2fetc%2fpasswd/audio",
            "/recordings//etc/passwd/download",
            "/api/recordings/%2Fetc%2Fpasswd/download",
            f"/api/recordings/{uids[3]}%2f..%2f..%2fsecret.txt/download",
            f"/recordings/{uids[3][:-1]}/audio",
        ]
        for path in attempts:
            response = await admin.get(path)
            assert response.code == 404, (path, response.code)
            assert b"SECRET" not in response.body, path
            assert b"root:" not in response.body, path
        await admin.get("/recordings")
        for uid in uids[:3]:
            assert (await admin.api(f"/api/recordings/{uid}", "DELETE"))[0] == 404
        assert secret.read_bytes() == b"TOP SECRET", "nothing outside was deleted"
        refused = await box.api.web.audit.recent(action="recording.download")
        assert {e.outcome for e in refused} == {"refused"}


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["mp3", "wav", "ogg", "flac"])
async def test_a_file_cut_short_is_refused_whatever_its_kind(tmp_path, kind):
    whole = tone(tmp_path, f"whole.{kind}", "-r", "44100", "-c", "2")
    transcoder = Transcoder(8000, tmp_path / "work")
    await transcoder.convert(whole, tmp_path / "whole-out.wav")
    with pytest.raises(AudioError, match="cannot be read"):
        await transcoder.convert(whole[: len(whole) * 2 // 3 + 5], tmp_path / "cut-out.wav")
    assert not (tmp_path / "cut-out.wav").exists()


@pytest.mark.asyncio
async def test_the_media_pages_speak_arabic_right_to_left(tmp_path):
    async with web_box(box_dir(tmp_path), language="ar") as box:
        boss = await box.signed_in("supervisor")
        for path, title in (
            ("/music", "موسيقى الانتظار"),
            ("/prompts", "الرسائل الصوتية"),
            ("/recordings", "التسجيلات"),
        ):
            page = (await boss.get(path)).body.decode()
            assert 'dir="rtl"' in page
            assert f"<h1>{title}</h1>" in page, path
