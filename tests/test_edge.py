"""The SIP edge with real phones: registration, calls, and the attacks a PBX meets.

Attackers and phones act as other hosts by binding other loopback addresses:
127.0.0.2 attacks, 127.0.0.3 and 127.0.0.4 are the office's phones.
"""

import math
import os
import signal
import socket
import ssl
import struct
import subprocess
import wave

import pytest

from firmware import control
from tests import baresip_phone
from tests.harness import free_port, wait_until
from tests.phone_client import Phone
from tests.sip_probe import SipProbe
from tests.tones import has_tone

ATTACKER, ALICE_HOST, BOB_HOST = "127.0.0.2", "127.0.0.3", "127.0.0.4"


@pytest.fixture
def box(make_daemon):
    daemon = make_daemon({"edge": {"auth_failures_before_ban": 3, "ban_s": 60}}).start()
    daemon.secrets = {
        "1001": daemon.add_extension("1001", "Alice"),
        "1002": daemon.add_extension("1002", "Bob"),
    }
    return daemon


def phone(box, number: str, host: str, port: int, secret: str | None = None, **options) -> Phone:
    """A pjsua2 phone registering at the box as `number` (options: transport, codecs...)."""
    options.setdefault("registrar", box.registrar)
    return Phone.start(
        port=port,
        name=f"p{number}",
        user=number,
        secret=secret or box.secrets[number],
        bind=host,
        **options,
    )


def registered(box) -> set[str]:
    return {r["number"] for r in box.status()["registrations"]}


def talk(alice: Phone, bob: Phone, tmp_path) -> tuple[bool, bool]:
    """Tones both ways on a connected call: (bob heard alice, alice heard bob)."""
    alice.play_tone(697, 3.0)
    bob.record(tmp_path / "bob.wav", seconds=1.5)
    bob.wait_for("recorded", timeout=10)
    bob.play_tone(1209, 3.0)
    alice.record(tmp_path / "alice.wav", seconds=1.5)
    alice.wait_for("recorded", timeout=10)
    return has_tone(tmp_path / "bob.wav", 697), has_tone(tmp_path / "alice.wav", 1209)


def call(alice: Phone, bob: Phone, number: str) -> dict:
    alice.call(number)
    incoming = bob.wait_for("incoming", timeout=10)
    alice.wait_for("state", state="EARLY", timeout=5)  # the caller hears ringing
    bob.answer()
    for side in (alice, bob):
        side.wait_for("state", state="CONFIRMED", timeout=10)
        side.wait_for("media", timeout=5)
    return incoming


def test_registered_phones_call_each_other_with_audio_both_ways(box, tmp_path):
    with (
        phone(box, "1001", ALICE_HOST, free_port()) as alice,
        phone(box, "1002", BOB_HOST, free_port()) as bob,
    ):
        for side in (alice, bob):
            side.wait_for("registration", active=True, timeout=10)
        assert registered(box) == {"1001", "1002"}
        incoming = call(alice, bob, "1002")
        assert (incoming["caller_name"], incoming["caller_number"]) == ("Alice", "1001")
        assert talk(alice, bob, tmp_path) == (True, True)
        bob.hangup()
        alice.wait_for("state", state="DISCONNECTED", timeout=10)
    records = wait_until(lambda: ended_records(box, 2), 10, "both legs recorded")
    inbound, outbound = sorted(records, key=lambda r: r["direction"])
    assert inbound["call_uid"] == outbound["call_uid"] == inbound["uid"], "one call, two legs"
    assert (outbound["caller_number"], outbound["dialled"]) == ("1001", "1002")
    assert {r["disposition"] for r in records} == {"answered"}


def ended_records(box, count: int) -> list[dict] | None:
    records = box.call_records()
    return records if len(records) == count and all(r["ended_at"] for r in records) else None


def test_busy_and_unregistered_callees_are_reported_to_the_caller(box):
    box.add_extension("1003", "Carol")  # never registers
    with (
        phone(box, "1001", ALICE_HOST, free_port()) as alice,
        phone(box, "1002", BOB_HOST, free_port()) as bob,
    ):
        for side in (alice, bob):
            side.wait_for("registration", active=True, timeout=10)
        alice.call("1003")
        assert alice.wait_for("state", state="DISCONNECTED", timeout=10)["code"] == 480
        alice.call("1002")
        bob.wait_for("incoming", timeout=10)
        bob.hangup(code=486)
        assert alice.wait_for("state", state="DISCONNECTED", timeout=10)["code"] == 486


