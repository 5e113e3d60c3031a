"""Queue KPIs of a scripted day of events, against figures worked out by hand.

The events carry their own timestamps, so nothing waits. The same day is read
back through the store, computed in-process, and reported by `callbox kpi` from a
daemon started on the database holding it.
"""

import asyncio
import json
import subprocess
from datetime import UTC, datetime

import pytest

from pbx.queues.kpi import KpiRules, compute
from pbx.queues.queue_event import QueueEvent
from pbx.store import main_database
from pbx.store.queues import QueueEventStore
from tests.harness import CALLBOX

DAY = datetime(2026, 11, 20, tzinfo=UTC)
NEXT_DAY = datetime(2026, 11, 21, tzinfo=UTC)
SERVICE_LEVEL_S = {"sales": 20.0, "support": 30.0}
RULES = KpiRules(
    service_level_s=SERVICE_LEVEL_S.get, short_abandon_s=5.0, repeat_window_s=2 * 3600.0
)


def at(hhmmss: str) -> datetime:
    h, m, s = (int(x) for x in hhmmss.split(":"))
    return DAY.replace(hour=h, minute=m, second=s)


def scripted_day() -> list[QueueEvent]:
    e = QueueEvent
    return [
        # 1: +441 answered by 1001 after 10 s, then handled 280 + 20 hold + 10 wrap-up.
        e(at("09:00:00"), "join", "sales", caller_number="+441", entry="1"),
        e(at("09:00:10"), "connect", "sales", "1001", "+441", "1", wait_s=10),
        e(
            at("09:05:10"),
            "complete",
            "sales",
            "1001",
            "+441",
            "1",
            talk_s=280,
            hold_s=20,
            wrapup_s=10,
        ),
        # 2: a short abandon (3 s); 3: a real abandon (40 s).
        e(at("09:10:00"), "join", "sales", caller_number="+442", entry="2"),
        e(at("09:10:03"), "abandon", "sales", caller_number="+442", entry="2", wait_s=3),
        e(at("09:20:00"), "join", "sales", caller_number="+443", entry="3"),
        e(at("09:20:40"), "abandon", "sales", caller_number="+443", entry="3", wait_s=40),
        # 4: answered after 25 s, over the 20 s threshold.
        e(at("09:30:00"), "join", "sales", caller_number="+444", entry="4"),
        e(at("09:30:25"), "connect", "sales", "1002", "+444", "4", wait_s=25),
        e(at("09:34:25"), "complete", "sales", "1002", "+444", "4", talk_s=200, wrapup_s=40),
        # Every FXO line taken for 150 s.
        e(at("09:50:00"), "lines-busy"),
        e(at("09:52:30"), "lines-free"),
        # 5: +441 calls again within 2 h (call 1 was not resolved); 1002 misses it first.
        e(at("10:15:00"), "join", "sales", caller_number="+441", entry="5"),
        e(at("10:15:02"), "ring-no-answer", "sales", "1002", "+441", "5", reason="480"),
        e(at("10:15:05"), "connect", "sales", "1001", "+441", "5", wait_s=5),
        e(at("10:20:05"), "transfer", "sales", "1001", "+441", "5", talk_s=300),
        # 6: turned away, the queue being full.
        e(at("10:40:00"), "refused", "sales", caller_number="+445", reason="full"),
        # support, T = 30 s: 7 waits out its 60 s; 8 answered at exactly 30 s.
        e(at("11:00:00"), "join", "support", caller_number="+446", entry="7"),
        e(at("11:01:00"), "timeout", "support", caller_number="+446", entry="7", wait_s=60),
        e(at("11:10:00"), "join", "support", caller_number="+447", entry="8"),
        e(at("11:10:30"), "connect", "support", "1003", "+447", "8", wait_s=30),
        e(
            at("11:12:30"),
            "complete",
            "support",
            "1003",
            "+447",
            "8",
            talk_s=100,
            hold_s=10,
            wrapup_s=10,
        ),
        # Outside the day: must count nowhere.
        e(at("08:59:59").replace(day=19), "join", "sales", caller_number="+449"),
    ]


