"""SIP trunks with a provider played by SIPp: registration, DIDs in, routes out, toll rules.

The provider is 127.0.0.1 on a port of its own; the office's phones are
127.0.0.3 and 127.0.0.4, so the edge can tell them apart by address.
"""

import json
import re
import socket
import subprocess

import pytest

from firmware import control
from pbx.outbound import CallRate
from tests.harness import CALLBOX, free_port, port_is_free, sipp, sipp_result, wait_until
from tests.phone_client import Phone

ALICE_HOST, BOB_HOST = "127.0.0.3", "127.0.0.4"
PROVIDER_SECRET = "Provider-Secret-77"  # what the SIPp scenarios check digests against
CALL_CAP_S = 5


@pytest.fixture
def box(make_daemon):
    daemon = make_daemon(
        {
            "routing": {"max_call_duration_s": CALL_CAP_S},
            "dialplan": {"country_code": "44", "national_prefix": "0"},
        }
    ).start()
    daemon.secrets = {
        "1001": daemon.add_extension("1001", "Alice", permission="international"),
        "1002": daemon.add_extension("1002", "Bob", permission="national"),
    }
    return daemon


def ask(box, command: str, **args):
    return control.request(box.data_dir / "callbox.sock", command, **args)


def add_trunk(box, name: str, port: int, **settings) -> None:
    ask(
        box,
        "trunk.add",
        name=name,
        host=f"127.0.0.1:{port}",
        username="trunkuser",
        secret=PROVIDER_SECRET,
        **settings,
    )


def phone(box, number: str, host: str) -> Phone:
    return Phone.start(
        port=free_port(),
        name=f"p{number}",
        user=number,
        secret=box.secrets[number],
        bind=host,
        registrar=box.registrar,
    )


def provider(workdir, scenario: str, port: int, *, role: str = "uas", **options):
    """SIPp as the provider on 127.0.0.1:`port`; its log lines go to <scenario>.log."""
    log = workdir / f"{scenario}.log"
    process = sipp(
        scenario,
        options.pop("target", ""),
        service=options.pop("service", "s"),
        calls=1,
        rate=1,
        limit=1,
        local_port=port,
        media_port=free_port(),
        timeout_s=30,
        workdir=workdir,
        role=role,
        extra=("-trace_logs", "-log_file", str(log), *options.pop("extra", ())),
        **options,
    )
    process.log_path = log
    if role == "uas":
        # A provider not yet listening would fail the first call with an ICMP error.
        wait_until(
            lambda: not port_is_free(port, socket.SOCK_DGRAM) or process.poll() is not None,
            10,
            "SIPp listening",
        )
    return process


def dial_out(box, number: str, host: str, dialled: str) -> None:
    """Extension `number` dials `dialled`, talks once answered, and hangs up."""
    with phone(box, number, host) as caller:
        caller.wait_for("registration", active=True, timeout=10)
        caller.call(dialled)
        caller.wait_for("state", state="CONFIRMED", timeout=15)
        caller.hangup()


def trunk_status(box, name: str) -> dict:
    return next(t for t in box.status()["trunks"] if t["name"] == name)


def test_trunk_registers_with_the_providers_digest_challenge(box, tmp_path):
    port = free_port()
    registrar = provider(tmp_path, "provider_registrar", port)
    add_trunk(box, "pstn", port, register=True, domain="provider.test")
    result = sipp_result(registrar, tmp_path, timeout_s=40)
    assert result.successful == 1, result.output
    # The provider is told to send calls to the edge, to a contact naming the trunk.
    assert f"contact <sip:pstn@127.0.0.1:{box.edge[1]}>" in registrar.log_path.read_text()
    wait_until(
        lambda: trunk_status(box, "pstn")["registration"] == "registered",
        15,
        "the trunk shown registered",
    )