def test_caller_hanging_up_stops_the_ringing(box):
    with (
        phone(box, "1001", ALICE_HOST, free_port()) as alice,
        phone(box, "1002", BOB_HOST, free_port()) as bob,
    ):
        for side in (alice, bob):
            side.wait_for("registration", active=True, timeout=10)
        alice.call("1002")
        bob.wait_for("incoming", timeout=10)
        alice.hangup()
        assert bob.wait_for("state", state="DISCONNECTED", timeout=10)["code"] == 487


def test_a_wrong_secret_is_refused_and_logged(box):
    with phone(box, "1001", ALICE_HOST, free_port(), secret="Wrong-Secret-1234") as alice:
        assert alice.wait_for("registration", timeout=10)["code"] in (401, 403)
    assert box.status()["security_events"].get("auth-failure", 0) >= 1
    assert f"security event auth-failure from {ALICE_HOST} (user 1001)" in box.log_tail(200)
    assert "1001" not in registered(box)


def _comparable(reply) -> tuple:
    """What an attacker could compare: status, header names, challenge minus its nonce."""
    challenge = reply.header("WWW-Authenticate")
    without_nonce = ",".join(p for p in challenge.split(",") if "nonce=" not in p)
    return reply.status, reply.reason, sorted(k for k, _ in reply.headers), without_nonce


def test_unknown_user_and_wrong_secret_get_indistinguishable_answers(box):
    probe = SipProbe(ATTACKER, box.edge)
    try:
        _, known = probe.register("1001", "not-the-secret")
        _, unknown = probe.register("7777", "not-the-secret")
    finally:
        probe.close()
    assert known is not None
    assert unknown is not None
    assert known.status == 401
    assert _comparable(known) == _comparable(unknown)


def test_repeated_failures_ban_the_source_while_others_still_register(box):
    attacker = SipProbe(ATTACKER, box.edge)
    try:
        for _ in range(2):
            assert attacker.register("1001", "guess")[1].status == 401
        assert attacker.register("1001", "guess")[1] is None, "the 3rd failure bans at once"
        assert attacker.request("REGISTER", "1001") is None, "a banned source gets no answer"
        assert attacker.request("OPTIONS", "") is None
    finally:
        attacker.close()
    legit = SipProbe(ALICE_HOST, box.edge)
    try:
        assert legit.register("1002", box.secrets["1002"])[1].status == 200
    finally:
        legit.close()
    assert box.status()["security_events"].get("banned") == 1


def test_scanners_get_nothing_and_nobody_learns_the_product(box):
    probe = SipProbe(ATTACKER, box.edge)
    try:
        assert probe.request("OPTIONS", "", user_agent="friendly-scanner") is None
        answer = probe.request("OPTIONS", "")
    finally:
        probe.close()
    assert answer is not None
    assert answer.status == 200
    names = {k.lower() for k, _ in answer.headers}
    assert "server" not in names
    assert not any(
        word in v.lower()
        for _, v in answer.headers
        for word in ("kamailio", "callbox", "pjsip", "asterisk")
    )
    assert box.status()["security_events"].get("scanner") == 1


def test_a_killed_edge_comes_back_and_calls_complete_again(box, tmp_path):
    with (
        phone(box, "1001", ALICE_HOST, free_port()) as alice,
        phone(box, "1002", BOB_HOST, free_port()) as bob,
    ):
        for side in (alice, bob):
            side.wait_for("registration", active=True, timeout=10)
        config = str(box.data_dir / "edge" / "kamailio.cfg")
        main_pid = int(
            subprocess.run(
                ["pgrep", "-o", "-f", config], capture_output=True, text=True, check=True
            ).stdout.split()[0]
        )
        os.kill(main_pid, signal.SIGKILL)
        wait_until(
            lambda: box.status()["edge_restarts"] == 1 and box.status()["edge"] == "running",
            20,
            "the edge restarted",
        )
        alice.register()  # a phone refreshing its registration, as phones do
        alice.wait_for("registration", active=True, timeout=10)
        # Bob did not re-register: the edge kept his registration across the restart.
        call(alice, bob, "1002")
        assert talk(alice, bob, tmp_path) == (True, True)
        alice.hangup()
        bob.wait_for("state", state="DISCONNECTED", timeout=10)


def test_phones_register_and_call_over_tls_with_the_boxs_own_certificate(box, tmp_path):
    tls_port = box.sections["edge"]["tls_port"]
    registrar = f"sip:127.0.0.1:{tls_port}"
    with (
        phone(box, "1001", ALICE_HOST, free_port(), registrar=registrar, transport="tls") as alice,
        phone(box, "1002", BOB_HOST, free_port()) as bob,
    ):
        for side in (alice, bob):
            side.wait_for("registration", active=True, timeout=10)
        call(alice, bob, "1002")
        assert talk(alice, bob, tmp_path) == (True, True)
        alice.hangup()
    served = ssl.get_server_certificate(("127.0.0.1", tls_port))
    on_disk = (box.data_dir / "edge" / "tls" / "cert.pem").read_text()
    assert ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(on_disk)


