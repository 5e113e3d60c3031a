"""Agents and supervisors: wrap-up across queues, busy agents left alone, automatic pause,
feature codes and the API, listen/whisper/barge, ring groups."""

import pytest

from tests.call_center import (
    add_queue,
    answer,
    ask,
    call_queue,
    events,
    first_to_ring,
    log_in,
    mix_level_db,
    no_ringing,
    phones,
    start_box,
    tone_end_s,
)
from tests.harness import wait_until

CALLER_HZ, AGENT_HZ, SUPERVISOR_HZ = 697, 1209, 1633


@pytest.fixture
def box(make_daemon, workdir):
    daemon = start_box(make_daemon, workdir)
    yield daemon
    print(daemon.log_tail(80))  # shown when the test failed


def state(box, agent: str) -> dict:
    return next(a for a in ask(box, "agent.list") if a["extension"] == agent)


def test_wrap_up_counts_in_every_queue_and_busy_agents_are_not_rung(box):
    with phones(box, "1001", "1002", "1008", "1009") as (a, b, other, caller):
        add_queue(box, "first", ["1001"], number="600", wrapup_s=30)
        add_queue(box, "second", ["1001", "1002"], number="601", strategy="linear")
        log_in(box, "1001", "1002")
        call_queue(caller, "600")
        a.wait_for("incoming", timeout=10)
        answer(a)
        a.hangup()
        caller.wait_for("state", state="DISCONNECTED", timeout=10)
        assert state(box, "1001")["state"] == "wrap-up"
        call_queue(caller, "601")  # 1001 comes first here, but wraps up from "first"
        assert first_to_ring([a, b]) is b
        answer(b)
        # 1002 is on a call: a third caller waits rather than ring it.
        other.call("601")
        other.wait_for("state", state="CONFIRMED", timeout=10)
        assert no_ringing([a, b], within_s=1.0)
        assert "busy" not in {e.get("event") for e in b._backlog}, "no INVITE reached 1002"


def test_missed_rings_pause_an_agent_and_the_next_one_rings(box):
    with phones(box, "1001", "1002", "1009") as (a, b, caller):
        add_queue(
            box,
            "sales",
            ["1001", "1002"],
            number="600",
            strategy="linear",
            ring_timeout_s=1,
            missed_rings_before_pause=1,
        )
        log_in(box, "1001", "1002")
        call_queue(caller)
        assert first_to_ring([a, b]) is a  # and 1001 lets it ring out
        assert b.wait_for("incoming", timeout=10)
        answer(b)
        assert state(box, "1001") == {
            "extension": "1001",
            "state": "paused",
            "pause_reason": "missed-rings",
            "queues": ["sales"],
        }
    assert [e["kind"] for e in events(box) if e["agent"] == "1001"][-2:] == [
        "ring-no-answer",
        "pause",
    ]


def dial_code(phone, code: str) -> int:
    """Dial a feature code; the code the call ended with (200 after the beep)."""
    phone.call(code)
    ended = phone.wait_for("state", state="DISCONNECTED", timeout=10)
    return ended["code"]


def test_agents_log_in_pause_and_log_out_by_feature_code_and_through_the_api(box):
    with phones(box, "1001", "1008") as (a, stranger):
        add_queue(box, "sales", ["1001"], number="600")
        assert state(box, "1001")["state"] == "logged-out"
        assert dial_code(a, "*45") == 200
        assert state(box, "1001")["state"] == "available"
        dial_code(a, "*472")
        assert (state(box, "1001")["state"], state(box, "1001")["pause_reason"]) == (
            "paused",
            "code 2",
        )
        dial_code(a, "*48")
        assert state(box, "1001")["state"] == "available"
        ask(box, "agent.pause", extension="1001", reason="lunch")
        assert state(box, "1001")["pause_reason"] == "lunch"
        ask(box, "agent.unpause", extension="1001")
        dial_code(a, "*46")
        assert state(box, "1001")["state"] == "logged-out"
        assert dial_code(stranger, "*45") == 403, "1008 is in no queue"
    kinds = [e["kind"] for e in events(box) if e["agent"] == "1001"]
    assert kinds == ["login", "pause", "unpause", "pause", "unpause", "logout"]


def supervised_call(box, agent, caller) -> None:
    add_queue(box, "sales", ["1001"], number="600")
    log_in(box, "1001")
    call_queue(caller)
    agent.wait_for("incoming", timeout=10)
    answer(agent)
    caller.play_tone(CALLER_HZ, 30)
    agent.play_tone(AGENT_HZ, 30)


def hears(phone, path) -> dict:
    """Which of the three tones `phone` hears (12 dB below the rest: no), judged on the
    last 0.7 s of 1.5 s: a key just pressed mutes the presser's tone while it is sent."""
    phone.record(path, seconds=1.5)
    phone.wait_for("recorded", timeout=10)
    levels = {hz: mix_level_db(path, hz, skip_s=0.8) for hz in (CALLER_HZ, AGENT_HZ, SUPERVISOR_HZ)}
    return {hz: level > -12 for hz, level in levels.items()}


# Who hears the supervisor (1633 Hz) in each mode: (agent, caller).
HEARING_THE_SUPERVISOR = {"listen": (False, False), "whisper": (True, False), "barge": (True, True)}


