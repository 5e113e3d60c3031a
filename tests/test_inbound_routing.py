"""Inbound routes and time conditions: which outside call goes where, in the daemon and alone.

In the daemon, the provider is SIPp (calling from +447700900123) or a pjsua2
phone on 127.0.0.1 (any other caller number); extensions are pjsua2 phones.
"""

import contextlib
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from pbx.catalog import SettingError
from pbx.inbound_routes import InboundRoute, choose, line_own_route, trunk_did_routes
from tests.call_center_box import ask, cli, extension, running_box
from tests.harness import free_port, wait_until
from tests.phone_client import Phone
from tests.test_trunks import provider, sipp_result

pytestmark = pytest.mark.usefixtures("destination_kinds")

ALICE_HOST, BOB_HOST = "127.0.0.3", "127.0.0.4"
DID = "442071234567"
SIPP_CALLER = "+447700900123"  # what tests/sipp/provider_caller.xml calls from


def route(name: str, destination: str, **criteria) -> InboundRoute:
    return InboundRoute(name, destination, **criteria).check()


def test_caller_id_routes_come_before_did_routes_and_catch_alls():
    routes = [
        route("any", "hangup"),
        route("main", "ivr:main", did=DID),
        route("vip", "ext:1002", caller="_447700900XXX"),
        route("vip-main", "ext:1003", caller="_4477009001XX", did=DID),
        *trunk_did_routes("pstn", {DID: "ext:1001", "442071234999": "ext:1004"}),
    ]

    def taken(did: str, caller: str, trunk: str = "pstn") -> str:
        return choose(routes, "trunk", trunk, did, caller).name

    assert taken(DID, "+447700900123") == "vip-main"  # caller ID and DID beat caller ID alone
    assert taken("442071234999", "+447700900555") == "vip"  # caller ID beats the trunk's DID
    # Among DID routes, one naming its trunk (a trunk's DID list does) comes first.
    assert taken(DID, "441632960000") == f"trunk:pstn:{DID}"
    assert taken(DID, "441632960000", trunk="other") == "main"
    assert taken("449999", "441632960000") == "any"


def test_a_route_naming_its_source_comes_before_one_for_any_source():
    routes = [
        route("anywhere", "ext:1001", did=DID),
        route("from-pstn", "ext:1002", did=DID, source_kind="trunk", source_name="pstn"),
        route("from-lines", "ext:1003", did=DID, source_kind="line"),
    ]
    assert choose(routes, "trunk", "pstn", DID, "").name == "from-pstn"
    assert choose(routes, "trunk", "other", DID, "").name == "anywhere"
    assert choose(routes, "line", "fxo1", DID, "").name == "from-lines"


def test_a_lines_own_destination_yields_to_stored_routes_as_specific():
    stored = [
        route("vip", "queue:vip", caller="_5551XXX", source_kind="line"),
        route("fxo1", "ivr:main", source_kind="line", source_name="fxo1"),
        route("lines", "hangup", source_kind="line"),
    ]
    assert choose(line_own_route("fxo1", ""), "line", "fxo1", "", "5559999") is None
    own = line_own_route("fxo1", "ext:1001")

    def taken(routes: list[InboundRoute], caller: str) -> str:
        return choose(routes + own, "line", "fxo1", "", caller).destination

    assert taken([], "5551234") == "ext:1001"
    assert taken(stored, "5551234") == "queue:vip"  # a caller-ID route comes first
    assert taken(stored, "5559999") == "ivr:main"  # a stored route for the line before its own
    assert taken(stored[2:], "5559999") == "ext:1001"  # the line's own before one for any line
    assert taken([route("trunks", "hangup", source_kind="trunk")], "5559999") == "ext:1001"


def test_numbers_match_with_or_without_plus_and_withheld_callers_by_name():
    assert route("r", "hangup", did="+" + DID).matches("trunk", "t", DID, "")
    assert route("r", "hangup", caller="_0044.").matches("trunk", "t", "1", "0044123")
    withheld = route("r", "hangup", caller="anonymous")
    assert withheld.matches("trunk", "t", DID, "Anonymous")
    assert withheld.matches("trunk", "t", DID, "")
    assert not withheld.matches("trunk", "t", DID, "447700900123")


