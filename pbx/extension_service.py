"""Adding, changing and removing extensions, for the CLI, the web panel and the API."""

import dataclasses
import logging
import re

from pbx.extensions import (
    RECORDING_SETTINGS,
    Extension,
    ExtensionError,
    Permission,
    check_number,
    check_secret,
    credentials,
    new_secret,
)
from pbx.store import ExtensionStore
from pbx.store.edge import EdgeCredentials

logger = logging.getLogger(__name__)

MAX_CALLS_LIMIT = 16
_CALLER_ID_NUMBER = re.compile(r"^\+?[0-9]{1,20}$")


def _check_text(field: str, value: str, limit: int = 64) -> str:
    if len(value) > limit or any(not c.isprintable() or c in '"<>' for c in value):
        raise ExtensionError(
            f"{field} must be up to {limit} printable characters without quotes or angle brackets"
        )
    return value


def _checked(extension: Extension) -> Extension:
    check_number(extension.number)
    _check_text("name", extension.name)
    _check_text("caller_id_name", extension.caller_id_name)
    if not _CALLER_ID_NUMBER.match(extension.caller_id_number):
        raise ExtensionError("caller_id_number must be digits, optionally after +")
    if not 1 <= extension.max_calls <= MAX_CALLS_LIMIT:
        raise ExtensionError(f"max_calls must be between 1 and {MAX_CALLS_LIMIT}")
    if extension.recording not in RECORDING_SETTINGS:
        choices = ", ".join(s or '"" (the default)' for s in RECORDING_SETTINGS)
        raise ExtensionError(f"recording must be one of {choices}; got {extension.recording!r}")
    return extension


class ExtensionService:
    """Extensions and their credentials, kept in step between the box and the edge.

    A secret is shown once, when it is made or set; afterwards only its digest
    hashes exist, so a stolen database does not hand out working secrets.
    Changes reach the edge at once: a new extension can register within a second.
    """

    def __init__(self, store: ExtensionStore, edge: EdgeCredentials) -> None:
        self._store = store
        self._edge = edge
        # Every call looks extensions up; keep them in memory rather than queue
        # behind record writes on the database thread. Changes go through here.
        self._cache: dict[str, Extension] = {}

    async def sync_edge(self) -> None:
        """Load the extensions and make the edge's credentials match them (at start)."""
        stored = await self._store.all()
        self._cache = {extension.number: extension for extension, _ in stored}
        await self._edge.replace_all({ext.number: creds for ext, creds in stored})

    async def list(self) -> list[Extension]:
        """Every extension, by number."""
        return [self._cache[n] for n in sorted(self._cache)]

    async def get(self, number: str) -> Extension:
        """One extension (ExtensionError if there is none)."""
        try:
            return self._cache[number]
        except KeyError:
            raise ExtensionError(f"no extension {number}") from None

    async def add(
        self,
        number: str,
        name: str,
        *,
        secret: str | None = None,
        permission: str = "national",
        max_calls: int = 2,
        caller_id_name: str | None = None,
        caller_id_number: str | None = None,
        recording: str = "",
    ) -> tuple[Extension, str | None]:
        """Create an extension; returns it and the secret made up for it (None if given)."""
        extension = _checked(
            Extension(
                number,
                name,
                caller_id_name or name,
                caller_id_number or number,
                Permission.parse(permission),
                max_calls,
                recording,
            )
        )
        made_up = new_secret() if secret is None else None
        secret = made_up or check_secret(secret, number)
        creds = credentials(number, secret)
        await self._store.add(extension, creds)
        self._cache[number] = extension
        await self._edge.put(number, creds)
        logger.info("extension %s (%s) added", number, name)
        return extension, made_up

    async def update(
        self,
        number: str,
        *,
        secret: str | None = None,
        new_secret_wanted: bool = False,
        **changes: object,
    ) -> tuple[Extension, str | None]:
        """Change settings, and the secret when one is given or wanted.

        Returns the extension and the secret made up for it, if one was.
        """
        current = await self.get(number)
        if "permission" in changes:
            changes["permission"] = Permission.parse(str(changes["permission"]))
        try:
            extension = _checked(dataclasses.replace(current, **changes))
        except TypeError as err:
            raise ExtensionError(f"unknown setting: {err}") from None
        made_up = new_secret() if new_secret_wanted and secret is None else None
        if secret is not None:
            check_secret(secret, number)
        secret = secret or made_up
        creds = credentials(number, secret) if secret is not None else None
        await self._store.update(extension, creds)
        self._cache[number] = extension
        if creds is not None:
            await self._edge.put(number, creds)
        logger.info("extension %s changed", number)
        return extension, made_up

    async def delete(self, number: str) -> None:
        """Remove an extension; it can no longer register or call."""
        await self._store.delete(number)
        self._cache.pop(number, None)
        await self._edge.remove(number)
        logger.info("extension %s removed", number)
