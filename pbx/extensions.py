"""Extensions: the phones of the office, their numbers, secrets and rights."""

import hashlib
import re
import secrets
import string
from dataclasses import dataclass
from enum import IntEnum

from pbx import PbxError

# The digest realm the edge challenges with. Generic on purpose: a realm naming
# the product would tell a scanner what it has found.
REALM = "pbx"
SECRET_LENGTH = 20
MIN_ADMIN_SECRET_LENGTH = 12
# An extension's recording policy (pbx/recording/policy.py); "" follows the box's default.
RECORDING_SETTINGS = ("", "always", "never", "on-demand")
_NUMBER = re.compile(r"^[1-9][0-9]{1,7}$")
_SECRET_ALPHABET = string.ascii_letters + string.digits
_COMMON_SECRETS = {
    "password",
    "123456",
    "12345678",
    "secret",
    "changeme",
    "admin",
    "qwerty",
    "letmein",
    "welcome",
    "passw0rd",
    "sipsecret",
    "voip",
}


class ExtensionError(PbxError):
    """A request about extensions cannot be carried out; the text says why."""


class Permission(IntEnum):
    """How far an extension may dial out; each class includes those before it.

    Emergency numbers come right after internal calls: every phone that may
    reach the outside may always reach the emergency services.
    """

    INTERNAL = 0
    EMERGENCY = 1
    LOCAL = 2
    NATIONAL = 3
    INTERNATIONAL = 4

    @classmethod
    def parse(cls, name: str) -> "Permission":
        try:
            return cls[name.upper()]
        except KeyError:
            choices = ", ".join(p.name.lower() for p in cls)
            raise ExtensionError(f"permission must be one of {choices}; got {name!r}") from None


@dataclass(frozen=True)
class Extension:
    """An extension as the panels see it (never its secret)."""

    number: str
    name: str
    caller_id_name: str
    caller_id_number: str
    permission: Permission
    max_calls: int
    recording: str = ""  # one of RECORDING_SETTINGS


@dataclass(frozen=True)
class Credentials:
    """The digest hashes the edge checks: never the secret itself."""

    ha1: str
    ha1b: str


def check_number(number: str) -> str:
    """An extension number: 2 to 8 digits, not starting with 0 (that dials out)."""
    if not _NUMBER.match(number):
        raise ExtensionError(
            f"extension number must be 2-8 digits not starting with 0; got {number!r}"
        )
    return number


def new_secret() -> str:
    """A random secret that no brute force on SIP will find."""
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def check_secret(secret: str, number: str, holder: str = "the extension number") -> str:
    """Refuse a secret an attacker would guess; return it unchanged otherwise.

    `number` is whose secret it is (an extension, or a panel user's name, which
    `holder` then names in the reason).
    """
    lowered = secret.lower()
    classes = sum(
        any(c in group for c in secret)
        for group in (
            string.ascii_lowercase,
            string.ascii_uppercase,
            string.digits,
            string.punctuation,
        )
    )
    problems = [
        (len(secret) < MIN_ADMIN_SECRET_LENGTH, f"shorter than {MIN_ADMIN_SECRET_LENGTH}"),
        (number.lower() in lowered, f"contains {holder}"),
        (_is_common(lowered), "is a common password with digits or symbols added"),
        (len(set(secret)) < 6, "too few different characters"),
        (
            len(secret) < 16 and classes < 3,
            "under 16 characters needs 3 of lower, upper, digits and symbols",
        ),
        (
            any(c.isspace() or not c.isprintable() for c in secret),
            "has spaces or control characters",
        ),
    ]
    reasons = [reason for bad, reason in problems if bad]
    if reasons:
        raise ExtensionError("secret refused: " + "; ".join(reasons))
    return secret


def _is_common(lowered: str) -> bool:
    """True for a common password dressed up: 'Password123!', 'admin2024'."""
    letters = re.sub(r"[^a-z]", "", lowered)
    return (
        any(
            letters == word or (letters.startswith(word) and len(letters) <= len(word) + 2)
            for word in _COMMON_SECRETS
        )
        or lowered in _COMMON_SECRETS
    )


def credentials(number: str, secret: str) -> Credentials:
    """HA1 and HA1b (RFC 2617) of `number` in the box's realm."""

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    return Credentials(md5(f"{number}:{REALM}:{secret}"), md5(f"{number}@{REALM}:{REALM}:{secret}"))
