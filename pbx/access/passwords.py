"""Panel passwords: argon2id hashes, worked out off the event loop, and what a password must be."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import argon2

from pbx.access.records import AccessError
from pbx.extensions import ExtensionError, check_secret

# argon2-cffi's defaults are RFC 9106's second recommendation (t=3, 64 MiB, p=4):
# about 50 ms here and a few hundred on a Pi, which the log-in throttle bounds.
_HASHER = argon2.PasswordHasher()
MAX_PASSWORD_LENGTH = 256  # argon2 takes any length; this bounds the work one request asks


class PasswordError(AccessError):
    """A password is refused; the text says why."""


def check_password(password: str, username: str) -> str:
    """Refuse a password an attacker would guess (the same rules as admins' SIP secrets)."""
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordError(f"password refused: longer than {MAX_PASSWORD_LENGTH}")
    try:
        return check_secret(password, username, holder="the user name")
    except ExtensionError as err:
        raise PasswordError(str(err).replace("secret refused", "password refused")) from None


class PasswordHasher:
    """Hashes and checks passwords on one thread of its own.

    One argon2 hash takes tens of milliseconds and 64 MiB: on the loop it would
    stall SIP and the web, and more threads would let a burst of log-ins take
    the box's memory.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argon2")
        # Checked when the user name is unknown, so that a wrong name costs the
        # same time as a wrong password and names cannot be found by timing.
        self._decoy = _HASHER.hash("not a password of anyone's")

    async def hash(self, password: str) -> str:
        """The argon2id hash (with its salt and parameters) to store."""
        return await self._run(_HASHER.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """True if `password` matches `stored`; None (no such user) costs as much and fails."""
        if len(password) > MAX_PASSWORD_LENGTH:
            return False
        return await self._run(_verify, stored or self._decoy, password) and stored is not None

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def close(self) -> None:
        """Stop the hashing thread."""
        self._executor.shutdown(wait=True)


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False
