"""Call transfer (REFER) between real phones through the edge: blind and attended.

Alice (1001) calls Bob (1002); Bob hands her on to Carol (1003). The phones are
pjsua2 test phones on their own loopback addresses, registered at the edge.
"""

import pytest

from tests.harness import free_port
from tests.test_edge import call, phone, talk, write_tone

ALICE_HOST, BOB_HOST, CAROL_HOST = "127.0.0.3", "127.0.0.4", "127.0.0.5"
MUSIC_HZ = 440


@pytest.fixture
def box(make_daemon, workdir):
    music = workdir / "music"
    music.mkdir()
    write_tone(music / "hold.wav", MUSIC_HZ)  # music on hold a test can recognise
    daemon = make_daemon({"moh": {"default_dir": str(music)}, "routing": {"ring_timeout_s": 5}})
    daemon.start()
    daemon.secrets = {
        number: daemon.add_extension(number, name)
        for number, name in (("1001", "Alice"), ("1002", "Bob"), ("1003", "Carol"))
    }
    return daemon


def phones(box, **options):
    """Alice, Bob and Carol, registered."""
    hosts = {"1001": ALICE_HOST, "1002": BOB_HOST, "1003": CAROL_HOST}
    started = [
        phone(box, number, host, free_port(), **options.get(number, {}))
        for number, host in hosts.items()
    ]
    for side in started:
        side.wait_for("registration", active=True, timeout=10)
    return started


def test_blind_transfer_rings_the_target_as_the_caller_and_connects_them(box, tmp_path):
    alice, bob, carol = phones(box)
    with alice, bob, carol:
        call(alice, bob, "1002")
        bob.hold()  # as a handset does before it transfers
        bob.transfer("1003")
        incoming = carol.wait_for("incoming", timeout=10)
        assert (incoming["caller_name"], incoming["caller_number"]) == ("Alice", "1001")
        assert bob.wait_for("transfer_status", code=180, timeout=5)["final"] is False
        carol.answer()
        carol.wait_for("state", state="CONFIRMED", timeout=10)
        carol.wait_for("media", timeout=5)
        assert bob.wait_for("transfer_status", final=True, timeout=10)["code"] == 200
        bob.wait_for("state", state="DISCONNECTED", timeout=10)
        assert talk(alice, carol, tmp_path) == (True, True)
        alice.hangup()
        carol.wait_for("state", state="DISCONNECTED", timeout=10)