@pytest.mark.parametrize(
    ("criteria", "complaint"),
    [
        ({"did": "_44Q."}, "dial pattern"),
        ({"source_name": "pstn"}, "needs its source_kind"),
        ({"source_kind": "isdn"}, "source_kind must be one of"),
        ({"did": "anonymous"}, "cannot be anonymous"),
    ],
)
def test_bad_routes_are_named(criteria, complaint):
    with pytest.raises(SettingError, match=complaint):
        route("bad", "hangup", **criteria)


# --- in the daemon ----------------------------------------------------------------


@pytest.fixture(scope="module")
def box():
    with running_box({"1001": "Alice", "1002": "Bob"}) as daemon:
        yield daemon


@pytest.fixture(scope="module")
def phones(box):
    """Alice (1001) and Bob (1002), registered; each answers every call."""
    with contextlib.ExitStack() as stack:
        found = {
            number: stack.enter_context(extension(box, number, host))
            for number, host in (("1001", ALICE_HOST), ("1002", BOB_HOST))
        }
        yield found


def sipp_call_rings(box, phones, tmp_path, trunk: str) -> str:
    """SIPp calls the DID through `trunk`; returns which extension rang (and answered)."""
    tmp_path.mkdir(exist_ok=True)
    port = free_port()
    ask(box, "trunk.add", name=trunk, host=f"127.0.0.1:{port}")
    caller = provider(
        tmp_path, "provider_caller", port, role="uac", target=f"127.0.0.1:{box.edge[1]}",
        service=DID, hold_ms=200, extra=("-set", "did", DID),
    )  # fmt: skip
    rang = ring_and_answer(phones)
    result = sipp_result(caller, tmp_path, timeout_s=40)
    assert result.successful == 1, result.output
    phones[rang].take("state", state="DISCONNECTED", timeout=10)
    return rang


def ring_and_answer(phones) -> str:
    """Wait for one of the phones to ring and answer it; returns its number."""
    rang: list[str] = []
    first = threading.Event()

    def watch(number: str, phone: Phone) -> None:
        deadline = time.monotonic() + 10
        while not first.is_set() and time.monotonic() < deadline:
            with contextlib.suppress(AssertionError):
                phone.take("incoming", timeout=0.1)
                rang.append(number)
                first.set()
                phone.answer()

    watchers = [threading.Thread(target=watch, args=item) for item in phones.items()]
    for watcher in watchers:
        watcher.start()
    for watcher in watchers:
        watcher.join()
    assert len(rang) == 1, f"rang: {rang}"
    return rang[0]


def test_a_caller_id_route_takes_the_call_before_the_trunks_did(box, phones, tmp_path):
    ask(box, "route-in.set", name="vip", caller="_447700900XXX", destination="ext:1002")
    try:
        trunk = "pstn-vip"
        port = free_port()
        ask(box, "trunk.add", name=trunk, host=f"127.0.0.1:{port}", dids={DID: "ext:1001"})
        caller = provider(
            tmp_path, "provider_caller", port, role="uac", target=f"127.0.0.1:{box.edge[1]}",
            service=DID, hold_ms=200, extra=("-set", "did", DID),
        )  # fmt: skip
        assert ring_and_answer(phones) == "1002"
        assert sipp_result(caller, tmp_path, timeout_s=40).successful == 1
        phones["1002"].take("state", state="DISCONNECTED", timeout=10)
        # Another caller on the same DID goes where the trunk's DID list says.
        with Phone.start(port=port, name="441632960000") as other:
            other.call(f"sip:{DID}@127.0.0.1:{box.edge[1]}")
            assert ring_and_answer(phones) == "1001"
            other.wait_for("state", state="CONFIRMED", timeout=10)
            other.hangup()
            phones["1001"].take("state", state="DISCONNECTED", timeout=10)
    finally:
        ask(box, "route-in.del", name="vip")


