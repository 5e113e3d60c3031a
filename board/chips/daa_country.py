"""DAA country settings: the line termination and ring detection each country's network wants."""

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources

from board import BoardError
from board.chips.si3050_registers import (
    CURRENT_LIMIT,
    DC_VOLTAGE_SHIFT,
    MINIMUM_CURRENT_SHIFT,
    ON_HOOK_SPEED,
    ON_HOOK_SPEED_2,
    RING_THRESHOLD,
    RINGER_IMPEDANCE,
)

_LIMITS = {"dcv": 3, "mini": 3, "acim": 15, "ring_validation_2": 0xFF}


@dataclass(frozen=True)
class DaaCountry:
    """One country's DAA settings, as fields of the Si3050's registers."""

    name: str
    ohs: int = 0
    ohs2: int = 0
    rz: int = 0
    rt: int = 0
    ilim: int = 0
    dcv: int = 0
    mini: int = 0
    acim: int = 0
    ring_validation_2: int | None = None

    @property
    def international_control_1(self) -> int:
        """Register 16: on-hook speed, ringer impedance, ring threshold."""
        return (
            (ON_HOOK_SPEED if self.ohs else 0)
            | (RINGER_IMPEDANCE if self.rz else 0)
            | (RING_THRESHOLD if self.rt else 0)
        )

    @property
    def dc_termination(self) -> int:
        """Register 26: DC voltage, minimum current, current limit."""
        return (
            self.dcv << DC_VOLTAGE_SHIFT
            | self.mini << MINIMUM_CURRENT_SHIFT
            | (CURRENT_LIMIT if self.ilim else 0)
        )

    @property
    def ac_termination(self) -> int:
        """Register 30: the AC impedance code (ACIM)."""
        return self.acim

    @property
    def daa_control_3_bits(self) -> int:
        """The country's bits of register 31 (on-hook speed 2)."""
        return ON_HOOK_SPEED_2 if self.ohs2 else 0


def daa_country(name: str) -> DaaCountry:
    """The settings of country `name` (e.g. "USA", "UK", "TBR21")."""
    countries = daa_countries()
    if name not in countries:
        raise BoardError(f"no DAA settings for {name!r}; known: {', '.join(sorted(countries))}")
    return countries[name]


@cache
def daa_countries() -> dict[str, DaaCountry]:
    """Every country in the shipped table."""
    text = resources.files("board.chips").joinpath("daa_countries.toml").read_text("utf-8")
    return {name: _country(name, values) for name, values in tomllib.loads(text).items()}


def _country(name: str, values: dict) -> DaaCountry:
    known = {field.name for field in fields(DaaCountry)} - {"name"}
    for key, value in values.items():
        if key not in known:
            raise BoardError(f"daa_countries.toml: {name}.{key}: unknown field")
        if not isinstance(value, int) or not 0 <= value <= _LIMITS.get(key, 1):
            raise BoardError(f"daa_countries.toml: {name}.{key}: out of range: {value!r}")
    return DaaCountry(name, **values)
