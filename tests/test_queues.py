"""Queues end to end: pjsua2 agents and callers through the edge, the real daemon between.

Agents are 1001-1003; office callers dial the queue's number from 1009. Music and
prompts are tones (tests/call_center.py), so what a caller hears can be told apart.
"""

import random

import pytest

from pbx.queues import QueueError
from pbx.queues.settings import queue_from_dict
from pbx.queues.strategy import Candidate, choose
from tests.call_center import (
    add_queue,
    answer,
    ask,
    call_queue,
    events,
    first_to_ring,
    log_in,
    no_ringing,
    phones,
    rung,
    start_box,
    tone_spans,
)
from tests.harness import wait_until


@pytest.fixture
def box(make_daemon, workdir):
    daemon = start_box(make_daemon, workdir)
    yield daemon
    print(daemon.log_tail(80))  # shown when the test failed


def test_linear_rings_members_in_order_and_connects_the_first_to_answer(box, tmp_path):
    with phones(box, "1001", "1002", "1003", "1009") as (a, b, c, caller):
        add_queue(box, "sales", ["1002", "1001", "1003"], number="600", strategy="linear")
        log_in(box, "1001", "1002", "1003")
        call_queue(caller)
        assert first_to_ring([a, b, c]) is b
        assert no_ringing([a, c])
        answer(b)
        b.play_tone(697, 3.0)
        caller.record(tmp_path / "caller.wav", seconds=1.0)
        caller.wait_for("recorded", timeout=10)
        assert 697 in tone_spans(tmp_path / "caller.wav", [697])
        b.hangup()
        caller.wait_for("state", state="DISCONNECTED", timeout=10)
    kinds = [
        e["kind"]
        for e in wait_until(
            lambda: events(box) if len(events(box, "complete")) else None, 10, "complete"
        )
    ]
    assert kinds[-3:] == ["join", "connect", "complete"]


def test_each_strategy_orders_candidates_as_documented():
    c = [
        Candidate("a", 0, 0, calls=3, last_call_end=50, idle_since=10),
        Candidate("b", 0, 1, calls=1, last_call_end=70, idle_since=5),
        Candidate("c", 0, 2, calls=2, last_call_end=20, idle_since=30),
        Candidate("d", 1, 3, calls=0, last_call_end=0, idle_since=0),
    ]
    picked = {s: [x.extension for x in choose(s, c, 0)] for s in ("linear", "least-recent")}
    picked |= {s: [x.extension for x in choose(s, c, 0)] for s in ("fewest-calls", "longest-idle")}
    assert picked == {
        "linear": ["a"],
        "least-recent": ["c"],
        "fewest-calls": ["b"],
        "longest-idle": ["b"],
    }, "d has the best figures but a higher penalty"
    assert [x.extension for x in choose("ring-all", c)] == ["a", "b", "c"]
    assert [x.extension for x in choose("round-robin", c, 1)] == ["c"]
    assert [x.extension for x in choose("round-robin", c, 2)] == ["a"], "wraps round"
    rng = random.Random(7)
    picks = {choose("random", c, rng=rng)[0].extension for _ in range(50)}
    assert picks == {"a", "b", "c"}


def test_a_queues_language_is_a_language_code():
    assert queue_from_dict({"name": "ventes", "language": "fr-ca"}).language == "fr-ca"
    with pytest.raises(QueueError, match="language must be a code"):
        queue_from_dict({"name": "ventes", "language": "French"})


def test_ring_all_rings_the_best_tier_and_the_first_answer_wins(box):
    with phones(box, "1001", "1002", "1003", "1009") as (a, b, c, caller):
        members = [["1001", 0], ["1002", 0], ["1003", 1]]
        add_queue(box, "sales", members, number="600", strategy="ring-all")
        log_in(box, "1001", "1002", "1003")
        call_queue(caller)
        ringing = {first_to_ring([a, b, c]).name, first_to_ring([a, b, c]).name}
        assert ringing == {"p1001", "p1002"}
        assert no_ringing([c]), "1003's penalty keeps it out while 1001 and 1002 are free"
        answer(b)
        assert a.wait_for("state", state="DISCONNECTED", timeout=10)["code"] == 487


def test_round_robin_carries_on_after_the_agent_offered_the_last_call(box):
    with phones(box, "1001", "1002", "1003", "1009") as (a, b, c, caller):
        add_queue(box, "sales", AGENT_LIST, number="600", strategy="round-robin")
        log_in(box, "1001", "1002", "1003")
        assert [rung([a, b, c], caller).name for _ in range(4)] == [
            "p1001",
            "p1002",
            "p1003",
            "p1001",
        ]


AGENT_LIST = ["1001", "1002", "1003"]


def test_least_recent_offers_the_agent_whose_last_call_ended_longest_ago(box):
    with phones(box, "1001", "1002", "1003", "1009") as (a, b, c, caller):
        add_queue(box, "sales", AGENT_LIST, number="600", strategy="least-recent")
        log_in(box, "1001", "1002", "1003")
        call_queue(caller)  # 1: 1001 takes it and stays on
        assert first_to_ring([a, b, c]) is a
        answer(a)
        caller.hold()
        caller.call("600")  # 2: 1002 (1001 is busy), which ends first
        assert first_to_ring([a, b, c]) is b
        answer(b)
        b.hangup()
        b.wait_for("state", state="DISCONNECTED", timeout=10)
        a.hangup()  # now 1001's call ended last, 1002's before it, 1003 had none
        a.wait_for("state", state="DISCONNECTED", timeout=10)
        caller.wait_for("state", state="DISCONNECTED", timeout=10)
        caller.wait_for("state", state="DISCONNECTED", timeout=10)
        assert rung([a, b, c], caller) is c
        assert rung([a, b, c], caller) is b, "round-robin or linear would pick 1001"


def test_fewest_calls_offers_the_agent_with_fewest_answered(box):
    with phones(box, "1001", "1002", "1003", "1009") as (a, b, c, caller):
        add_queue(box, "sales", AGENT_LIST, number="600", strategy="fewest-calls")
        log_in(box, "1001", "1002", "1003")
        ask(box, "agent.pause", extension="1003", reason="training")
        picks = [rung([a, b, c], caller).name for _ in range(4)]
        assert picks == ["p1001", "p1002", "p1001", "p1002"], "ties go to member order"


def test_longest_idle_counts_calls_that_did_not_come_from_the_queue(box):
    with phones(box, "1001", "1002", "1003", "1009") as (a, b, c, caller):
        add_queue(box, "sales", AGENT_LIST, number="600", strategy="longest-idle")
        log_in(box, "1001", "1002", "1003")
        caller.call("1001")  # a direct call: 1001 is idle from its end
        a.wait_for("incoming", timeout=10)
        answer(a)
        a.hangup()
        caller.wait_for("state", state="DISCONNECTED", timeout=10)
        assert rung([a, b, c], caller) is b, "1001 just finished a call; 1002 logged in first"


def test_random_picks_only_from_the_best_free_tier(box):
    with phones(box, "1001", "1002", "1003", "1009") as (a, b, c, caller):
        members = [["1001", 0], ["1002", 1], ["1003", 1]]
        add_queue(box, "sales", members, number="600", strategy="random")
        log_in(box, "1001", "1002", "1003")
        assert rung([a, b, c], caller) is a
        ask(box, "agent.pause", extension="1001")
        assert rung([a, b, c], caller) in (b, c)