@pytest.mark.parametrize("registering", [False, True], ids=["by-address", "registered"])
def test_inbound_did_call_reaches_its_extension_with_the_callers_number(box, tmp_path, registering):
    port = free_port()
    add_trunk(box, "pstn", port, dids={"442071234567": "ext:1001"}, register=False)
    # A registered trunk's provider calls the registration's contact, the DID in To.
    service = "pstn" if registering else "442071234567"
    with phone(box, "1001", ALICE_HOST) as alice:
        alice.wait_for("registration", active=True, timeout=10)
        caller = provider(
            tmp_path,
            "provider_caller",
            port,
            role="uac",
            target=f"127.0.0.1:{box.edge[1]}",
            service=service,
            hold_ms=500,
            extra=("-set", "did", "442071234567"),
        )
        incoming = alice.wait_for("incoming", timeout=10)
        assert incoming["caller_number"] == "+447700900123"
        alice.answer()
        result = sipp_result(caller, tmp_path, timeout_s=40)
        assert result.successful == 1, result.output
        alice.wait_for("state", state="DISCONNECTED", timeout=10)
    records = wait_until(lambda: ended(box, 2), 10, "both legs recorded")
    assert {r["trunk"] for r in records} == {"pstn", ""}
    assert {r["disposition"] for r in records} == {"answered"}


def test_a_did_the_trunk_does_not_list_is_refused(box, tmp_path):
    port = free_port()
    add_trunk(box, "pstn", port, dids={"442071234567": "ext:1001"})
    caller = provider(
        tmp_path,
        "provider_caller",
        port,
        role="uac",
        target=f"127.0.0.1:{box.edge[1]}",
        service="1001",  # an extension's number is not a DID: no way in
        extra=("-set", "did", "1001"),
    )
    result = sipp_result(caller, tmp_path, timeout_s=40)
    assert result.failed == 1
    assert "404" in result.output or "Not Found" in result.output or result.successful == 0


def set_route(box, trunks: list[str], **options) -> None:
    ask(box, "route.set", name="out", patterns=["_0X."], trunks=trunks, **options)


def test_outbound_call_leaves_with_the_e164_number_and_authenticates(box, tmp_path):
    port = free_port()
    add_trunk(box, "pstn", port, caller_id="442071234567")
    set_route(box, ["pstn"])
    callee = provider(tmp_path, "provider_callee", port)
    dial_out(box, "1001", ALICE_HOST, "02079460000")
    result = sipp_result(callee, tmp_path, timeout_s=40)
    assert result.successful == 1, result.output
    log = callee.log_path.read_text()
    assert "dialled +442079460000 asserted 442071234567 auth true" in log, log
    records = wait_until(lambda: ended(box, 2), 10, "both legs recorded")
    outbound = next(r for r in records if r["direction"] == "outbound")
    assert (outbound["trunk"], outbound["dialled"]) == ("pstn", "+442079460000")


def test_international_number_from_a_national_extension_never_reaches_the_provider(box, tmp_path):
    port = free_port()
    add_trunk(box, "pstn", port)
    set_route(box, ["pstn"])
    callee = provider(tmp_path, "provider_callee", port)
    with phone(box, "1002", BOB_HOST) as bob, phone(box, "1001", ALICE_HOST) as alice:
        for side in (alice, bob):
            side.wait_for("registration", active=True, timeout=10)
        bob.call("0033142685300")
        assert bob.wait_for("state", state="DISCONNECTED", timeout=10)["code"] == 403
        # The provider's first INVITE must be the allowed call placed after the
        # refusal: had the barred one gone out, it would have come first.
        alice.call("0033142685300")
        alice.wait_for("state", state="CONFIRMED", timeout=15)
        alice.hangup()
        result = sipp_result(callee, tmp_path, timeout_s=40)
    assert result.successful == 1, result.output
    assert re.findall(r"offered (\S+)", callee.log_path.read_text()) == ["+33142685300"]
    assert box.status()["security_events"].get("call-barred") == 1