@pytest.mark.parametrize("mode", list(HEARING_THE_SUPERVISOR))
def test_supervisor_listens_whispers_or_barges(box, tmp_path, mode):
    agent_hears, caller_hears = HEARING_THE_SUPERVISOR[mode]
    with phones(box, "1001", "1008", "1009") as (agent, boss, caller):
        supervised_call(box, agent, caller)
        ask(box, "queue.supervise", supervisor="1008", agent="1001", mode=mode)
        boss.wait_for("incoming", timeout=10)
        answer(boss)
        boss.play_tone(SUPERVISOR_HZ, 30)
        assert hears(boss, tmp_path / "boss.wav") == {
            CALLER_HZ: True,
            AGENT_HZ: True,
            SUPERVISOR_HZ: False,
        }
        assert hears(agent, tmp_path / "agent.wav")[SUPERVISOR_HZ] is agent_hears
        assert hears(caller, tmp_path / "caller.wav")[SUPERVISOR_HZ] is caller_hears
        boss.hangup()
        boss.wait_for("state", state="DISCONNECTED", timeout=10)
        assert hears(caller, tmp_path / "caller-after.wav") == {
            CALLER_HZ: False,
            AGENT_HZ: True,
            SUPERVISOR_HZ: False,
        }, "the call goes on as before"


def switch_mode(box, boss, key: str, mode: str) -> None:
    """The supervisor presses `key` (by SIP INFO, which leaves its tone unbroken) and the
    box confirms `mode`."""
    boss.dtmf(key, method="info")
    wait_until(
        lambda: [s["mode"] for s in ask(box, "queue.supervisions")] == [mode],
        10,
        f"the supervision in {mode}",
    )


def supervisor_lag_s(agent, boss, caller, path) -> float:
    """How much later than the caller's the agent hears the supervisor's voice: both
    stop at once, and the agent hears each stop."""
    agent.record(path, seconds=1.0)
    caller.stop_tone()
    boss.stop_tone()
    agent.wait_for("recorded", timeout=10)
    lag_s = tone_end_s(path, SUPERVISOR_HZ) - tone_end_s(path, CALLER_HZ)
    caller.play_tone(CALLER_HZ, 30)
    boss.play_tone(SUPERVISOR_HZ, 30)
    return lag_s


def test_supervisor_switches_mode_during_the_call(box, tmp_path):
    with phones(box, "1001", "1008", "1009") as (agent, boss, caller):
        supervised_call(box, agent, caller)
        ask(box, "queue.supervise", supervisor="1008", agent="1001", mode="listen")
        boss.wait_for("incoming", timeout=10)
        answer(boss)
        boss.play_tone(SUPERVISOR_HZ, 30)
        switch_mode(box, boss, "5", "whisper")
        assert hears(agent, tmp_path / "whisper-agent.wav")[SUPERVISOR_HZ]
        assert not hears(caller, tmp_path / "whisper-caller.wav")[SUPERVISOR_HZ]
        switch_mode(box, boss, "4", "listen")
        assert not hears(agent, tmp_path / "listen-agent.wav")[SUPERVISOR_HZ]
        # Unheard while listening, the supervisor's audio must not pile up and
        # come out late once the supervisor speaks up again.
        switch_mode(box, boss, "6", "barge")
        lag_s = supervisor_lag_s(agent, boss, caller, tmp_path / "lag.wav")
        assert lag_s < 0.15, f"the agent hears the supervisor {lag_s:.2f} s after the caller"
        assert hears(agent, tmp_path / "barge-agent.wav")[SUPERVISOR_HZ]
        assert hears(caller, tmp_path / "barge-caller.wav")[SUPERVISOR_HZ]
        assert ask(box, "queue.supervisions") == [
            {"supervisor": "1008", "agent": "1001", "mode": "barge"}
        ]
        boss.hangup()
        wait_until(lambda: not ask(box, "queue.supervisions"), 10, "the supervision over")


def test_supervisor_feature_code_joins_the_agents_call(box, tmp_path):
    with phones(box, "1001", "1008", "1009") as (agent, boss, caller):
        supervised_call(box, agent, caller)
        boss.call("*821001")
        boss.wait_for("state", state="CONFIRMED", timeout=10)
        boss.wait_for("media", timeout=5)
        boss.play_tone(SUPERVISOR_HZ, 30)
        assert hears(caller, tmp_path / "c.wav")[SUPERVISOR_HZ]
        boss.hangup()
        boss.wait_for("state", state="DISCONNECTED", timeout=10)
        assert dial_code(boss, "*801003") == 404, "1003 is on no queue call"


def test_ring_groups_ring_all_at_once_or_in_order(box):
    with phones(box, "1001", "1002", "1009") as (a, b, caller):
        ask(box, "group.set", name="desk", members=["1001", "1002"], number="700")
        ask(
            box,
            "group.set",
            name="chain",
            members=["1001", "1002"],
            number="701",
            strategy="in-order",
            ring_timeout_s=1,
            no_answer_destination="",
        )
        caller.call("700")
        assert {first_to_ring([a, b]).name, first_to_ring([a, b]).name} == {"p1001", "p1002"}
        caller.wait_for("state", state="EARLY", timeout=5)  # the caller hears ringing
        answer(b)
        assert a.wait_for("state", state="DISCONNECTED", timeout=10)["code"] == 487
        caller.wait_for("state", state="CONFIRMED", timeout=10)
        b.hangup()
        caller.wait_for("state", state="DISCONNECTED", timeout=10)
        caller.call("701")
        assert first_to_ring([a, b]) is a
        assert no_ringing([b], within_s=0.5)
        assert first_to_ring([b], timeout_s=5) is b, "after 1001's ring timeout"
        b.hangup(code=486)
        assert caller.wait_for("state", state="DISCONNECTED", timeout=10)["code"] == 480
