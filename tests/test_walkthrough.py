"""The README's call-center walk-through, command for command: a phone-company line routed to
an IVR, its option 1 to a queue, two softphones logged in as agents, a caller from the
emulated line who waits with announcements and music, is answered, recorded and counted in
`callbox kpi`. The daemon runs with its defaults, as `make run` starts it; every step is the
`callbox` command the README gives, the line driven through `callbox bench`."""

import contextlib
import json
import shlex

import pytest

from tests.call_center_box import cli, read_notifications
from tests.harness import free_port, wait_until
from tests.phone_client import Phone

AGENT_HOSTS = {"1001": "127.0.0.3", "1002": "127.0.0.4"}
AUDIBLE_DBM0 = -45.0  # the line's far end hears something: a prompt or music, not silence

# The README's steps (section "A call center, start to finish"), minus the softphones'
# own set-up, which the test does with pjsua2 phones.
SET_UP = """
callbox ext add 1001 --name Ann
callbox ext add 1002 --name Ben
callbox queue add support --number 600 --strategy ring-all --member 1001 --member 1002 \\
    --set announce_frequency_s=20 --set recording='"always"'
callbox prompt text welcome "Thank you for calling. For support, press 1."
callbox ivr set main --greeting welcome --option 1=queue:support
callbox route-in set lines --source-kind line --destination ivr:main
"""


def run(box, line: str) -> str:
    """One README command line against the box; its output."""
    done = cli(box, *shlex.split(line)[1:])
    assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    return done.stdout


def bench(box, command: str) -> str:
    return run(box, f"callbox bench {command}")


def field(reply: str, name: str) -> str:
    return dict(part.split("=", 1) for part in shlex.split(reply) if "=" in part)[name]


@pytest.fixture
def box(make_daemon):
    daemon = make_daemon().start()
    read_notifications(daemon)
    yield daemon
    print(daemon.log_tail(80))  # shown when the test failed


@contextlib.contextmanager
def softphones(box, secrets: dict[str, str]):
    with contextlib.ExitStack() as stack:
        phones = {
            number: stack.enter_context(
                Phone.start(
                    port=free_port(),
                    name=f"p{number}",
                    user=number,
                    secret=secret,
                    bind=AGENT_HOSTS[number],
                    registrar=box.registrar,
                )
            )
            for number, secret in secrets.items()
        }
        for phone in phones.values():
            phone.wait_for("registration", active=True, timeout=10)
        yield phones


def test_the_readme_walk_through(box):
    secrets = {}
    for line in filter(None, SET_UP.replace("\\\n", " ").splitlines()):
        output = run(box, line)
        if " ext add " in f" {line}":
            secrets[line.split()[3]] = output.split("secret: ")[1].split()[0]
    with softphones(box, secrets) as phones:
        bench(box, 'fxo 1 ring cid 5551234 "Pat Caller"')
        wait_until(lambda: field(bench(box, "fxo 1 line?"), "state") == "connected", 15, "answered")
        bench(box, "fxo 1 keys 1")
        live = wait_until(
            lambda: [q for q in json.loads(run(box, "callbox kpi --live --json")) if q["waiting"]],
            10,
            "the caller waiting in the queue",
        )
        assert live[0]["queue"] == "support"
        heard = float(field(bench(box, "fxo 1 hear"), "level"))
        assert heard > AUDIBLE_DBM0, "the caller hears announcements or music while waiting"
        run(box, "callbox agent login 1001")
        run(box, "callbox agent login 1002")
        phones["1001"].wait_for("incoming", timeout=10)
        phones["1001"].answer()
        phones["1001"].wait_for("media", timeout=10)
        phones["1001"].play_tone(1209, 10.0)
        wait_until(
            lambda: "1209" in field(bench(box, "fxo 1 hear"), "freqs"), 5, "Ann heard on the line"
        )
        bench(box, "fxo 1 hangup battery")
        phones["1001"].wait_for("state", state="DISCONNECTED", timeout=10)

    def complete() -> list[dict]:
        listed = json.loads(run(box, "callbox rec list --json"))
        return [r for r in listed if r["status"] == "complete"]

    recordings = wait_until(complete, 10, "the call's recording")
    assert recordings[0]["caller"] == "5551234"
    (today,) = json.loads(run(box, "callbox kpi --by queue --json"))
    figures = today["figures"]
    assert (today["queue"], figures["offered"], figures["answered"]) == ("support", 1, 1)
    assert figures["abandoned"] == 0
    assert run(box, "callbox kpi").splitlines()[0].split()[:5] == [
        "from", "queue", "agent", "offered", "answered"
    ]  # fmt: skip


def test_a_newcomers_first_call_from_the_emulated_handset(box):
    """README "Analog lines": with `make run`'s defaults, lift fxs1's handset, dial a
    registered softphone, and they hear each other."""
    output = run(box, "callbox ext add 1002 --name Softphone")
    secret = output.split("secret: ")[1].split()[0]
    with softphones(box, {"1002": secret}) as phones:
        bench(box, "fxs 1 offhook")
        wait_until(lambda: field(bench(box, "fxs 1 hear"), "tone") == "dial", 3, "dial tone")
        bench(box, "fxs 1 dial 1002")
        phones["1002"].wait_for("incoming", timeout=10)
        phones["1002"].answer()
        phones["1002"].wait_for("media", timeout=10)
        phones["1002"].play_tone(1209, 10.0)
        wait_until(lambda: "1209" in field(bench(box, "fxs 1 hear"), "freqs"), 5, "1209 Hz")
        bench(box, "fxs 1 onhook")
        phones["1002"].wait_for("state", state="DISCONNECTED", timeout=10)
