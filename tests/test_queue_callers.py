"""What a queue's caller meets: announcements and music, exits, a callback that keeps
the place. Callers are office phones (1008, 1009) dialling the queue's number."""

import itertools

import pytest

from tests.call_center import (
    FR_NUMBER_HZ,
    FR_THERE_ARE_HZ,
    FR_WAITING_HZ,
    MUSIC_HZ,
    PERIODIC_HZ,
    POSITION_HZ,
    add_queue,
    answer,
    ask,
    call_queue,
    events,
    log_in,
    no_ringing,
    phones,
    start_box,
    tone_spans,
)
from tests.call_center_box import provider_caller
from tests.harness import wait_until


@pytest.fixture
def box(make_daemon, workdir):
    daemon = start_box(make_daemon, workdir)
    yield daemon
    print(daemon.log_tail(80))  # shown when the test failed


def first(spans: list, hz: int) -> int:
    assert hz in spans, f"{hz} Hz never heard: {spans}"
    return spans.index(hz)


def test_a_waiting_caller_hears_its_position_then_music_then_the_periodic_announcement(
    box, tmp_path
):
    with phones(box, "1009") as (caller,):
        add_queue(
            box,
            "sales",
            ["1001"],
            number="600",
            announce_frequency_s=60,
            periodic_announce="queue-periodic",
            periodic_frequency_s=2,
        )
        call_queue(caller)
        caller.record(tmp_path / "waiting.wav", seconds=3.5)
        caller.wait_for("recorded", timeout=10)
    spans = tone_spans(tmp_path / "waiting.wav", [POSITION_HZ, MUSIC_HZ, PERIODIC_HZ])
    assert first(spans, POSITION_HZ) < first(spans, MUSIC_HZ) < first(spans, PERIODIC_HZ), spans
    assert spans[-1] == MUSIC_HZ, "the music comes back after the announcement"


def test_a_queue_in_french_announces_the_position_with_the_french_prompts(box, tmp_path):
    with phones(box, "1008", "1009") as (ahead, caller):
        add_queue(box, "ventes", ["1001"], number="600", announce_frequency_s=60, language="fr")
        call_queue(ahead)
        call_queue(caller)  # second in line: "il y a 2 appels en attente"
        caller.record(tmp_path / "waiting.wav", seconds=3.0)
        caller.wait_for("recorded", timeout=10)
    tones = [FR_THERE_ARE_HZ, FR_NUMBER_HZ, FR_WAITING_HZ, POSITION_HZ, MUSIC_HZ]
    spans = tone_spans(tmp_path / "waiting.wav", tones)
    heard = [hz for hz, _ in itertools.groupby(hz for hz in spans if hz is not None)]
    assert heard == [FR_THERE_ARE_HZ, FR_NUMBER_HZ, FR_WAITING_HZ, MUSIC_HZ], spans


def test_max_wait_sends_the_caller_on_and_the_exit_key_leaves_at_once(box):
    with phones(box, "1002", "1003", "1009") as (b, c, caller):
        add_queue(box, "slow", ["1001"], number="600", max_wait_s=2, exit_destination="ext:1003")
        add_queue(
            box, "keyed", ["1001"], number="601", exit_key="0", exit_key_destination="ext:1002"
        )
        call_queue(caller, "600")
        assert no_ringing([c], within_s=1.0), "not before max_wait_s"
        assert c.wait_for("incoming", timeout=5)["caller_number"] == "1009"
        c.hangup(code=486)
        caller.wait_for("state", state="DISCONNECTED", timeout=10)
        call_queue(caller, "601")
        caller.dtmf("0")
        assert b.wait_for("incoming", timeout=5)["caller_number"] == "1009"
        answer(b)
        caller.hangup()
    kinds = [(e["queue"], e["kind"]) for e in events(box) if e["queue"]]
    assert kinds == [
        ("slow", "join"),
        ("slow", "timeout"),
        ("keyed", "join"),
        ("keyed", "exit-key"),
    ]
    assert events(box, "timeout")[0]["wait_s"] >= 2.0


def test_a_callback_keeps_the_callers_place(box):
    with phones(box, "1001", "1008", "1009") as (agent, second, first_caller):
        add_queue(box, "sales", ["1001"], number="600", callback_key="1")
        call_queue(first_caller)
        call_queue(second)
        first_caller.dtmf("1")  # "call me back", and hang up
        first_caller.wait_for("state", state="DISCONNECTED", timeout=10)
        wait_until(lambda: events(box, "callback-request"), 5, "the callback asked for")
        log_in(box, "1001")
        # The first caller's turn comes first: it is called back before anyone rings the agent.
        assert first_caller.wait_for("incoming", timeout=10)["caller_number"] == "600"
        assert no_ringing([agent], within_s=0.3)
        answer(first_caller)
        assert agent.wait_for("incoming", timeout=10)["caller_number"] == "1009"
        answer(agent)
        agent.hangup()
        first_caller.wait_for("state", state="DISCONNECTED", timeout=10)
        agent.wait_for("state", state="DISCONNECTED", timeout=10)
        assert agent.wait_for("incoming", timeout=10)["caller_number"] == "1008"
        answer(agent)
        agent.hangup()
    connects = wait_until(lambda: events(box, "connect")[1:] and events(box, "connect"), 5, "2")
    assert [e["caller_number"] for e in connects] == ["1009", "1008"]
    assert [e["kind"] for e in events(box) if e["caller_number"] == "1009"] == [
        "join",
        "callback-request",
        "callback-attempt",
        "connect",
        "complete",
    ]
    assert connects[0]["position"] == 1