def test_a_failing_provider_is_skipped_for_the_next_trunk(box, tmp_path):
    broken_port, good_port = free_port(), free_port()
    add_trunk(box, "broken", broken_port)
    add_trunk(box, "backup", good_port)
    set_route(box, ["broken", "backup"])
    broken = provider(tmp_path, "provider_fails", broken_port)
    good = provider(tmp_path, "provider_callee", good_port)
    dial_out(box, "1001", ALICE_HOST, "02079460000")
    assert sipp_result(good, tmp_path, timeout_s=40).successful == 1
    assert sipp_result(broken, tmp_path, timeout_s=40).successful == 1
    failure = trunk_status(box, "broken")
    assert failure["calls_failed"] == 1
    # The edge passes a 503 on as 500, as a proxy must (RFC 3261 16.7).
    assert failure["last_failure"]["status_code"] in (500, 503)


def test_a_call_is_cut_at_the_longest_duration_allowed(box, tmp_path):
    port = free_port()
    add_trunk(box, "pstn", port)
    set_route(box, ["pstn"])
    callee = provider(tmp_path, "provider_callee", port)
    with phone(box, "1001", ALICE_HOST) as alice:
        alice.wait_for("registration", active=True, timeout=10)
        alice.call("02079460000")
        alice.wait_for("state", state="CONFIRMED", timeout=15)
        # Nobody hangs up: the box must.
        alice.wait_for("state", state="DISCONNECTED", timeout=CALL_CAP_S + 10)
        assert sipp_result(callee, tmp_path, timeout_s=40).successful == 1
    records = wait_until(lambda: ended(box, 2), 10, "both legs recorded")
    outbound = next(r for r in records if r["direction"] == "outbound")
    assert outbound["disposition"] == "answered"


def ended(box, count: int) -> list[dict] | None:
    records = box.call_records()
    return records if len(records) == count and all(r["ended_at"] for r in records) else None


def cli(box, *args, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CALLBOX), "--config", str(box.config_path), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


def test_cli_manages_trunks_and_routes_and_never_shows_a_secret(box):
    added = cli(
        box,
        "trunk", "add", "itsp", "--host", "127.0.0.1:5099", "--username", "acct",
        "--did", "442071234567=ext:1001", "--secret-stdin",
        stdin=f"{PROVIDER_SECRET}\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = cli(box, "trunk", "list").stdout
    assert "itsp" in listed
    assert "442071234567->ext:1001" in listed
    assert PROVIDER_SECRET not in listed + json.dumps(box.status())

    route = cli(box, "route", "set", "national", "--pattern", "_0Z.", "--trunk", "itsp")
    assert route.returncode == 0, route.stderr
    assert "national" in cli(box, "route", "list").stdout
    unknown = cli(box, "route", "set", "other", "--pattern", "_0Z.", "--trunk", "nosuch")
    assert (unknown.returncode, unknown.stderr.strip()) == (
        2,
        "callbox: no trunk or line group nosuch",
    )
    bad = cli(box, "route", "set", "other", "--pattern", "_0Q.", "--trunk", "itsp")
    assert bad.returncode == 2
    assert "dial pattern '_0Q.'" in bad.stderr

    in_use = cli(box, "trunk", "del", "itsp")
    assert (in_use.returncode, in_use.stderr.strip()) == (
        2,
        "callbox: trunk itsp is used by routes national",
    )
    assert cli(box, "route", "del", "national").returncode == 0
    assert cli(box, "trunk", "del", "itsp").returncode == 0
    assert "itsp" not in cli(box, "trunk", "list").stdout


def test_an_emergency_number_no_route_covers_still_goes_out(box, tmp_path):
    port = free_port()
    add_trunk(box, "pstn", port)  # and no route at all
    callee = provider(tmp_path, "provider_callee", port)
    dial_out(box, "1002", BOB_HOST, "999")
    assert sipp_result(callee, tmp_path, timeout_s=40).successful == 1
    assert "dialled 999 " in callee.log_path.read_text()


def test_call_rate_refuses_a_burst_from_one_extension_only():
    now = [100.0]
    rate = CallRate(2, clock=lambda: now[0])
    assert [rate.allow("1001") for _ in range(3)] == [True, True, False]
    assert rate.allow("1002"), "another extension has its own count"
    now[0] += 1.0
    assert rate.allow("1001"), "a second later the extension may call again"
