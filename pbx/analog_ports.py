"""Analog ports as the panels manage them: the country profile, each port's settings, line tests.

Choices made here are kept in the database and outlive restarts: at start they
are applied over the [board] section's (`load`).
"""

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from board.dsp.country import Country
from pbx import PbxError
from pbx.lines import PortBusy
from pbx.lines.service import LineService, PortStatus
from pbx.lines.settings import FxoSettings, FxsSettings
from pbx.store.config_objects import ConfigObjectStore

logger = logging.getLogger(__name__)

RING_TEST_S = 2.0  # a test ring: one short burst, so nobody takes it for a call
_KIND = "analog-port"  # settings of one port, by port name
_BOARD = "analog-board"  # the country, as "country"
_TRUE, _FALSE = ("true", "on", "yes", "1"), ("false", "off", "no", "0", "")
_EXPECTED = {str: "text", int: "a whole number", float: "a number"}

PortSettings = FxsSettings | FxoSettings


def _value(field: dataclasses.Field, raw: Any) -> Any:
    """`raw` (JSON, or form text) as the type of setting `field`; ValueError if it is not one."""
    if field.type is bool:
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in _TRUE + _FALSE:
            return str(raw).lower() in _TRUE
        raise ValueError("expected true or false")
    if field.type == tuple[str, ...]:
        items = raw if isinstance(raw, list) else str(raw).replace(",", " ").split()
        return tuple(str(item) for item in items)
    expected = _EXPECTED[field.type]
    wrong_int = field.type is int and isinstance(raw, float) and not raw.is_integer()
    if isinstance(raw, bool) or wrong_int or (field.type is str and not isinstance(raw, str)):
        raise ValueError(f"expected {expected}")
    try:
        return field.type(raw)
    except (TypeError, ValueError):
        raise ValueError(f"expected {expected}, got {raw!r}") from None


def changed_settings(current: PortSettings, values: dict[str, Any]) -> PortSettings:
    """`current` with `values` (setting name -> value) applied; PbxError naming each problem."""
    fields = {f.name: f for f in dataclasses.fields(current)}
    problems, changes = {}, {}
    for key, raw in values.items():
        if key not in fields:
            problems[key] = "no such setting"
            continue
        try:
            changes[key] = _value(fields[key], raw)
        except (TypeError, ValueError) as err:
            problems[key] = str(err) or "not a valid value"
    settings = dataclasses.replace(current, **changes)
    problems |= settings.problems()
    if problems:
        raise PbxError("; ".join(f"{key}: {text}" for key, text in sorted(problems.items())))
    return settings


class AnalogPorts:
    """The FXS and FXO ports: their state, settings, country and line tests. Loop thread only.

    `reprogram(code)` sets the board's chips up for a country (the DAA's line
    termination and ring detection); it is called while every port is idle.
    """

    def __init__(
        self,
        lines: LineService,
        store: ConfigObjectStore,
        countries: dict[str, Country],
        reprogram: Callable[[str], None],
    ) -> None:
        self._lines = lines
        self._store = store
        self._countries = countries
        self._reprogram = reprogram

    async def load(self) -> None:
        """Apply the choices stored by earlier changes (at start, the ports idle)."""
        for name, values in (await self._store.all(_KIND)).items():
            try:
                self._lines.configure(name, changed_settings(self.settings(name), values))
            except PbxError as err:
                logger.warning("stored settings of %s not applied: %s", name, err)
        code = (await self._store.all(_BOARD)).get("country", {}).get("code")
        if code in self._countries and code != self.country:
            try:
                self._apply_country(code)
            except PbxError as err:
                logger.warning("stored country %s not applied: %s", code, err)

    # --- what the ports are doing ----------------------------------------------------------

    def status(self) -> list[PortStatus]:
        """Every port: state, loop voltage and current."""
        return self._lines.status()

    def measure(self, name: str) -> PortStatus:
        """Port `name`, its voltage and current read from the chip now."""
        return self._lines.port_status(name)

    async def ring(self, name: str, duration_s: float = RING_TEST_S) -> None:
        """Ring the phone on FXS port `name` briefly; PbxError if off-hook, in a call or FXO.
        (A coroutine, like every change the panel audits, though it returns at once.)"""
        self._lines.ring_test(name, duration_s)

    # --- country ---------------------------------------------------------------------------

    @property
    def country(self) -> str:
        """The country code the lines work to ("US", "UK", ...)."""
        return self._lines.country.code

    def countries(self) -> dict[str, str]:
        """Every country the board knows: code -> name."""
        return {code: c.name for code, c in sorted(self._countries.items())}

    async def set_country(self, code: str) -> str:
        """Work to country `code` from now on (chips re-programmed, tones and cadences
        changed, the choice stored); PbxError while any port is in use."""
        code = code.upper()
        if code not in self._countries:
            raise PbxError(f"unknown country {code!r}; known: {', '.join(self._countries)}")
        self._apply_country(code)
        await self._store.put(_BOARD, "country", {"code": code})
        return code

    def _apply_country(self, code: str) -> None:
        if busy := self._lines.busy_ports():
            raise PortBusy(
                f"ports in use ({', '.join(busy)}): the country can change once every port is idle"
            )
        self._reprogram(code)
        self._lines.set_country(self._countries[code])

    # --- each port's settings ----------------------------------------------------------------

    def settings(self, name: str) -> PortSettings:
        """Port `name`'s settings now."""
        channel = self._lines.channels.get(name)
        if channel is None:
            raise PbxError(f"no analog port {name}")
        return channel.settings

    async def configure(self, name: str, values: dict[str, Any]) -> PortSettings:
        """Change settings of port `name` (only those in `values`); stored, applied at once."""
        settings = changed_settings(self.settings(name), values)
        extension = getattr(settings, "extension", "")
        for other, channel in self._lines.channels.items():
            if (
                extension
                and other != name
                and getattr(channel.settings, "extension", "") == extension
            ):
                raise PbxError(f"extension: {extension} is {other}'s")
        self._lines.configure(name, settings)
        await self._store.put(_KIND, name, dataclasses.asdict(settings))
        return settings
