"""/api/ports: the Analog ports page's operations as JSON."""

import dataclasses
from datetime import UTC, datetime

from pbx.api import RING_TEST_S, PbxError, PortBusy
from webui.handler import ApiHandler, Refused


def port_dict(status) -> dict:
    """A port's state (pbx.api.PortStatus) as JSON."""
    return dataclasses.asdict(status)


class PortApiHandler(ApiHandler):
    """What the port API handlers share: the service, and the port named in the URL."""

    def ports(self):
        if self.api.ports is None:
            raise Refused(503, "this box has no analog ports")
        return self.api.ports

    def status_of(self, port: str):
        try:
            return self.ports().measure(port)
        except PbxError as err:
            raise Refused(404, str(err)) from None

    @staticmethod
    def refused(err: PbxError) -> Refused:
        """409 for a port in use, 400 for anything else."""
        return Refused(409 if isinstance(err, PortBusy) else 400, str(err))


class PortsApi(PortApiHandler):
    """GET: the country, the countries the board knows, and every port now."""

    async def get(self) -> None:
        ports = self.ports()
        self.finish(
            {
                "country": ports.country,
                "countries": ports.countries(),
                "ports": [port_dict(s) for s in ports.status()],
            }
        )


class CountryApi(PortApiHandler):
    """PUT {"country": "DE"}: work to another country (409 while a port is in use)."""

    async def put(self) -> None:
        code = str(self.json_body().get("country", ""))
        try:
            code = await self.audited("port.country", code, self.ports().set_country(code))
        except PbxError as err:
            raise self.refused(err) from None
        self.finish({"country": code})


class PortApi(PortApiHandler):
    """GET: one port now, with its settings. PUT: change settings (only those given)."""

    async def get(self, port: str) -> None:
        status = self.status_of(port)
        settings = dataclasses.asdict(self.ports().settings(port))
        self.finish({**port_dict(status), "settings": settings})

    async def put(self, port: str) -> None:
        self.status_of(port)
        try:
            change = self.ports().configure(port, self.json_body())
            settings = await self.audited("port.change", port, change)
        except PbxError as err:
            raise Refused(400, str(err)) from None
        self.finish({"port": port, "settings": dataclasses.asdict(settings)})


class RingApi(PortApiHandler):
    """POST: ring the phone on an FXS port briefly (409 if off-hook or in a call)."""

    async def post(self, port: str) -> None:
        self.status_of(port)
        try:
            await self.audited("port.ring", port, self.ports().ring(port))
        except PbxError as err:
            raise self.refused(err) from None
        self.finish({"port": port, "ringing_s": RING_TEST_S})


class MeasureApi(PortApiHandler):
    """POST: the port's loop voltage and current, read from its chip now."""

    async def post(self, port: str) -> None:
        status = self.status_of(port)
        self.finish({**port_dict(status), "measured_at": datetime.now(UTC).isoformat()})