def test_a_full_queue_turns_callers_away_to_its_exit(box):
    with phones(box, "1003", "1008", "1009") as (c, second, caller):
        add_queue(box, "small", ["1001"], number="600", max_callers=1, exit_destination="ext:1003")
        call_queue(caller)
        second.call("600")
        assert c.wait_for("incoming", timeout=10)["caller_number"] == "1008"
    assert events(box, "refused")[0]["reason"] == "full"
    assert ask(box, "kpi.live")[0]["waiting"] in (0, 1)


AGENT_HZ, CALLER_HZ = 1209, 770


def recordings(box, **query) -> list[dict]:
    return ask(box, "rec.list", **query)


def complete_recording(box) -> dict | None:
    done = [r for r in recordings(box) if r["status"] == "complete"]
    return done[0] if done else None


def test_a_recorded_queue_records_its_caller_from_joining_to_the_end_of_the_call(box, tmp_path):
    with phones(box, "1001", "1009") as (agent, caller):
        add_queue(box, "sales", ["1001"], number="600", announce_frequency_s=60, recording="always")
        call_queue(caller)
        caller.record(tmp_path / "waiting.wav", seconds=1.5)  # the position, then music
        caller.wait_for("recorded", timeout=10)
        log_in(box, "1001")
        agent.wait_for("incoming", timeout=10)
        answer(agent)
        agent.play_tone(AGENT_HZ, 10.0)
        caller.play_tone(CALLER_HZ, 10.0)
        agent.record(tmp_path / "agent.wav", seconds=1.5)  # hears the caller meanwhile
        agent.wait_for("recorded", timeout=10)
        caller.hangup()
        agent.wait_for("state", state="DISCONNECTED", timeout=10)
    done = wait_until(lambda: complete_recording(box), 10, "the recording closed")

    spans = tone_spans(done["file"], [POSITION_HZ, MUSIC_HZ, AGENT_HZ])
    assert first(spans, POSITION_HZ) < first(spans, MUSIC_HZ) < first(spans, AGENT_HZ), spans
    talk = tone_spans(done["file"], [CALLER_HZ], threshold_db=-10)
    assert CALLER_HZ in talk[first(spans, AGENT_HZ) :], "the caller is in it too"
    legs = [r for r in box.call_records() if r["call_uid"] == done["call_uid"]]
    assert len(legs) == 2, "the caller's leg and the agent's"
    assert {(r["recording_uid"], r["recording_status"]) for r in legs} == {
        (done["uid"], "recorded")
    }
    assert len(recordings(box)) == 1, "the bridge to the agent is not recorded apart"
    assert (done["queue"], done["agent"]) == ("sales", "1001"), "found by queue and agent"


DID = "442071234567"


def test_a_caller_from_the_provider_is_called_back_through_the_trunk(box, tmp_path):
    with (
        phones(box, "1001") as (agent,),
        provider_caller(box, "itsp", "447700900555") as caller,
    ):
        add_queue(box, "sales", ["1001"], number="600", callback_key="1", announce_frequency_s=60)
        ask(box, "route-in.set", name="sales-did", did=DID, destination="queue:sales")
        caller.call(f"sip:{DID}@127.0.0.1:{box.edge[1]}")
        caller.wait_for("media", timeout=10)
        caller.record(tmp_path / "waiting.wav", seconds=1.5)
        caller.wait_for("recorded", timeout=10)
        spans = tone_spans(tmp_path / "waiting.wav", [POSITION_HZ, MUSIC_HZ])
        assert first(spans, POSITION_HZ) < first(spans, MUSIC_HZ), spans
        caller.dtmf("1")
        caller.wait_for("state", state="DISCONNECTED", timeout=10)
        log_in(box, "1001")
        callback = caller.wait_for("incoming", timeout=10)  # through the trunk, to its port
        assert callback["caller_number"] == "600"
        answer(caller)
        assert agent.wait_for("incoming", timeout=10)["caller_number"] == "447700900555"
        answer(agent)
        agent.play_tone(AGENT_HZ, 5.0)
        caller.record(tmp_path / "talk.wav", seconds=1.0)
        caller.wait_for("recorded", timeout=10)
        assert AGENT_HZ in tone_spans(tmp_path / "talk.wav", [AGENT_HZ]), "the agent is heard"
        agent.hangup()
        caller.wait_for("state", state="DISCONNECTED", timeout=10)
    kinds = [e["kind"] for e in events(box) if e["caller_number"] == "447700900555"]
    assert kinds[:4] == ["join", "callback-request", "callback-attempt", "connect"]
