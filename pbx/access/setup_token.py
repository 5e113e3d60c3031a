"""The first-start token: proof that whoever sets the admin password can see the box's console.

A box has no default password (ETSI EN 303 645 5.1-1). Until an admin exists the
panel asks for this token, shown only on the console, the log and `callbox
status` (the front panel), so a neighbour on the LAN cannot race the owner.
"""

import hmac
import logging
import secrets
from collections.abc import Callable

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L: read off a small display and typed by hand.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_GROUPS, _GROUP_LENGTH = 3, 4  # 12 symbols, about 59 bits


def normalised(token: str) -> str:
    """The token as compared: upper case, without the dashes and spaces people type."""
    return "".join(token.split()).replace("-", "").upper()


class SetupToken:
    """A one-time token, valid for `ttl_s`; a new one is made when asked after that."""

    def __init__(self, clock: Callable[[], float], ttl_s: float, setup_url: str) -> None:
        self._clock = clock
        self._ttl_s = ttl_s
        self._setup_url = setup_url
        self._token = ""
        self._expires_s = 0.0

    def current(self) -> tuple[str, float]:
        """The token and when it expires (epoch seconds), made now if none is valid."""
        if not self._token or self._clock() >= self._expires_s:
            symbols = "".join(secrets.choice(_ALPHABET) for _ in range(_GROUPS * _GROUP_LENGTH))
            self._token = "-".join(
                symbols[i : i + _GROUP_LENGTH] for i in range(0, len(symbols), _GROUP_LENGTH)
            )
            self._expires_s = self._clock() + self._ttl_s
            banner = "=" * 64
            logger.warning(
                "\n%s\n  FIRST START: no web panel admin exists yet.\n"
                "  Open %s and enter the one-time setup token\n"
                "      %s\n"
                "  (valid %d minutes; `callbox status` shows it too)\n%s",
                banner,
                self._setup_url,
                self._token,
                self._ttl_s // 60,
                banner,
            )
        return self._token, self._expires_s

    def redeem(self, given: str) -> bool:
        """True, once, for the valid token; it is spent at once, so it works only once."""
        if not self._token or self._clock() >= self._expires_s:
            return False
        if not hmac.compare_digest(normalised(given).encode(), normalised(self._token).encode()):
            return False
        self._token = ""
        return True

    def retire(self) -> None:
        """Forget the token (an admin exists now)."""
        self._token = ""
