"""The dial plan: what a number dialled digit by digit on an analog phone amounts to so far."""

from collections.abc import Callable, Iterable
from enum import Enum

from pbx.dial_pattern import DialPattern
from pbx.trunks import OutboundRoute


class Dialled(Enum):
    """Where a number stands while it is being dialled."""

    INCOMPLETE = "incomplete"  # the start of some number: wait for the next digit
    COMPLETE = "complete"  # a number, and no longer one starts with it: dial now
    AMBIGUOUS = "ambiguous"  # a number, but a longer one could follow: dial after a pause
    UNKNOWN = "unknown"  # nothing begins so: dial now, and let the box refuse it


class DialPlan:
    """Knows, from the box's own numbering, when a phone has dialled enough.

    Numbers are the extensions, the fixed numbers (test numbers), the emergency
    numbers and whatever an outbound route's patterns match; all are looked at afresh
    on each question, so a new extension or route counts at once. An emergency number
    is dialled the moment it is complete, even where a route could take it further
    (999 under a "9 for a line" route).
    """

    def __init__(
        self,
        extensions: Callable[[], Iterable[str]],
        routes: Callable[[], Iterable[OutboundRoute]],
        fixed_numbers: Iterable[str],
        emergency_numbers: Iterable[str] = (),
    ) -> None:
        self._extensions = extensions
        self._routes = routes
        self._emergency = tuple(emergency_numbers)
        self._fixed = (*fixed_numbers, *self._emergency)

    def classify(self, digits: str) -> Dialled:
        """What `digits` amount to so far."""
        if digits in self._emergency:
            return Dialled.COMPLETE
        numbers = [*self._extensions(), *self._fixed]
        complete = digits in numbers
        longer = any(n.startswith(digits) and n != digits for n in numbers)
        for route in self._routes():
            for pattern in map(DialPattern, route.patterns):
                complete = complete or pattern.matches(digits)
                longer = longer or pattern.could_extend(digits)
        if complete:
            return Dialled.AMBIGUOUS if longer else Dialled.COMPLETE
        return Dialled.INCOMPLETE if longer else Dialled.UNKNOWN
