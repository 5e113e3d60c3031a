"""Prompts: uploads converted, the library's lookup and fallback, numbers spoken per language."""

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio

from pbx.catalog import Catalog, SettingError
from pbx.prompts import Prompt, PromptLibrary
from pbx.queues.prompts import QueuePrompts
from pbx.speech import SpeechSynth
from pbx.spoken_numbers import duration_prompts, number_prompts
from pbx.transcoder import TARGET_LEVEL_DBFS, AudioError, Transcoder, gated_level_dbfs
from tests.tone_track import write_tone
from tests.tones import has_tone

SOUNDS = "/usr/share/asterisk/sounds"


def sox(*args) -> None:
    subprocess.run(["sox", *map(str, args)], check=True, capture_output=True)


def engine_format(path) -> tuple[int, int, int]:
    with wave.open(str(path)) as audio:
        return audio.getframerate(), audio.getnchannels(), audio.getsampwidth()


def level_dbfs(path) -> float:
    with wave.open(str(path)) as audio:
        samples = np.frombuffer(audio.readframes(audio.getnframes()), "<i2")
        return gated_level_dbfs(samples, audio.getframerate())


@pytest.fixture
def uploads(tmp_path):
    """The same 1 kHz tone in several formats, at different levels and rates."""
    made = {}
    for name, args in (
        ("stereo.wav", ("-r", "44100", "-c", "2")),
        ("quiet.ogg", ("-r", "22050", "-c", "1")),
        ("loud.mp3", ("-r", "44100", "-c", "2")),
        ("music.flac", ("-r", "48000", "-c", "2")),
    ):
        gain = -35 if "quiet" in name else -1
        sox("-n", *args, tmp_path / name, "synth", "2", "sine", "1000", "gain", gain)
        made[name] = (tmp_path / name).read_bytes()
    return made


@pytest.mark.asyncio
@pytest.mark.parametrize("rate_hz", [8000, 16000])
async def test_uploads_in_any_common_format_become_engine_wavs_at_one_loudness(
    uploads, tmp_path, rate_hz
):
    transcoder = Transcoder(rate_hz, tmp_path / "work")
    for name, data in uploads.items():
        out = tmp_path / f"{name}.{rate_hz}.wav"
        info = await transcoder.convert(data, out)
        assert engine_format(out) == (rate_hz, 1, 2), name
        assert abs(level_dbfs(out) - TARGET_LEVEL_DBFS) < 0.5, name
        assert info.level_dbfs == pytest.approx(level_dbfs(out), abs=0.05)
        assert info.duration_s == pytest.approx(2.0, abs=0.05), name
        assert has_tone(out, 1000), name
    assert not list((tmp_path / "work").iterdir()), "nothing is left behind"


@pytest.mark.asyncio
async def test_peaks_are_limited_so_the_level_is_reached_without_clipping(tmp_path):
    # Clicks at full scale over a quiet tone: +20 dB brings the tone to the level
    # wanted, and the limiter keeps the clicks under the ceiling.
    rate = 8000
    signal = 0.01 * np.sin(2 * np.pi * 440 * np.arange(rate * 2) / rate)
    signal[::2000] = 0.99
    path = tmp_path / "clicks.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((signal * 32767).astype("<i2").tobytes())
    converted = tmp_path / "out.wav"
    await Transcoder(rate, tmp_path / "work").convert(path.read_bytes(), converted)
    with wave.open(str(converted)) as audio:
        peak = np.max(np.abs(np.frombuffer(audio.readframes(audio.getnframes()), "<i2")))
    assert -1.5 < 20 * np.log10(peak / 32768) <= -1.0
    assert abs(level_dbfs(converted) - TARGET_LEVEL_DBFS) < 0.5


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        (b"hello, this is a text file", "not an audio file the box reads"),
        (b"RIFF\x24\x00\x00\x00WAVEjunkjunkjunkjunk", "the WAV file cannot be read"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 8, "MP3"),
        (b"OggS" + b"\x00" * 200, "the Ogg Vorbis file cannot be read"),
    ],
)
async def test_a_bad_upload_is_refused_with_a_reason_and_changes_nothing(tmp_path, data, complaint):
    out = tmp_path / "prompt.wav"
    out.write_bytes(b"the old prompt")
    with pytest.raises(AudioError, match=complaint) as refused:
        await Transcoder(8000, tmp_path / "work").convert(data, out)
    assert str(tmp_path) not in str(refused.value), "no file names of the box"
    assert out.read_bytes() == b"the old prompt"


@pytest.mark.asyncio
async def test_silence_is_refused(tmp_path):
    sox("-n", "-r", "8000", tmp_path / "silence.wav", "trim", "0", "1")
    with pytest.raises(AudioError, match="silent"):
        await Transcoder(8000, tmp_path / "w").convert(
            (tmp_path / "silence.wav").read_bytes(), tmp_path / "o.wav"
        )


# --- spoken numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "english", "french"),
    [
        (7, "7", "7"),
        (21, "20 1", "20 et 1"),
        (71, "70 1", "60 et 11"),
        (80, "80", "80"),
        (95, "90 5", "80 15"),
        (100, "1 hundred", "hundred"),
        (342, "3 hundred 40 2", "3 hundred 40 2"),
        (1000, "1 thousand", "thousand"),
        (2025, "2 thousand 20 5", "2 thousand 20 5"),
        (1_500_000, "1 million 5 hundred thousand", "1 million 5 hundred thousand"),
    ],
)
def test_numbers_are_spelled_as_each_language_says_them(n, english, french):
    def words(language: str) -> str:
        return " ".join(name.removeprefix("digits/") for name in number_prompts(n, language))

    assert (words("en"), words("fr-ca")) == (english, french)


