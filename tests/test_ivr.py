"""IVR menus end to end: a provider's call to a DID reaches a menu, and the caller's keys lead on.

The provider is a pjsua2 phone on 127.0.0.1 (so the caller can record what it
hears and send DTMF); the trunk names its address and port, so the edge takes
its calls as the provider's. Prompts are tones, uploaded through the CLI, so
the caller's recording shows which prompt it heard and in what order.
"""

import pytest

from tests.call_center_box import cli, extension, provider_caller, running_box
from tests.phone_client import Phone
from tests.tone_track import tone_track, write_tone
from tests.tones import has_tone

ALICE_HOST, BOB_HOST = "127.0.0.3", "127.0.0.4"
DID = "442071234567"
# Prompts as tones: what the caller heard is read back from its recording.
GREETING_HZ, SUBMENU_HZ, INVALID_HZ, TIMEOUT_HZ, GOODBYE_HZ = 800, 1000, 1400, 1200, 500
TONES = [GREETING_HZ, SUBMENU_HZ, INVALID_HZ, TIMEOUT_HZ, GOODBYE_HZ]


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    """One daemon for the module: two extensions, a trunk per test, tone prompts."""
    prompts = tmp_path_factory.mktemp("prompts")
    with running_box({"1001": "Alice", "1002": "Bob"}) as daemon:
        for name, hz, seconds in (
            ("greet", GREETING_HZ, 1.5),
            ("long-greet", GREETING_HZ, 4.0),
            ("sub-greet", SUBMENU_HZ, 1.5),
            ("wrong", INVALID_HZ, 0.6),
            ("silence-heard", TIMEOUT_HZ, 0.6),
            ("goodbye", GOODBYE_HZ, 0.6),
        ):
            tone = write_tone(prompts / f"{name}.wav", hz, seconds)
            upload = cli(daemon, "prompt", "upload", name, tone)
            assert upload.returncode == 0, upload.stderr
        yield daemon


def dial_did(caller: Phone, box) -> None:
    caller.call(f"sip:{DID}@127.0.0.1:{box.edge[1]}")
    caller.wait_for("state", state="CONFIRMED", timeout=10)
    caller.wait_for("media", timeout=5)


def hears(phone: Phone, path, hz: float, seconds: float = 1.0) -> bool:
    phone.record(path, seconds=seconds)
    phone.wait_for("recorded", timeout=10)
    return has_tone(path, hz, skip_s=0.1)


def test_a_did_call_hears_the_greeting_and_a_key_rings_the_extension(box, tmp_path):
    assert (
        cli(box, "ivr", "set", "main", "--greeting", "greet", "--option", "1=ext:1001").returncode
        == 0
    )
    assert (
        cli(
            box, "route-in", "set", "main-did", "--did", DID, "--destination", "ivr:main"
        ).returncode
        == 0
    )
    with (
        extension(box, "1001", ALICE_HOST) as alice,
        provider_caller(box, "pstn-greet") as caller,
    ):
        dial_did(caller, box)
        assert hears(caller, tmp_path / "greeting.wav", GREETING_HZ)
        caller.dtmf("1")
        incoming = alice.wait_for("incoming", timeout=10)
        assert incoming["caller_number"] == "447700900555"
        alice.answer()
        alice.wait_for("media", timeout=10)
        caller.play_tone(697, 3.0)
        assert hears(alice, tmp_path / "alice.wav", 697), "the caller reaches the extension"
        alice.play_tone(1209, 3.0)
        assert hears(caller, tmp_path / "caller.wav", 1209), "and hears it back"
        caller.hangup()
        alice.wait_for("state", state="DISCONNECTED", timeout=10)


def test_wrong_keys_and_silence_repeat_the_menu_then_the_final_destination(box, tmp_path):
    assert cli(box, "announce", "set", "bye", "--prompt", "goodbye").returncode == 0
    menu = cli(
        box, "ivr", "set", "strict", "--greeting", "greet", "--option", "1=ext:1001",
        "--invalid-prompt", "wrong", "--timeout-prompt", "silence-heard", "--timeout-s", "1",
        "--attempts", "3", "--final-destination", "announce:bye",
    )  # fmt: skip
    assert menu.returncode == 0, menu.stderr
    assert cli(box, "route-in", "set", "main-did", "--destination", "ivr:strict").returncode == 0
    with provider_caller(box, "pstn-strict") as caller:
        dial_did(caller, box)
        caller.record(tmp_path / "heard.wav")
        caller.dtmf("7")  # no option: cuts the greeting short, and is wrong
        caller.wait_for("state", state="DISCONNECTED", timeout=30)  # nothing more pressed
        caller.stop_record()
    heard = tone_track(tmp_path / "heard.wav", TONES)
    # The greeting cut at once may leave no trace; then wrong, greeting, silence,
    # greeting, silence ... and after the third try the goodbye, then the end.
    assert heard[heard[:1] == [GREETING_HZ] :] == [
        INVALID_HZ, GREETING_HZ, TIMEOUT_HZ, GREETING_HZ, GOODBYE_HZ,
    ], heard  # fmt: skip


