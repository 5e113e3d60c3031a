"""Queues end to end: pjsua2 agents and callers through the edge, the real daemon between.

Agents are 1001-1003; office callers dial the queue's number from 1009. Music and
prompts are tones (tests/call_center.py), so what a caller hears can be told apart.
"""

import pytest

from tests.call_center import (
    MUSIC_HZ,
    PERIODIC_HZ,
    POSITION_HZ,
    add_queue,
    answer,
    ask,
    first_to_ring,
    log_in,
    no_ringing,
    phones,
    start_box,
    tone_spans,
)
from tests.harness import wait_until


@pytest.fixture
def box(make_daemon, workdir):
    daemon = start_box(make_daemon, workdir)
    yield daemon
    print(daemon.log_tail(80))  # shown when the test failed


def events(box, kind: str | None = None) -> list[dict]:
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(box.data_dir / "callbox.db")) as db:
        db.row_factory = sqlite3.Row
        rows = [dict(r) for r in db.execute("SELECT * FROM queue_event ORDER BY id")]
    return [r for r in rows if kind is None or r["kind"] == kind]


def call_queue(caller, number: str = "600") -> None:
    caller.call(number)
    caller.wait_for("state", state="CONFIRMED", timeout=10)
    caller.wait_for("media", timeout=5)


def test_linear_rings_members_in_order_and_connects_the_first_to_answer(box, tmp_path):
    with phones(box, "1001", "1002", "1003", "1009") as (a, b, c, caller):
        add_queue(box, "sales", ["1002", "1001", "1003"], number="600", strategy="linear")
        log_in(box, *"1001 1002 1003".split())
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