def test_durations_say_minutes_and_seconds():
    assert duration_prompts(125, "en") == [
        "digits/2", "minutes", "vm-and", "digits/5", "seconds",
    ]  # fmt: skip
    assert duration_prompts(60, "fr") == ["digits/1", "minute"]
    assert duration_prompts(1, "en") == ["digits/1", "second"]
    assert duration_prompts(0, "en") == ["digits/0", "seconds"]
    assert duration_prompts(61, "ar") is None, "no recordings: spoken instead"


@pytest.mark.parametrize("language", ["en", "fr", "es", "it", "ru"])
def test_every_prompt_a_speller_names_is_in_the_installed_set(language):
    library_set = {
        p.relative_to(folder).with_suffix("").as_posix()
        for folder in Path(SOUNDS).iterdir()
        if folder.name.lower().startswith(language + "_")
        for p in folder.rglob("*.wav")
    }
    for n in [*range(0, 130), 199, 200, 999, 1000, 1999, 21000, 999_999, 1_000_000, 2_000_001]:
        names = number_prompts(n, language)
        if names is not None:
            assert set(names) <= library_set, (n, set(names) - library_set)
    for seconds in (1, 59, 60, 61, 125, 3600):
        names = duration_prompts(seconds, language)
        if names is not None:
            assert set(names) <= library_set, (seconds, set(names) - library_set)


@pytest_asyncio.fixture
async def library(config_store, tmp_path):
    transcoder = Transcoder(8000, tmp_path / "work")
    return PromptLibrary(
        Catalog("prompt", Prompt, config_store),
        sounds_dir=Path(SOUNDS),
        prompts_dir=tmp_path / "prompts",
        speech=SpeechSynth(transcoder, tmp_path / "speech"),
        transcoder=transcoder,
        language="en",
    )


@pytest.mark.asyncio
async def test_say_number_and_duration_give_playlists_of_recordings(library):
    assert [p.rsplit("/", 2)[-2:] for p in await library.say_number(21, "fr")] == [
        ["digits", "20.wav"], ["digits", "et.wav"], ["digits", "1.wav"],
    ]  # fmt: skip
    assert all("fr_CA" in p for p in await library.say_number(21, "fr"))
    playlist = await library.say_duration(90, "en")
    assert [p.rsplit("/", 1)[-1] for p in playlist] == [
        "1.wav", "minute.wav", "vm-and.wav", "30.wav", "seconds.wav",
    ]  # fmt: skip


@pytest.mark.asyncio
async def test_queue_announcements_come_whole_from_the_installed_set_of_their_language(library):
    prompts = QueuePrompts(library)
    playlist = await prompts.position(3, "fr") + await prompts.hold_time(150, "fr")
    assert [p.removeprefix(f"{SOUNDS}/fr_CA_f_June/") for p in playlist] == [
        "queue-thereare.wav", "digits/3.wav", "queue-callswaiting.wav",
        "queue-holdtime.wav", "digits/3.wav", "minutes.wav",
    ]  # fmt: skip
    assert [p.rsplit("/", 1)[-1] for p in await prompts.hold_time(20, "")] == [
        "queue-holdtime.wav", "queue-less-than.wav", "1.wav", "minute.wav",
    ], "the box's language: English"  # fmt: skip


@pytest.mark.asyncio
@pytest.mark.parametrize("language", ["ar", "fa"])
async def test_languages_without_recordings_are_spoken_by_espeak(library, language, tmp_path):
    for playlist in (
        await library.say_number(42, language),
        await library.say_duration(125, language),
    ):
        (path,) = playlist
        assert engine_format(path) == (8000, 1, 2)
        with wave.open(path) as audio:
            assert audio.getnframes() / audio.getframerate() > 0.5, "speech, not a click"
        assert abs(level_dbfs(path) - TARGET_LEVEL_DBFS) < 0.5
    again = await library.say_number(42, language)
    assert again == await library.say_number(42, language), "cached: the same file"


def test_espeak_voices_are_found_by_language_or_its_base(tmp_path):
    speech = SpeechSynth(Transcoder(8000, tmp_path), tmp_path)
    assert [speech.voice(lang) for lang in ("en", "fr-ca", "fa", "pt-br", "xx", "EN")] == [
        "en", "fr", "fa", "pt-br", None, None,
    ]  # fmt: skip


@pytest.mark.asyncio
async def test_prompts_fall_back_by_language_and_uploads_win_over_recordings(library, tmp_path):
    french = await library.find("vm-goodbye", "fr-ca")
    assert "fr_CA" in str(french)
    assert "en_US" in str(await library.find("vm-goodbye", "ar")), "no Arabic set: English"
    assert await library.find("no-such-prompt", "en") is None

    tone = write_tone(tmp_path / "tone.wav", 700, 1.0, rate_hz=44100)
    await library.upload("vm-goodbye", "fr", tone.read_bytes())
    assert "prompts" in str(await library.find("vm-goodbye", "fr-ca")), "the box's own first"
    assert "en_US" in str(await library.find("vm-goodbye", "en")), "in French only"

    await library.set_text("closed", "ar", "المكتب مغلق الآن")
    spoken = await library.find("closed", "ar")
    assert spoken is not None
    assert "speech" in str(spoken)
    with pytest.raises(SettingError, match="no voice"):
        await library.set_text("closed", "xx", "text")

    await library.delete("vm-goodbye")
    assert "fr_CA" in str(await library.find("vm-goodbye", "fr"))
    assert not list((tmp_path / "prompts").glob("*.wav")), "its recording is deleted"
