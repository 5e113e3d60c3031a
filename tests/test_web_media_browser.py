"""Music on hold and recordings in headless Chromium on the real daemon: an MP3 uploaded as music
on hold and played in the page, and a real recorded call found and played on the Recordings page.

"Plays" means the <audio> element fired 'playing' and its clock moved on, with no
error in the console; the box serves WAV (PCM), which Debian's Chromium decodes.
"""

import subprocess
import time

from firmware import control
from tests.harness import free_port, wait_until
from tests.panel_browser import signed_in_page
from tests.test_edge import call, phone

PLAYED_S = 0.5  # how far the player's clock must move on


def wait_played(page, audio: str) -> None:
    """Wait until the <audio> element `audio` (a selector) has played PLAYED_S seconds."""
    page.wait_for_function(
        "([selector, seconds]) => { const a = document.querySelector(selector);"
        " return a && !a.paused && a.currentTime > seconds && a.dataset.playing === 'yes'; }",
        arg=[audio, PLAYED_S],
    )


def watch_playing(page, audio: str) -> None:
    """Mark the element when it fires 'playing' (the test waits for that, and time moving)."""
    page.eval_on_selector(
        audio, "a => a.addEventListener('playing', () => { a.dataset.playing = 'yes'; })"
    )


def test_an_mp3_uploaded_as_music_on_hold_plays_in_the_page(make_daemon, chromium, tmp_path):
    mp3 = tmp_path / "Lobby tune.mp3"
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", str(mp3), "synth", "4", "sine", "440"],
        check=True,
    )
    daemon = make_daemon().start()
    errors: list[str] = []
    page = signed_in_page(chromium, daemon, errors)

    page.click("text=Music on hold")
    page.set_input_files("#file-default", str(mp3))
    page.click("#class-default .upload-button")
    page.wait_for_selector("#media-added")
    row = "#class-default tr.added"
    assert page.inner_text(f"{row} .title") == "Lobby tune"

    watch_playing(page, f"{row} audio")
    page.click(f"{row} button.play")
    wait_played(page, f"{row} audio")
    assert page.inner_text(f"{row} button.play") == "Stop"
    assert errors == []


def test_a_recorded_call_is_listed_and_plays_on_the_recordings_page(make_daemon, chromium):
    daemon = make_daemon({"recording": {"default_mode": "always"}}).start()
    daemon.secrets = {n: daemon.add_extension(n, f"Ext {n}") for n in ("1001", "1002")}
    with (
        phone(daemon, "1001", "127.0.0.3", free_port()) as alice,
        phone(daemon, "1002", "127.0.0.4", free_port()) as bob,
    ):
        for side in (alice, bob):
            side.wait_for("registration", active=True, timeout=10)
        call(alice, bob, "1002")
        wait_until(lambda: recordings(daemon, "recording"), 10, "the recording to start")
        alice.play_tone(697, 5.0)
        bob.play_tone(1209, 5.0)
        time.sleep(2.0)  # the call's length: two seconds of both tones
        alice.hangup()
        bob.wait_for("state", state="DISCONNECTED", timeout=10)
    (done,) = wait_until(lambda: recordings(daemon, "complete"), 10, "the recording to close")
    assert (done["caller"], done["agent"]) == ("1001", "1002"), "the extension that answered"

    errors: list[str] = []
    page = signed_in_page(chromium, daemon, errors)
    page.click("text=Recordings")
    row = f'tr[data-recording="{done["uid"]}"]'
    page.wait_for_selector(row)
    assert page.inner_text(f"{row} td:nth-child(2)") == "1001"
    watch_playing(page, f"{row} audio")
    page.click(f"{row} button.play")
    wait_played(page, f"{row} audio")
    assert errors == []

    page.goto(daemon.status()["web"]["url"] + "audit?action=recording.play")
    assert done["uid"] in page.content()


def recordings(daemon, status: str) -> list[dict]:
    found = control.request(daemon.data_dir / "callbox.sock", "rec.list")
    return [r for r in found if r["status"] == status]
