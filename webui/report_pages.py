"""The Reports pages: call detail records (search, calls by hour) and queue KPIs with charts."""

from urllib.parse import urlencode

from pbx.api import DISPOSITIONS, PbxError
from webui.handler import PanelHandler, Refused
from webui.report_charts import bar_chart, line_chart
from webui.report_forms import CDR_FILTERS, KPI_FIELDS, cdr_query, kpi_ask, page_number

PAGE_SIZE = 50


class ReportsPage(PanelHandler):
    """GET: the call detail records the filters select, a page at a time, and a chart of
    them by hour of the day."""

    async def get(self) -> None:
        history = self.api.call_history
        if history is None:
            raise Refused(503, "this box keeps no call records")
        form = {name: self.get_query_argument(name, "") for name in CDR_FILTERS}
        error, page, hours = "", None, []
        try:
            query = cdr_query(lambda name: form[name])
            page = await history.search(query, page_number(self._arg, "page", 1), PAGE_SIZE)
            hours = await history.by_hour(query)
        except (PbxError, Refused) as err:
            error = err.message if isinstance(err, Refused) else str(err)
        label = self.translate("Calls by hour of the day (UTC)")
        chart = bar_chart(label, hour_labels(), hours) if any(hours) else ""
        self.set_status(400 if error else 200)
        self.render(
            "reports.html",
            form=form,
            error=error,
            page=page,
            chart=chart,
            dispositions=DISPOSITIONS,
            query_string=urlencode({k: v for k, v in form.items() if v}),
        )

    def _arg(self, name: str) -> str:
        return self.get_query_argument(name, "")


def hour_labels() -> list[str]:
    """00 .. 23."""
    return [f"{hour:02d}" for hour in range(24)]


class KpiPage(PanelHandler):
    """GET: queue KPIs over a span (per queue or agent, by day or hour), with charts:
    callers offered and answered per interval, service level per interval."""

    async def get(self) -> None:
        if self.api.queues is None:
            raise Refused(503, "this box has no queues")
        form = {name: self.get_query_argument(name, "") for name in KPI_FIELDS}
        error, rows, charts = "", [], []
        try:
            ask = kpi_ask(lambda name: form[name])
            rows = await self.api.queues.kpi(
                ask.start, ask.end, by=ask.by, interval_s=ask.interval_s, queue=ask.queue,
                agent=ask.agent,
            )  # fmt: skip
            charts = await self._charts(ask)
        except (PbxError, Refused) as err:
            error = err.message if isinstance(err, Refused) else str(err)
        self.set_status(400 if error else 200)
        self.render(
            "kpi.html",
            form=form,
            error=error,
            rows=rows,
            charts=charts,
            queues=[q.name for q in self.api.queues.queues()],
            query_string=urlencode({k: v for k, v in form.items() if v}),
        )

    async def _charts(self, ask) -> list[str]:
        """Offered and service level per interval (hours for a day or two, else days)."""
        interval_s = 3600.0 if (ask.end - ask.start).days <= 2 else 86400.0
        rows = await self.api.queues.kpi(
            ask.start, ask.end, interval_s=interval_s, queue=ask.queue, agent=ask.agent
        )
        if len(rows) > 400:
            return []
        hourly = interval_s == 3600.0
        labels = [r.start.strftime("%H" if hourly else "%m-%d") for r in rows]
        _ = self.translate
        return [
            bar_chart(
                _("Callers offered per hour") if hourly else _("Callers offered per day"),
                labels,
                [r.figures.offered for r in rows],
            ),
            line_chart(
                _("Service level per hour") if hourly else _("Service level per day"),
                labels,
                [r.figures.service_level for r in rows],
            ),
        ]