def test_a_key_cuts_the_greeting_short_and_leads_to_a_submenu(box, tmp_path):
    sales = cli(box, "ivr", "set", "sales", "--greeting", "sub-greet", "--option", "1=ext:1002")
    assert sales.returncode == 0, sales.stderr
    top = cli(
        box, "ivr", "set", "top", "--greeting", "long-greet",
        "--option", "2=ivr:sales", "--option", "0=ivr:top",
    )  # fmt: skip
    assert top.returncode == 0, top.stderr
    assert cli(box, "route-in", "set", "main-did", "--destination", "ivr:top").returncode == 0
    with (
        extension(box, "1002", BOB_HOST) as bob,
        provider_caller(box, "pstn-nested") as caller,
    ):
        dial_did(caller, box)
        assert hears(caller, tmp_path / "top.wav", GREETING_HZ)  # 1 s of its 4
        caller.record(tmp_path / "sales.wav", seconds=1.2)
        caller.dtmf("2")
        caller.wait_for("recorded", timeout=10)
        # Barge-in: the rest of the greeting is never heard, the submenu's at once.
        assert tone_track(tmp_path / "sales.wav", TONES) == [SUBMENU_HZ]
        caller.dtmf("1")
        bob.wait_for("incoming", timeout=10)
        bob.hangup(code=486)
        caller.wait_for("state", state="DISCONNECTED", timeout=10)
    in_use = cli(box, "ivr", "del", "sales")
    assert in_use.returncode == 2
    assert "ivr sales is in use by ivr top" in in_use.stderr


def test_callers_dial_an_extension_directly(box, tmp_path):
    menu = cli(
        box,
        "ivr",
        "set",
        "dial",
        "--greeting",
        "greet",
        "--option",
        "1=hangup",
        "--direct-dial",
        "_100X",
    )
    assert menu.returncode == 0, menu.stderr
    assert cli(box, "route-in", "set", "main-did", "--destination", "ivr:dial").returncode == 0
    with (
        extension(box, "1001", ALICE_HOST) as alice,
        provider_caller(box, "pstn-direct") as caller,
    ):
        dial_did(caller, box)
        caller.dtmf("1001")  # "1" alone would hang up: the menu waits for more
        alice.wait_for("incoming", timeout=10)
        # Answered by the menu, the caller hears the ringback tone (the UK's: 400+450 Hz).
        caller.record(tmp_path / "ringback.wav", seconds=3.0)  # a whole cadence
        caller.wait_for("recorded", timeout=10)
        # Two tones with cadence gaps: each holds well under half the energy.
        assert has_tone(tmp_path / "ringback.wav", 400, min_ratio_db=-12)
        assert has_tone(tmp_path / "ringback.wav", 450, min_ratio_db=-12)
        alice.answer()
        alice.wait_for("media", timeout=10)
        alice.play_tone(1209, 3.0)
        assert hears(caller, tmp_path / "caller.wav", 1209)
        caller.hangup()
        alice.wait_for("state", state="DISCONNECTED", timeout=10)


def test_menu_settings_are_checked(box):
    unknown = cli(box, "ivr", "set", "bad", "--option", "1=ivr:nowhere")
    assert (unknown.returncode, unknown.stderr.strip()) == (
        2,
        "callbox: options[1]: there is no ivr nowhere",
    )
    kind = cli(box, "ivr", "set", "bad", "--option", "1=fax:1")
    assert "destination must be one of" in kind.stderr
    prompt = cli(box, "ivr", "set", "bad", "--greeting", "no-such-prompt")
    assert "there is no prompt 'no-such-prompt'" in prompt.stderr
    assert "bad" not in cli(box, "ivr", "list").stdout


def test_a_bad_upload_is_refused_with_a_reason_and_nothing_changes(box, tmp_path):
    stored = sorted((box.data_dir / "prompts").glob("*.wav"))
    listed = cli(box, "prompt", "list").stdout
    damaged = tmp_path / "damaged.mp3"
    damaged.write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4)
    refused = cli(box, "prompt", "upload", "greet", damaged)
    assert refused.returncode == 2
    assert refused.stderr.startswith("callbox: the MP3 file cannot be read"), refused.stderr
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all")
    refused = cli(box, "prompt", "upload", "greet", text)
    assert "not an audio file the box reads (WAV, MP3" in refused.stderr
    assert cli(box, "prompt", "list").stdout == listed
    assert sorted((box.data_dir / "prompts").glob("*.wav")) == stored

    assert cli(box, "moh", "set", "sales", "--order", "shuffled").returncode == 0
    song = write_tone(tmp_path / "song.wav", 440, 1.0, rate_hz=44100)
    assert cli(box, "moh", "upload", "sales", song, "--title", "01 Song").returncode == 0
    assert cli(box, "moh", "upload", "sales", damaged).returncode == 2
    listing = cli(box, "moh", "list").stdout
    assert "sales: shuffled, 0 listening" in listing
    assert listing.count("01 Song") == 1
