"""The [board] section's per-port settings: checked against the board profile, and made
into the settings of each FXS and FXO line."""

import dataclasses
import difflib
from typing import Any

from board.dsp.country import load_countries
from board.profile import BoardProfile, ProfileError, load_profile
from pbx.lines.settings import FxoSettings, FxsSettings

COUNTRY_CODES = tuple(sorted(load_countries()))
_SETTINGS = {"fxs": FxsSettings, "fxo": FxoSettings}
_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def check_lines_table(value: Any) -> str | None:
    """What is wrong with the shape of board.lines, or None."""
    if not isinstance(value, dict) or not all(isinstance(t, dict) for t in value.values()):
        return "expected a table per port, like [board.lines.fxs1]"
    return None


def _value_problem(spec: dataclasses.Field, value: Any) -> str | None:
    if spec.type == tuple[str, ...]:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return None
        return f"expected a list of strings, got {value!r}"
    accepted = (int, float) if spec.type is float else (spec.type,)
    if isinstance(value, bool) != (spec.type is bool) or not isinstance(value, accepted):
        return f"expected {_TYPE_NAMES[spec.type]}, got {type(value).__name__} {value!r}"
    return None


def _port_settings(where: str, kind: str, table: dict) -> tuple[Any, list[str]]:
    cls = _SETTINGS[kind]
    specs = {spec.name: spec for spec in dataclasses.fields(cls)}
    problems, values = [], {}
    for key, value in table.items():
        if key not in specs:
            close = difflib.get_close_matches(key, list(specs), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{where}.{key}: unknown key for an {kind} port{hint}")
        elif problem := _value_problem(specs[key], value):
            problems.append(f"{where}.{key}: {problem}")
        else:
            values[key] = tuple(value) if isinstance(value, list) else value
    settings = cls(**values)
    problems += [f"{where}.{key}: {text}" for key, text in settings.problems().items()]
    return settings, problems


def _read(profile: BoardProfile, lines: dict) -> tuple[dict[str, Any], list[str]]:
    kinds = {port.name: port.kind for port in profile.ports}
    settings, problems = {}, []
    for name, table in lines.items():
        if name not in kinds:
            problems.append(f"board.lines.{name}: board {profile.name} has no such port")
            continue
        settings[name], found = _port_settings(f"board.lines.{name}", kinds[name], table)
        problems += found
    owners: dict[str, str] = {}
    for name, port in settings.items():
        extension = getattr(port, "extension", "")
        if extension and extension in owners:
            problems.append(f"board.lines.{name}.extension: {extension} is {owners[extension]}'s")
        owners.setdefault(extension, name)
    return settings, problems


def line_problems(profile_name: str, lines: dict) -> list[str]:
    """Every problem with the board profile and the per-port settings, by key."""
    try:
        profile = load_profile(profile_name)
    except ProfileError as err:
        return [f"board.profile: {problem}" for problem in err.problems]
    return _read(profile, lines)[1]


def line_settings(
    profile: BoardProfile, lines: dict
) -> tuple[dict[str, FxsSettings], dict[str, FxoSettings]]:
    """The settings of every port of `profile` (defaults where `lines` says nothing);
    `lines` must be free of problems (`line_problems`)."""
    given = _read(profile, lines)[0]
    fxs = {port.name: given.get(port.name, FxsSettings()) for port in profile.fxs}
    fxo = {port.name: given.get(port.name, FxoSettings()) for port in profile.fxo}
    return fxs, fxo
