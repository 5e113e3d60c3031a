"""/api/reports: the Reports pages' figures as JSON, and as CSV files streamed a batch at a time."""

import csv
import io
from collections.abc import Iterable
from datetime import datetime, timedelta

from pbx.api import PbxError
from webui.handler import ApiHandler, Refused
from webui.report_forms import (
    CDR_COLUMNS,
    KPI_COLUMNS,
    KpiAsk,
    cdr_dict,
    cdr_query,
    kpi_ask,
    kpi_dict,
    page_number,
)

_FLUSH_EVERY = 500  # rows written between flushes: the answer streams, memory stays flat
# A spreadsheet takes a cell starting with one of these for a formula (CSV injection,
# OWASP): such a cell gets a leading apostrophe, so it is shown as the text it is.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """`value` as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class CsvLines:
    """Rows made into CSV text (the csv module's quoting), one row at a time."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def row(self, cells: Iterable[object]) -> str:
        self._writer.writerow([csv_cell(c) for c in cells])
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y%m%d") if moment else "all"


class ReportApi(ApiHandler):
    """What the report handlers share: the query string, the services, CSV headers."""

    def arg(self, name: str) -> str:
        return self.get_query_argument(name, "")

    def history(self):
        if self.api.call_history is None:
            raise Refused(503, "this box keeps no call records")
        return self.api.call_history

    async def kpi_rows(self, ask: KpiAsk) -> list:
        if self.api.queues is None:
            raise Refused(503, "this box has no queues")
        try:
            return await self.api.queues.kpi(
                ask.start, ask.end, by=ask.by, interval_s=ask.interval_s, queue=ask.queue,
                agent=ask.agent,
            )  # fmt: skip
        except PbxError as err:
            raise Refused(400, str(err)) from None

    def start_csv(self, what: str, start: datetime | None, end: datetime | None) -> None:
        """CSV headers; the file's name is made here from the parsed span, never from input."""
        last = end - timedelta(microseconds=1) if end else None
        name = f"callbox-{what}-{_day(start)}-{_day(last)}.csv"
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="{name}"')


class CdrsApi(ReportApi):
    """GET: a page of the call detail records the filters select, newest first."""

    async def get(self) -> None:
        try:
            page = await self.history().search(
                cdr_query(self.arg),
                page_number(self.arg, "page", 1),
                page_number(self.arg, "page_size", 50),
            )
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.finish(
            {
                "total": page.total,
                "page": page.page,
                "pages": page.pages,
                "page_size": page.page_size,
                "cdrs": [cdr_dict(e) for e in page.entries],
            }
        )


class CdrsCsv(ReportApi):
    """GET: every call detail record the filters select, oldest first, as CSV."""

    async def get(self) -> None:
        query = cdr_query(self.arg)
        try:
            entries = self.history().every(query)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        await self.audit("report.export", "cdrs")
        self.start_csv("cdrs", query.since, query.until)
        lines = CsvLines()
        self.write(lines.row(CDR_COLUMNS))
        written = 0
        async for entry in entries:
            self.write(lines.row(getattr(entry, name) for name in CDR_COLUMNS))
            written += 1
            if written % _FLUSH_EVERY == 0:
                await self.flush()
        self.finish()


class KpiApi(ReportApi):
    """GET: queue KPI rows over a span, per queue or agent, by hour or day."""

    async def get(self) -> None:
        ask = kpi_ask(self.arg)
        rows = await self.kpi_rows(ask)
        self.finish(
            {
                "start": ask.start.isoformat(),
                "end": ask.end.isoformat(),
                "by": ask.by,
                "interval": ask.interval,
                "rows": [kpi_dict(r) for r in rows],
            }
        )


class KpiCsv(ReportApi):
    """GET: the same KPI rows as CSV."""

    async def get(self) -> None:
        ask = kpi_ask(self.arg)
        rows = await self.kpi_rows(ask)
        await self.audit("report.export", "kpi")
        self.start_csv("kpi", ask.start, ask.end)
        lines = CsvLines()
        self.write(lines.row(("queue", "agent", "start", "end", *KPI_COLUMNS)))
        for row in rows:
            self.write(lines.row(kpi_dict(row).values()))
        self.finish()
