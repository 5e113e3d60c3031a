"""A settings dataclass as a form: its fields' widgets, and form or JSON values back to settings.

Trunks, outbound routes and the call-flow objects are frozen dataclasses; their
field types decide the widget (text, a number, a checkbox, a list one item a
line, or a map of key -> destination rows). The pbx layer checks the values;
this only turns what a browser or a script sent into the types it expects.
"""

import dataclasses
import typing
from dataclasses import dataclass

from pbx.api import PbxError

MAP_ROWS_EMPTY = 3  # blank rows a map's form offers for new entries


class FormError(PbxError):
    """A form's or a request's value cannot be read as its setting's type; the text says why."""


@dataclass(frozen=True)
class Field:
    """One setting as the form shows it.

    `widget`: text, number, check, lines (a list, one a line), map (key ->
    destination rows), destination (the shared picker) or choice (`choices`).
    """

    name: str
    widget: str
    label: str
    help: str = ""
    choices: tuple[str, ...] = ()
    optional: bool = True  # a destination may be left blank


def _widget(kind: object, meta: typing.Mapping) -> str:
    origin = typing.get_origin(kind)
    if meta.get("destination"):
        return "destination"
    if origin is tuple:
        return "lines"
    if origin is dict:
        return "map"
    if kind is bool:
        return "check"
    if kind in (int, float):
        return "number"
    return "text"


def fields_of(cls: type, labels: dict[str, str], **overrides: dict) -> list[Field]:
    """The form of `cls`: a Field for each setting `labels` names, in `labels`' order.

    `overrides` change a field's spec, e.g. `transport={"widget": "choice",
    "choices": TRANSPORTS}`; help comes from the field's metadata ("doc").
    """
    hints = typing.get_type_hints(cls)
    specs = {f.name: f for f in dataclasses.fields(cls)}
    found = []
    for name, label in labels.items():
        meta = specs[name].metadata
        spec = {"widget": _widget(hints[name], meta), "help": meta.get("doc", "")}
        if spec["widget"] == "destination":
            spec["optional"] = specs[name].default is not dataclasses.MISSING
        found.append(Field(name, label=label, **{**spec, **overrides.get(name, {})}))
    return found


def _shown(field: Field, value: object) -> object:
    if field.widget == "lines":
        return "\n".join(value)
    if field.widget == "map":
        return list(value.items())
    if field.widget == "choice" and not isinstance(value, str):
        return value.name.lower()  # an enum, e.g. a call permission
    return value


def form_values(item: object, fields: list[Field]) -> dict:
    """An object's settings as its form shows them (lists as lines, maps as pairs)."""
    return {field.name: _shown(field, getattr(item, field.name)) for field in fields}


def default_values(cls: type, fields: list[Field]) -> dict:
    """A new object's form: each setting's default ("" where it has none)."""
    specs = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for field in fields:
        spec = specs[field.name]
        if spec.default is not dataclasses.MISSING:
            value = spec.default
        elif spec.default_factory is not dataclasses.MISSING:
            value = spec.default_factory()
        else:
            value = "" if field.widget != "lines" else ()
        values[field.name] = _shown(field, value)
    return values


def posted(arguments: dict[str, list[bytes]], fields: list[Field]) -> dict:
    """What a form posted, as form_values shows it (kept to show again after an error)."""

    def text(key: str) -> str:
        return arguments[key][-1].decode(errors="replace").strip() if key in arguments else ""

    def texts(key: str) -> list[str]:
        return [v.decode(errors="replace").strip() for v in arguments.get(key, [])]

    values: dict = {}
    for field in fields:
        if field.widget == "map":
            keys, targets = texts(f"{field.name}.key"), texts(f"{field.name}.value")
            values[field.name] = [(k, t) for k, t in zip(keys, targets, strict=False) if k or t]
        elif field.widget == "check":
            values[field.name] = text(field.name) == "on"
        else:
            values[field.name] = text(field.name)
    return values


def settings_of(values: dict, fields: list[Field], types: dict[str, type]) -> dict:
    """Form values (see `posted`) as settings of the types `types` gives; FormError if not."""
    settings = {}
    for field in fields:
        value = values.get(field.name)
        if field.widget == "lines":
            value = [line.strip() for line in value.splitlines() if line.strip()]
        elif field.widget == "map":
            value = _pairs(field, value)
        elif field.widget == "number":
            if not value:
                continue  # left blank: as it is (a new object's default)
            value = _number(field, value, types.get(field.name, int))
        settings[field.name] = value
    return settings


def _pairs(field: Field, rows: list[tuple[str, str]]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for key, target in rows:
        if not key or not target:
            raise FormError(f"{field.label}: each row needs both a key and a destination")
        if key in pairs:
            raise FormError(f"{field.label}: {key} is given twice")
        pairs[key] = target
    return pairs


def _number(field: Field, text: str, kind: type) -> float | int:
    try:
        return kind(text)
    except ValueError:
        noun = "a whole number" if kind is int else "a number"
        raise FormError(f"{field.label} must be {noun}, not {text!r}") from None


def json_settings(body: dict, allowed: typing.Iterable[str]) -> dict:
    """A JSON body's settings, refused (FormError) if it names one that is not allowed."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise FormError(f"unknown setting(s): {', '.join(unknown)}")
    return dict(body)


def types_of(cls: type) -> dict[str, type]:
    """Each setting's type, for reading numbers: int or float."""
    return typing.get_type_hints(cls)
