"""The log-in throttle: exponential back-off per source address.

Only the address that fails is slowed down; no account is ever locked. So an
attacker can slow only themselves, and the real admin can always sign in from
another address (OWASP ASVS V6.1.1: brute-force controls that cannot be used
for malicious lock-out).
"""

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int = 0
    blocked_until: float = 0.0
    last_failure: float = 0.0


class LoginThrottle:
    """Counts failed log-ins (passwords, setup tokens, API tokens) per source address.

    The first `free_failures` cost nothing; each one after that blocks the
    address for `first_delay_s`, doubling up to `max_delay_s`. An address that
    signs in, or stays quiet for twice `max_delay_s`, starts afresh.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        free_failures: int,
        first_delay_s: float = 1.0,
        max_delay_s: float,
        max_sources: int = 10_000,
    ) -> None:
        self._clock = clock
        self._free = free_failures
        self._first_delay_s = first_delay_s
        self._max_delay_s = max_delay_s
        self._max_sources = max_sources
        self._records: dict[str, _Record] = {}

    def retry_after_s(self, source: str) -> float:
        """How long `source` must wait before its next try; 0 if it may try now."""
        record = self._records.get(_key(source))
        return max(0.0, record.blocked_until - self._clock()) if record else 0.0

    def failed(self, source: str) -> float:
        """Count a failure; returns how long `source` is now blocked for."""
        now = self._clock()
        key = _key(source)
        record = self._records.get(key)
        if record is None or now - record.last_failure > 2 * self._max_delay_s:
            self._make_room(now)
            record = self._records[key] = _Record()
        record.failures += 1
        record.last_failure = now
        beyond = record.failures - self._free
        if beyond > 0:
            delay_s = min(self._first_delay_s * 2 ** min(beyond - 1, 32), self._max_delay_s)
            record.blocked_until = now + delay_s
        return max(0.0, record.blocked_until - now)

    def succeeded(self, source: str) -> None:
        """Forget `source`'s failures."""
        self._records.pop(_key(source), None)

    def _make_room(self, now: float) -> None:
        """Bound the table: a spray from many addresses must not take the box's memory."""
        if len(self._records) < self._max_sources:
            return
        for key, record in list(self._records.items()):
            if record.blocked_until <= now:
                del self._records[key]
        while len(self._records) >= self._max_sources:
            del self._records[next(iter(self._records))]  # the oldest first


def _key(source: str) -> str:
    """An IPv4 address, or an IPv6 address's /64 (one host has a whole /64 to hop around in)."""
    try:
        address = ipaddress.ip_address(source)
    except ValueError:
        return source
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))
