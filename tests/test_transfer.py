"""Call transfer (REFER) between real phones through the edge: blind and attended.

Alice (1001) calls Bob (1002); Bob hands her on to Carol (1003). The phones are
pjsua2 test phones on their own loopback addresses, registered at the edge.
"""

import pytest

from tests.harness import free_port, wait_until
from tests.test_edge import call, phone, talk, write_tone
from tests.tones import has_tone

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
    yield daemon
    print(daemon.log_tail(60))  # shown when the test failed


def phones(box, **options):
    """Alice, Bob and Carol, registered (options per number, e.g. {"1002": {...}})."""
    hosts = {"1001": ALICE_HOST, "1002": BOB_HOST, "1003": CAROL_HOST}
    started = []
    try:
        for number, host in hosts.items():
            started.append(phone(box, number, host, free_port(), **options.get(number, {})))
        for side in started:
            side.wait_for("registration", active=True, timeout=10)
    except BaseException:
        for side in started:
            side.close()
        raise
    return started


@pytest.mark.parametrize("bob_called", [False, True], ids=["alice-called", "bob-called"])
def test_blind_transfer_rings_the_target_as_the_caller_and_connects_them(box, tmp_path, bob_called):
    alice, bob, carol = phones(box)
    with alice, bob, carol:
        if bob_called:  # either side of a call may hand the other on
            call(bob, alice, "1001")
        else:
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
    uids = wait_until(lambda: call_uids(box, 3), 10, "three legs recorded")
    assert len(set(uids.values())) == 1, f"one call: {uids}"


def call_uids(box, count: int) -> dict[str, str] | None:
    """Each leg's call_uid by who was called, once `count` legs are recorded as ended."""
    records = box.call_records()
    if len(records) != count or not all(r["ended_at"] for r in records):
        return None
    return {f"{r['direction']} {r['dialled']}": r["call_uid"] for r in records}


def test_attended_transfer_connects_the_held_caller_with_the_consulted_party(box, tmp_path):
    alice, bob, carol = phones(box, **{"1002": {"keep_transferred": True}})
    with alice, bob, carol:
        held = call(alice, bob, "1002")["call"]
        bob.hold()
        alice.record(tmp_path / "on-hold.wav", seconds=1.5)
        alice.wait_for("recorded", timeout=10)
        consulting = bob.call("1003")
        carol.wait_for("incoming", timeout=10)
        carol.answer()
        bob.wait_for("media", call=consulting, timeout=10)
        carol.wait_for("media", timeout=10)
        bob.transfer_replaces(held)
        assert bob.take("transfer_status", final=True, timeout=10)["code"] == 200
        # Bob's phone keeps its calls (keep_transferred): the box ends both.
        for key in (consulting, held):
            bob.take("state", state="DISCONNECTED", call=key, timeout=10)
        assert talk(alice, carol, tmp_path) == (True, True)
        alice.record(tmp_path / "after.wav", seconds=1.5)  # Carol is silent now
        alice.wait_for("recorded", timeout=10)
        carol.hangup()
        alice.wait_for("state", state="DISCONNECTED", timeout=10)
    assert has_tone(tmp_path / "on-hold.wav", MUSIC_HZ), "Alice heard music while held"
    assert not has_tone(tmp_path / "after.wav", MUSIC_HZ), "and no more after the transfer"
    uids = wait_until(lambda: call_uids(box, 4), 10, "four legs recorded")
    assert uids["outbound 1003"] == uids["inbound 1002"], "Carol's leg joined Alice's call"
    assert uids["inbound 1003"] != uids["inbound 1002"], "Bob's consultation stays apart"


def test_a_blind_transfer_to_a_busy_phone_leaves_the_caller_with_the_transferor(box, tmp_path):
    alice, bob, carol = phones(box)
    with alice, bob, carol:
        call(alice, bob, "1002")
        bob.hold()
        bob.transfer("1003")
        carol.wait_for("incoming", timeout=10)
        carol.hangup(code=486)
        assert bob.wait_for("transfer_status", final=True, timeout=10)["code"] == 486
        bob.unhold()  # Bob's phone shows the failure; he takes Alice back
        assert talk(alice, bob, tmp_path) == (True, True)
        alice.hangup()
        bob.wait_for("state", state="DISCONNECTED", timeout=10)


def test_an_unanswered_transfer_rings_the_transferor_again_if_it_hung_up(box, tmp_path):
    alice, bob, carol = phones(box)
    with alice, bob, carol:
        call(alice, bob, "1002")
        bob.hold()
        bob.transfer("1003")
        bob.wait_for("transfer_status", timeout=10)  # accepted
        bob.hangup()  # as many phones do at once after a blind transfer
        bob.wait_for("state", state="DISCONNECTED", timeout=10)
        carol.wait_for("incoming", timeout=10)  # and nobody answers
        alice.record(tmp_path / "waiting.wav", seconds=1.5)
        alice.wait_for("recorded", timeout=10)
        assert carol.wait_for("state", state="DISCONNECTED", timeout=15)["code"] == 487
        recall = bob.wait_for("incoming", timeout=10)
        assert (recall["caller_name"], recall["caller_number"]) == ("Alice", "1001")
        bob.answer()
        bob.wait_for("media", timeout=10)
        assert talk(alice, bob, tmp_path) == (True, True)
        bob.hangup()
        alice.wait_for("state", state="DISCONNECTED", timeout=10)
    assert has_tone(tmp_path / "waiting.wav", MUSIC_HZ), "Alice hears music, not silence"


def test_a_caller_nobody_takes_back_is_hung_up(box):
    alice, bob, carol = phones(box)
    with alice, bob, carol:
        call(alice, bob, "1002")
        bob.hold()
        bob.transfer("1003")
        bob.wait_for("transfer_status", timeout=10)
        bob.hangup()
        carol.wait_for("incoming", timeout=10)
        carol.hangup(code=486)
        bob.wait_for("incoming", timeout=10)  # the recall
        bob.hangup(code=486)
        alice.wait_for("state", state="DISCONNECTED", timeout=10)