DAY_FIGURES = {
    "offered": 8,
    "answered": 4,
    "abandoned": 1,
    "short_abandoned": 1,
    "timed_out": 1,
    "refused": 1,
    "answered_in_sl": 3,
    "service_level": 0.75,
    "service_level_abandons": 0.6,
    "asa_s": 17.5,
    "aht_s": 242.5,
    "longest_wait_s": 60.0,
    "fcr": 0.75,
    "ring_no_answer": 1,
    "transfers": 1,
    "lines_busy_s": 150.0,
}


def figures(row) -> dict:
    return {k: getattr(row.figures, k) for k in DAY_FIGURES}


def store_day(path) -> list[QueueEvent]:
    """Write the scripted day through the store into the database at `path`; read it back."""

    async def roundtrip():
        database = main_database(path)
        await database.open()
        store = QueueEventStore(database)
        await asyncio.gather(*(store.append(e) for e in scripted_day()))
        events = await store.between(DAY, NEXT_DAY)
        await database.close()
        return events

    return asyncio.run(roundtrip())


@pytest.fixture
def stored_day(tmp_path):
    return store_day(tmp_path / "callbox.db")


def test_the_days_figures_equal_the_hand_computed_ones(stored_day):
    (row,) = compute(stored_day, DAY, NEXT_DAY, RULES)
    assert figures(row) == DAY_FIGURES


def test_per_queue_figures(stored_day):
    rows = {r.queue: r.figures for r in compute(stored_day, DAY, NEXT_DAY, RULES, by="queue")}
    sales, support = rows["sales"], rows["support"]
    assert (sales.offered, sales.answered, sales.abandoned, sales.short_abandoned) == (6, 3, 1, 1)
    assert sales.service_level == pytest.approx(2 / 3)
    assert sales.service_level_abandons == 0.5
    assert sales.asa_s == pytest.approx(40 / 3)
    assert sales.aht_s == pytest.approx(850 / 3)
    assert (sales.longest_wait_s, sales.fcr) == (40.0, pytest.approx(2 / 3))
    assert (support.offered, support.answered, support.timed_out) == (2, 1, 1)
    assert (support.service_level, support.asa_s, support.aht_s, support.longest_wait_s) == (
        1.0,
        30.0,
        120.0,
        60.0,
    )


def test_per_agent_and_per_hour_figures(stored_day):
    agents = {r.agent: r.figures for r in compute(stored_day, DAY, NEXT_DAY, RULES, by="agent")}
    assert (agents["1001"].answered, agents["1001"].asa_s, agents["1001"].aht_s) == (2, 7.5, 305.0)
    assert (agents["1002"].answered, agents["1002"].ring_no_answer) == (1, 1)
    hours = compute(stored_day, DAY, NEXT_DAY, RULES, interval_s=3600)
    assert len(hours) == 24
    nine, ten = hours[9].figures, hours[10].figures
    assert (nine.offered, nine.answered, nine.service_level, nine.aht_s) == (4, 2, 0.5, 275.0)
    assert (nine.service_level_abandons, nine.fcr, nine.lines_busy_s) == (
        pytest.approx(1 / 3),
        0.5,
        150.0,
    )
    assert (ten.offered, ten.answered, ten.transfers, ten.ring_no_answer, ten.fcr) == (
        2,
        1,
        1,
        1,
        1.0,
    )
    assert hours[8].figures.offered == 0


def test_callbox_kpi_reports_the_day_from_the_daemons_database(make_daemon):
    box = make_daemon({"queues": {"short_abandon_s": 5, "repeat_window_h": 2}})
    store_day(box.data_dir / "callbox.db")
    box.start()

    def callbox(*args: str) -> str:
        done = subprocess.run(
            [str(CALLBOX), "--config", str(box.config_path), *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    # Each queue's own service-level threshold applies.
    for name, threshold_s in SERVICE_LEVEL_S.items():
        callbox("queue", "add", name, "--set", f"service_level_s={int(threshold_s)}")
    span = ("--from", "2026-11-20T00:00", "--to", "2026-11-21T00:00")
    (row,) = json.loads(callbox("kpi", *span, "--json"))
    assert {k: row["figures"][k] for k in DAY_FIGURES} == DAY_FIGURES
    table = callbox("kpi", *span, "--by", "queue")
    assert "sales" in table
    assert "75.0%" not in table.splitlines()[1], "sales alone is at 66.7 %"
    assert "66.7%" in table
