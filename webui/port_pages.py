"""The Analog ports page: every FXS and FXO port live, the country profile, line tests, and
each port's settings."""

import dataclasses

from pbx.api import RING_TEST_S, PbxError, PortBusy
from webui.handler import PanelHandler, Refused

PORT = r"(?P<port>fx[so][0-9]{1,2})"  # the URL part naming a port (fxs1, fxo12)
PORT_PATH = f"/ports/{PORT}"


def setting_fields(settings) -> list[tuple[str, str, object]]:
    """(name, kind, value) of each setting, kind being "bool", "list" or "text"."""
    fields = []
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        kind = "bool" if field.type is bool else "list" if isinstance(value, tuple) else "text"
        fields.append((field.name, kind, " ".join(value) if kind == "list" else value))
    return fields


class PortsHandler(PanelHandler):
    """What the ports pages share: the service, and the page with a message."""

    def ports(self):
        if self.api.ports is None:
            raise Refused(503, "this box has no analog ports")
        return self.api.ports

    def show(self, *, notice: str = "", measured=None) -> None:
        """The ports, the country form, and what was just done."""
        self.render_ports(notice=notice, measured=measured)

    def refuse(self, err: PbxError) -> None:
        """The page with why it was refused: 409 for a port in use, else 400."""
        self.set_status(409 if isinstance(err, PortBusy) else 400)
        self.render_ports(error=str(err))

    def render_ports(self, *, error: str = "", notice: str = "", measured=None) -> None:
        ports = self.ports()
        self.render(
            "ports.html",
            ports=ports.status(),
            country=ports.country,
            countries=ports.countries(),
            error=error,
            notice=notice,
            measured=measured,
        )


class PortsPage(PortsHandler):
    """GET: every port's state, loop voltage and current (kept fresh by ports.js)."""

    async def get(self) -> None:
        self.show()


class CountryChange(PortsHandler):
    """POST: work to another country: refused while any port is in use."""

    async def post(self) -> None:
        code = self.get_body_argument("country", "")
        try:
            code = await self.audited("port.country", code, self.ports().set_country(code))
        except PbxError as err:
            self.refuse(err)
            return
        self.show(notice=self.translate("The ports now work to {country}.", country=code))


class RingTest(PortsHandler):
    """POST: ring the phone on an FXS port for a moment; refused if off-hook or in a call."""

    async def post(self, port: str) -> None:
        try:
            await self.audited("port.ring", port, self.ports().ring(port))
        except PbxError as err:
            self.refuse(err)
            return
        notice = self.translate("{port} rings for {seconds} s.", port=port, seconds=RING_TEST_S)
        self.show(notice=notice)


class LoopReading(PortsHandler):
    """POST: read a port's loop voltage and current from its chip now."""

    async def post(self, port: str) -> None:
        try:
            measured = self.ports().measure(port)
        except PbxError as err:
            raise Refused(404, str(err)) from None
        self.show(measured=measured)


class PortPage(PortsHandler):
    """GET: one port's settings. POST: change them (stored, applied at once)."""

    async def get(self, port: str) -> None:
        self.show_port(port)

    def show_port(self, port: str, *, error: str = "", saved: bool = False) -> None:
        try:
            settings = self.ports().settings(port)
        except PbxError as err:
            raise Refused(404, str(err)) from None
        self.set_status(400 if error else 200)
        self.render(
            "port.html", port=port, fields=setting_fields(settings), error=error, saved=saved
        )

    async def post(self, port: str) -> None:
        try:
            settings = self.ports().settings(port)
        except PbxError as err:
            raise Refused(404, str(err)) from None
        values = {}
        for name, kind, _ in setting_fields(settings):
            given = self.get_body_argument(name, "")
            values[name] = given == "on" if kind == "bool" else given
        try:
            await self.audited("port.change", port, self.ports().configure(port, values))
        except PbxError as err:
            self.show_port(port, error=str(err))
            return
        self.show_port(port, saved=True)
