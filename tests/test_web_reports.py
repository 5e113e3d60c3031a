"""The Reports pages and /api/reports on the real daemon: CDR search and its filters, CSV
export (formula cells made harmless, long ranges streamed), queue KPIs and their charts.

A scripted day of queue events (tests/test_queue_kpi.py's, figures worked out by hand)
and a day of call records are written through the stores before the daemon starts, as
the KPI tests do; a real call to the echo test adds today's record.
"""

import asyncio
import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from pbx.store import CdrEntry, CdrStore, main_database
from tests.harness import free_port, wait_until
from tests.phone_client import Phone
from tests.test_queue_kpi import store_day
from tests.web_box import Browser, DaemonPanel

DAY = "2026-11-20"
BULK_DAY = datetime(2026, 11, 18, tzinfo=UTC)
BULK = 1100  # more than two export batches
EVIL = '=HYPERLINK("http://evil.example/","click")'


def at(hhmm: str, day: datetime = datetime(2026, 11, 20, tzinfo=UTC)) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return day.replace(hour=hour, minute=minute)


def day_of_calls() -> list[CdrEntry]:
    """Four calls on DAY, and one the day before (which DAY's searches must not find)."""
    return [
        CdrEntry("c1", "inbound", "+441234", "Pat", "1001", "sip:+441234@provider", at("09:00"),
                 at("09:00"), at("09:01"), "answered", trunk="provider"),
        CdrEntry("c2", "outbound", "1001", "Desk", "5551234", "line:fxo1", at("09:30"),
                 ended_at=at("09:31"), disposition="busy", status_code=486, line="fxo1"),
        CdrEntry("c3", "inbound", EVIL, "@SUM(1+1)", "1002", "sip:x@provider", at("10:15"),
                 ended_at=at("10:16"), disposition="no-answer", status_code=480, trunk="provider"),
        CdrEntry("c4", "internal", "1002", "Bob", "1001", "sip:1002@pbx", at("14:00"),
                 at("14:00"), at("14:05"), "answered"),
        CdrEntry("c0", "inbound", "+449999", "", "1001", "sip:+449999@provider",
                 at("23:00", datetime(2026, 11, 19, tzinfo=UTC)), disposition="failed"),
    ]  # fmt: skip


def bulk_calls() -> list[CdrEntry]:
    return [
        CdrEntry(f"b{i}", "inbound", f"+4470{i:05d}", "", "1001", "sip:b@provider",
                 BULK_DAY + timedelta(seconds=60 * i), disposition="answered")
        for i in range(BULK)
    ]  # fmt: skip


def store_calls(path) -> None:
    async def write() -> None:
        database = main_database(path)
        await database.open()
        store = CdrStore(database)
        await asyncio.gather(*(store.started(e) for e in day_of_calls() + bulk_calls()))
        await database.close()

    asyncio.run(write())


@pytest.fixture
def box(make_daemon):
    daemon = make_daemon()
    daemon.data_dir.mkdir(parents=True, exist_ok=True)
    store_day(daemon.data_dir / "callbox.db")
    store_calls(daemon.data_dir / "callbox.db")
    return daemon.start()


@pytest_asyncio.fixture
async def admin(box):
    browser = Browser(DaemonPanel.of(box))
    await browser.set_up()
    return browser


def day_span(**more: str) -> str:
    return "&".join(f"{k}={v}" for k, v in {"from": DAY, "to": DAY, **more}.items())


async def uids(admin: Browser, **filters: str) -> list[str]:
    code, body = await admin.api(f"/api/reports/cdrs?{day_span(**filters)}")
    assert code == 200, body
    return [cdr["uid"] for cdr in body["cdrs"]]


@pytest.mark.asyncio
async def test_cdr_search_filters_and_pages(box, admin):
    assert await uids(admin) == ["c4", "c3", "c2", "c1"]  # newest first, the day only
    assert await uids(admin, number="5551") == ["c2"]
    assert await uids(admin, extension="1001") == ["c4", "c2", "c1"]
    assert await uids(admin, trunk="fxo1") == ["c2"]
    assert await uids(admin, trunk="provider") == ["c3", "c1"]
    assert await uids(admin, disposition="busy") == ["c2"]
    assert await uids(admin, disposition="answered", extension="1002") == ["c4"]
    code, body = await admin.api(f"/api/reports/cdrs?{day_span(page_size='3', page='2')}")
    assert (code, body["total"], body["pages"], body["page"]) == (200, 4, 2, 2)
    assert [c["uid"] for c in body["cdrs"]] == ["c1"]
    assert body["cdrs"][0]["started_at"] == "2026-11-20T09:00:00+00:00"
    for bad in ("disposition=lost", "from=2026-11-21&to=2026-11-20", "from=yesterday",
                "page=0", "page_size=1000"):  # fmt: skip
        code, body = await admin.api(f"/api/reports/cdrs?{bad}")
        assert code == 400, bad
        assert body["error"], bad

    # The page: the same search, a chart of calls by hour, a link to the CSV with the filters.
    page = (await admin.get(f"/reports?{day_span(trunk='provider')}")).body.decode()
    assert "2 calls" in page
    assert "+441234" in page
    assert "5551234" not in page
    csv_link = "/api/reports/cdrs.csv?from=2026-11-20&amp;to=2026-11-20&amp;trunk=provider"
    assert f'href="{csv_link}"' in page
    chart = re.search(r'<svg class="chart".*?</svg>', page, re.S).group(0)
    assert chart.count('<rect class="bar"') == 24
    assert "<title>09: 1</title>" in chart
    assert "<title>10: 1</title>" in chart
    assert "style=" not in chart
    # A bad filter is named on the page, with the form to correct it.
    for path in ("/reports?from=soon", "/reports/kpi?interval=week"):
        refused = await admin.get(path)
        assert refused.code == 400, path
        assert 'class="error"' in refused.body.decode(), path
    assert "<script" not in chart