def _weekday_in(days: int) -> str:
    return ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[
        (datetime.now(UTC) + timedelta(days=days)).weekday()
    ]


def test_time_conditions_choose_by_hours_holidays_and_night_mode(box, phones, tmp_path):
    # Whole days in UTC, none near today, so the test cannot straddle a boundary.
    always, elsewhere = "mon-sun", _weekday_in(3)
    today = datetime.now(UTC).date()
    around_today = f"{today - timedelta(days=1)}..{today + timedelta(days=1)}"
    assert cli(box, "tc", "set", "office", "--open-destination", "ext:1001",
               "--closed-destination", "ext:1002", "--schedule", always,
               "--timezone", "UTC").returncode == 0  # fmt: skip
    assert (
        cli(
            box, "route-in", "set", "by-hours", "--did", DID, "--destination", "tc:office"
        ).returncode
        == 0
    )
    try:
        assert sipp_call_rings(box, phones, tmp_path / "a", "tc-open") == "1001"
        assert cli(box, "tc", "set", "office", "--holiday", around_today).returncode == 0
        assert sipp_call_rings(box, phones, tmp_path / "b", "tc-holiday") == "1002"
        assert cli(box, "tc", "set", "office", "--holiday", "").returncode == 0
        assert cli(box, "tc", "night", "office", "on").returncode == 0
        assert "closed (night mode): ext:1002" in cli(box, "tc", "check", "office").stdout
        assert sipp_call_rings(box, phones, tmp_path / "c", "tc-night") == "1002"
        assert cli(box, "tc", "night", "office", "off").returncode == 0
        assert (
            cli(box, "tc", "set", "office", "--schedule", f"{elsewhere} 09:00-17:00").returncode
            == 0
        )
        assert sipp_call_rings(box, phones, tmp_path / "d", "tc-closed") == "1002"
        # What the condition decides at another time: the clock is the asker's.
        that_day = (datetime.now(UTC) + timedelta(days=3)).date()
        morning, evening = f"{that_day}T10:00+00:00", f"{that_day}T18:00+00:00"
        assert (
            "open (open hours): ext:1001"
            in cli(box, "tc", "check", "office", "--at", morning).stdout
        )
        assert "closed (closed hours)" in cli(box, "tc", "check", "office", "--at", evening).stdout
    finally:
        cli(box, "route-in", "del", "by-hours")


def test_night_mode_by_feature_code(box, phones):
    desk = cli(
        box, "tc", "set", "desk", "--open-destination", "ext:1001",
        "--closed-destination", "hangup", "--feature-code", "*281",
    )  # fmt: skip
    assert desk.returncode == 0, desk.stderr
    alice = phones["1001"]
    for expected in ("closed", "auto"):
        call = alice.call("*281")
        alice.wait_for("state", state="CONFIRMED", call=call, timeout=10)
        # It hears "activated" (or "de-activated"), then the box hangs up.
        alice.wait_for("state", state="DISCONNECTED", call=call, timeout=10)
        (desk,) = [tc for tc in ask(box, "tc.list") if tc["name"] == "desk"]
        assert desk["override"] == expected


def test_a_routes_recording_policy_records_its_calls_whatever_the_extension_says(
    box, phones, tmp_path
):
    ask(box, "ext.set", number="1002", recording="never")
    ask(
        box, "route-in.set", name="recorded", did=DID, source_kind="trunk",
        source_name="pstn-rec", destination="ext:1002", recording="always",
    )  # fmt: skip
    try:
        assert sipp_call_rings(box, phones, tmp_path, "pstn-rec") == "1002"
        recordings = wait_until(
            lambda: [r for r in ask(box, "rec.list") if r["status"] == "complete"],
            10,
            "the call's recording closed",
        )
        assert [(r["caller"], r["callee"]) for r in recordings] == [(SIPP_CALLER, "1002")]
    finally:
        ask(box, "route-in.del", name="recorded")
        ask(box, "ext.set", number="1002", recording="")
