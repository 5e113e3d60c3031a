"""Named call-center settings of one kind (routes, menus ...): checked, stored, looked up live."""

import dataclasses
import logging
import re
import typing
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from pbx import PbxError
from pbx.store.config_objects import ConfigObjectStore
from pbx.trunks import TrunkError, parse_destination

logger = logging.getLogger(__name__)

T = TypeVar("T")
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_TYPE_NAMES = {str: "text", bool: "true or false", int: "a whole number", float: "a number"}


class SettingError(PbxError):
    """A call-center setting cannot be used, or names something missing; the text says why."""


def doc(text: str, **meta: Any) -> dict[str, Any]:
    """A settings field's metadata: what it means (CLI help), and `destination=True`
    for a destination, `destinations=True` for a map of them, `prompts=True` for
    prompt names."""
    return {"doc": text, **meta}


def check_name(kind: str, name: str) -> str:
    """`name` if it can name a `kind` (lower-case letters, digits, dashes; 32 at most)."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise SettingError(
            f"{kind} name must start with a letter and hold up to 32 lower-case letters, "
            f"digits and dashes: {name!r}"
        )
    return name


def check_destination(destination: str) -> str:
    """`destination` if it names a known kind ("ivr:main", "hangup"); SettingError if not."""
    try:
        parse_destination(destination)
    except TrunkError as err:
        raise SettingError(str(err)) from None
    return destination


def _is_tuple(kind: Any) -> bool:
    return typing.get_origin(kind) is tuple


def _is_dict(kind: Any) -> bool:
    return typing.get_origin(kind) is dict


def _convert(name: str, kind: Any, value: Any) -> Any:
    """`value` (as JSON gives it) as a field of type `kind`; SettingError if it cannot be."""
    if _is_tuple(kind):
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise SettingError(f"{name} must be a list of text")
        return tuple(value)
    if _is_dict(kind):
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise SettingError(f"{name} must map text to text")
        return dict(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise SettingError(f"{name} must be {_TYPE_NAMES[kind]}, not {value!r}")
    return value


def from_settings(cls: type[T], values: dict[str, Any]) -> T:
    """An instance of the settings dataclass `cls` from JSON-like `values`, type-checked."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(values.keys() - fields.keys())
    if unknown:
        raise SettingError(f"unknown setting {unknown[0]!r}; known: {', '.join(fields)}")
    converted = {key: _convert(key, hints[key], value) for key, value in values.items()}
    try:
        return cls(**converted)
    except TypeError:
        missing = [
            name
            for name, f in fields.items()
            if name not in converted
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        ]
        raise SettingError(f"missing setting {', '.join(missing)}") from None


def to_settings(item: object) -> dict[str, Any]:
    """A settings dataclass as JSON-ready values (tuples become lists)."""
    return {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in dataclasses.asdict(item).items()
    }


def destinations_of(item: object) -> Iterator[tuple[str, str]]:
    """(setting, destination) for every destination `item` names."""
    for spec in dataclasses.fields(item):
        value = getattr(item, spec.name)
        if spec.metadata.get("destination") and value:
            yield spec.name, value
        elif spec.metadata.get("destinations"):
            for key, destination in value.items():
                yield f"{spec.name}[{key}]", destination


def prompts_of(item: object) -> Iterator[tuple[str, str]]:
    """(setting, prompt name) for every prompt `item` plays."""
    for spec in dataclasses.fields(item):
        if spec.metadata.get("prompts"):
            value = getattr(item, spec.name)
            for name in value if isinstance(value, tuple) else (value,) if value else ():
                yield spec.name, name


def field_docs(cls: type) -> list[tuple[str, Any, str]]:
    """(name, type, meaning) of each setting but the name, for command-line help."""
    hints = typing.get_type_hints(cls)
    return [(f.name, hints[f.name], f.metadata.get("doc", "")) for f in dataclasses.fields(cls)][1:]


class Catalog(Generic[T]):
    """Every object of one kind, in memory for calls to look up, and in the database.

    The objects are frozen dataclasses whose first field is `name` and which have a
    `check()` returning themselves or raising SettingError. A change replaces the
    object at once; a call already using the old one carries on with it.
    """

    def __init__(
        self,
        kind: str,
        cls: type[T],
        store: ConfigObjectStore,
        check: Callable[[T], None] | None = None,
    ) -> None:
        self.kind = kind
        self.cls = cls
        self._store = store
        self._extra_check = check
        self._items: dict[str, T] = {}

    async def load(self) -> None:
        """Read every stored object; one that no longer loads is skipped with an error."""
        self._items = {}
        for name, values in (await self._store.all(self.kind)).items():
            try:
                self._items[name] = from_settings(self.cls, {**values, "name": name})
            except SettingError as err:
                logger.error("%s %s not loaded: %s", self.kind, name, err)

    def get(self, name: str) -> T:
        """One object; SettingError naming it if there is none."""
        try:
            return self._items[name]
        except KeyError:
            raise SettingError(f"no {self.kind} {name}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def items(self) -> list[T]:
        """Every object, by name."""
        return [self._items[name] for name in sorted(self._items)]

    async def set(self, name: str, **changes: Any) -> T:
        """Create `name`, or change the settings given (lists and maps given replace the
        old ones); the others keep their values, or defaults for a new object."""
        check_name(self.kind, name)
        base = to_settings(self._items[name]) if name in self._items else {}
        item = from_settings(self.cls, {**base, **changes, "name": name})
        await self.put(item)
        return item

    async def put(self, item: T) -> None:
        """Check and store `item`, replacing any of its name."""
        item.check()
        if self._extra_check is not None:
            self._extra_check(item)
        values = to_settings(item)
        name = values.pop("name")
        await self._store.put(self.kind, name, values)
        self._items[name] = item
        logger.info("%s %s set", self.kind, name)

    async def delete(self, name: str) -> None:
        """Remove `name`; SettingError if there is none."""
        self.get(name)
        await self._store.delete(self.kind, name)
        del self._items[name]
        logger.info("%s %s removed", self.kind, name)