def _handshake(box, version: ssl.TLSVersion) -> str:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    context.minimum_version = context.maximum_version = version
    context.set_ciphers("ALL:@SECLEVEL=0")
    with socket.create_connection(("127.0.0.1", box.sections["edge"]["tls_port"]), 5) as raw:
        try:
            return context.wrap_socket(raw).version()
        except ssl.SSLError as err:
            return str(err)


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated")
def test_tls_below_1_2_is_refused_by_the_box(box):
    assert _handshake(box, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    assert "ALERT_PROTOCOL_VERSION" in _handshake(box, ssl.TLSVersion.TLSv1_1)


def test_every_box_makes_its_own_key(make_daemon):
    first = make_daemon(name="one").start()
    second = make_daemon(name="two").start()
    certs = [(d.data_dir / "edge" / "tls" / "cert.pem").read_bytes() for d in (first, second)]
    assert certs[0] != certs[1]
    assert oct((first.data_dir / "edge" / "tls" / "key.pem").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("method", ["rfc4733", "info"])
def test_dtmf_crosses_the_b2bua_by_the_method_it_came(box, method):
    with (
        phone(box, "1001", ALICE_HOST, free_port()) as alice,
        phone(box, "1002", BOB_HOST, free_port()) as bob,
    ):
        for side in (alice, bob):
            side.wait_for("registration", active=True, timeout=10)
        call(alice, bob, "1002")
        for digit in "19#":  # key by key, as a person dials
            alice.dtmf(digit, method=method)
            heard = bob.wait_for("dtmf", timeout=10)
            assert (heard["digit"], heard["method"]) == (digit, method)
        alice.hangup()


@pytest.mark.skipif(not baresip_phone.available(), reason="baresip is installed by make test")
def test_baresip_and_a_pjsua2_phone_call_each_other_with_audio(box, workdir, tmp_path):
    with (
        baresip_phone.Baresip(
            workdir,
            number="1002",
            secret=box.secrets["1002"],
            edge=box.edge,
            bind=BOB_HOST,
            port=free_port(),
            tone_hz=1209,
        ) as bob,
        phone(box, "1001", ALICE_HOST, free_port()) as alice,
    ):
        wait_until(lambda: "1002" in registered(box), 10, "baresip registered")
        alice.wait_for("registration", active=True, timeout=10)
        alice.call("1002")
        bob.wait_for("CALL_INCOMING")
        bob.command("accept")
        bob.wait_for("CALL_ESTABLISHED")
        alice.wait_for("media")
        alice.play_tone(697, 5.0)
        alice.record(tmp_path / "alice.wav", seconds=1.5)
        alice.wait_for("recorded", timeout=10)
        bob.command("hangup")
        alice.wait_for("state", state="DISCONNECTED", timeout=10)
        bob.wait_for("CALL_CLOSED")
        assert has_tone(tmp_path / "alice.wav", 1209), "alice hears baresip's tone"
        assert has_tone(bob.heard(), 697), "baresip hears alice's tone"

        bob.command("dial", "1001")  # and the other way round
        incoming = alice.wait_for("incoming", timeout=10)
        assert incoming["caller_number"] == "1002"
        alice.answer()
        bob.wait_for("CALL_ESTABLISHED")
        alice.hangup()
        bob.wait_for("CALL_CLOSED")


def write_tone(path, hz: int, seconds: float = 2.0, rate: int = 8000) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", round(8000 * math.sin(2 * math.pi * hz * n / rate)))
                for n in range(int(rate * seconds))
            )
        )


def test_holding_a_call_plays_music_to_the_other_side_until_it_resumes(
    make_daemon, workdir, tmp_path
):
    music = workdir / "music"
    music.mkdir()
    write_tone(music / "hold.wav", 440)  # music that a test can recognise
    box = make_daemon({"moh": {"default_dir": str(music)}}).start()
    box.secrets = {n: box.add_extension(n, n) for n in ("1001", "1002")}
    with (
        phone(box, "1001", ALICE_HOST, free_port()) as alice,
        phone(box, "1002", BOB_HOST, free_port()) as bob,
    ):
        for side in (alice, bob):
            side.wait_for("registration", active=True, timeout=10)
        call(alice, bob, "1002")
        alice.play_tone(697, 30.0)
        alice.hold()
        bob.record(tmp_path / "held.wav", seconds=2.0)
        bob.wait_for("recorded", timeout=10)
        alice.unhold()
        bob.record(tmp_path / "resumed.wav", seconds=2.0)
        bob.wait_for("recorded", timeout=10)
        alice.hangup()
    # The first half second is the re-INVITE's way through the edge.
    assert has_tone(tmp_path / "held.wav", 440, skip_s=0.5), "Bob hears the music"
    assert not has_tone(tmp_path / "held.wav", 697, skip_s=0.5), "and not Alice"
    assert has_tone(tmp_path / "resumed.wav", 697, skip_s=0.5), "Alice is back"
    assert not has_tone(tmp_path / "resumed.wav", 440, skip_s=0.5)