@pytest.mark.asyncio
async def test_a_real_call_is_found_among_todays_records(box, admin):
    with Phone.start(port=free_port(), name="caller") as phone:
        phone.call(f"sip:*43@127.0.0.1:{box.sip_port}")
        phone.wait_for("state", state="CONFIRMED", timeout=10)
        phone.hangup()
        phone.wait_for("state", state="DISCONNECTED")
    wait_until(lambda: box.status()["calls_active"] == 0, 5, "the echo call to end")
    today = datetime.now(UTC).date().isoformat()
    code, body = await admin.api(f"/api/reports/cdrs?from={today}&disposition=answered")
    assert code == 200
    assert [c["dialled"] for c in body["cdrs"]] == ["*43"]
    assert body["cdrs"][0]["ended_at"] > body["cdrs"][0]["answered_at"]


def read_csv(response) -> list[list[str]]:
    assert response.code == 200, response.body
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.body.decode())))


@pytest.mark.asyncio
async def test_cdr_csv_is_proper_csv_with_formula_cells_made_harmless(box, admin):
    response = await admin.get(f"/api/reports/cdrs.csv?{day_span()}")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="callbox-cdrs-20261120-20261120.csv"'
    )
    header, *rows = read_csv(response)
    assert header[:5] == ["started_at", "answered_at", "ended_at", "direction", "caller_number"]
    by_uid = {row[header.index("uid")]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(by_uid) == ["c1", "c2", "c3", "c4"]  # oldest first
    evil = by_uid["c3"]
    assert evil["caller_number"] == "'" + EVIL  # quotes and commas survive the csv module
    assert evil["caller_name"] == "'@SUM(1+1)"
    assert by_uid["c1"]["caller_number"] == "'+441234"
    assert by_uid["c2"]["status_code"] == "486"
    # The file's name comes from the parsed dates, never from what was sent.
    odd = await admin.get("/api/reports/cdrs.csv?from=2026-11-20T00:00%22x&to=2026-11-20")
    assert odd.code == 400
    assert "Content-Disposition" not in odd.headers
    # A long range streams in batches: every row arrives, in order.
    header, *rows = read_csv(await admin.get("/api/reports/cdrs.csv?from=2026-11-18&to=2026-11-18"))
    assert len(rows) == BULK
    assert [r[header.index("uid")] for r in rows] == [f"b{i}" for i in range(BULK)]
    exports = await admin.api("/api/audit?action=report.export")
    assert [e["target"] for e in exports[1]["events"]] == ["cdrs", "cdrs"]


@pytest.mark.asyncio
async def test_queue_kpis_and_their_charts_and_csv(box, admin):
    code, body = await admin.api(f"/api/reports/kpi?{day_span()}")
    assert code == 200
    (day,) = body["rows"]
    assert (day["offered"], day["answered"], day["abandoned"], day["short_abandoned"]) == (
        8, 4, 1, 1
    )  # fmt: skip
    assert (day["longest_wait_s"], day["asa_s"], day["lines_busy_s"]) == (60.0, 17.5, 150.0)
    code, body = await admin.api(f"/api/reports/kpi?{day_span(by='queue')}")
    sales = next(r for r in body["rows"] if r["queue"] == "sales")
    assert (sales["offered"], sales["answered"], sales["abandoned"]) == (6, 3, 1)
    assert sales["service_level"] == pytest.approx(2 / 3)
    assert sales["longest_wait_s"] == 40.0
    code, body = await admin.api(f"/api/reports/kpi?{day_span(by='agent', interval='hour')}")
    agent_1001 = [r for r in body["rows"] if r["agent"] == "1001"]
    assert [(r["start"][11:13], r["answered"]) for r in agent_1001] == [("09", 1), ("10", 1)]
    for bad in ("by=caller", "interval=week", "from=2026-01-01&to=2026-12-31&interval=hour"):
        assert (await admin.api(f"/api/reports/kpi?{bad}"))[0] == 400, bad

    page = (await admin.get(f"/reports/kpi?{day_span(by='queue')}")).body.decode()
    offered, service_level = re.findall(r'<svg class="chart".*?</svg>', page, re.S)
    assert offered.count('<rect class="bar"') == 24  # a day: by hour
    assert "<title>09: 4</title>" in offered
    assert service_level.count('<circle class="dot"') == 3  # hours with answered calls
    assert "<title>09: 50%</title>" in service_level
    assert '<polyline class="line"' in service_level
    assert "style=" not in page

    header, *rows = read_csv(await admin.get(f"/api/reports/kpi.csv?{day_span(by='queue')}"))
    assert header[:6] == ["queue", "agent", "start", "end", "offered", "answered"]
    assert [(r[0], r[4], r[5]) for r in rows] == [("sales", "6", "3"), ("support", "2", "1")]