@pytest.mark.parametrize(
    ("alice_codec", "bob_codec"),
    [
        ("PCMA/8000/1", "G722/16000/1"),
        ("PCMU/8000/1", "opus/48000/2"),
        ("G722/16000/1", "G722/16000/1"),
    ],
)
def test_phones_with_different_codecs_hear_each_other(box, tmp_path, alice_codec, bob_codec):
    with (
        phone(box, "1001", ALICE_HOST, free_port(), codecs=alice_codec) as alice,
        phone(box, "1002", BOB_HOST, free_port(), codecs=bob_codec) as bob,
    ):
        for side in (alice, bob):
            side.wait_for("registration", active=True, timeout=10)
        call(alice, bob, "1002")
        assert talk(alice, bob, tmp_path) == (True, True)
        alice.hangup()
    records = wait_until(lambda: ended_records(box, 2), 10, "both legs recorded")
    codecs = {r["direction"]: r["codec"] for r in records}
    assert codecs == {
        "inbound": alice_codec.rsplit("/", 1)[0],
        "outbound": bob_codec.rsplit("/", 1)[0],
    }, "each leg kept its own codec"


def test_changing_extensions_during_a_call_drops_nothing(box, tmp_path):
    with (
        phone(box, "1001", ALICE_HOST, free_port()) as alice,
        phone(box, "1002", BOB_HOST, free_port()) as bob,
    ):
        for side in (alice, bob):
            side.wait_for("registration", active=True, timeout=10)
        call(alice, bob, "1002")
        box.add_extension("1005", "New hire")
        control.request(
            box.data_dir / "callbox.sock", "ext.set", number="1002", new_secret_wanted=True
        )
        control.request(box.data_dir / "callbox.sock", "ext.del", number="1005")
        assert talk(alice, bob, tmp_path) == (True, True), "the call carries on"
        alice.hangup()
        bob.wait_for("state", state="DISCONNECTED", timeout=10)


def test_a_flooding_source_is_banned_while_phones_still_register(box):
    flooder = SipProbe(ATTACKER, box.edge, timeout_s=0.2)
    try:
        answers = [flooder.request("OPTIONS", "") for _ in range(60)]  # over 40 per 2 s
        assert answers[0] is not None
        assert answers[-1] is None, "the flooder is banned"
    finally:
        flooder.close()
    assert box.status()["security_events"].get("flood") == 1
    legit = SipProbe(ALICE_HOST, box.edge)
    try:
        assert legit.register("1001", box.secrets["1001"])[1].status == 200
    finally:
        legit.close()


MALFORMED = [
    b"INVITE sip:1002@127.0.0.1 SIP/2.0\r\nVia: garbage\r\n\r\n",
    b"\x00\xff" * 200,
    b"REGISTER sip:127.0.0.1 SIP/2.0\r\nFrom: <sip:1001@127.0.0.1\r\nCSeq: x\r\n\r\n",
    b"OPTIONS sip:127.0.0.1 SIP/2.0\r\nContent-Length: 99999\r\n\r\n",
    b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.9;branch=z9hG4bKx\r\n\r\n",
]


def test_malformed_sip_changes_nothing_for_a_call_in_progress(box, tmp_path):
    with (
        phone(box, "1001", ALICE_HOST, free_port()) as alice,
        phone(box, "1002", BOB_HOST, free_port()) as bob,
    ):
        for side in (alice, bob):
            side.wait_for("registration", active=True, timeout=10)
        call(alice, bob, "1002")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as attacker:
            attacker.bind((ATTACKER, 0))
            for target in (box.edge, ("127.0.0.1", box.sip_port)):  # the edge, and the engine
                for message in MALFORMED:
                    attacker.sendto(message, target)
        assert talk(alice, bob, tmp_path) == (True, True), "the call carries on"
        alice.hangup()
        bob.wait_for("state", state="DISCONNECTED", timeout=10)
    status = box.status()
    assert (status["engine"], status["edge"], status["edge_restarts"]) == ("running", "running", 0)
