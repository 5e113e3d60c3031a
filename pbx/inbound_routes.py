"""Inbound routes: which outside calls (by source, DID and caller ID) go to which destination."""

from dataclasses import dataclass, field

from pbx.catalog import SettingError, check_destination, doc
from pbx.dial_pattern import DialPattern, PatternError

# Where an outside call can come from: a SIP trunk, or an FXO line (by line name).
SOURCE_KINDS = ("trunk", "line")
# What providers and lines send for a caller who withholds the number.
_WITHHELD = ("", "anonymous", "unknown", "restricted", "private", "unavailable")
ANONYMOUS = "anonymous"
# Names of the routes a trunk's DID list and a line's own destination make; no
# stored route can have them (stored names hold no colon).
_TRUNK_DID_PREFIX, _LINE_PREFIX = "trunk:", "line:"


def other_form(number: str) -> str:
    """A number as the provider may also write it: with or without the leading "+"."""
    return number[1:] if number.startswith("+") else "+" + number


def _fits(pattern: str, number: str) -> bool:
    if not pattern:
        return True
    if pattern == ANONYMOUS:
        return number.lower() in _WITHHELD
    compiled = DialPattern(pattern)
    return compiled.matches(number) or compiled.matches(other_form(number))


@dataclass(frozen=True)
class InboundRoute:
    """Calls from `source_kind` `source_name` to a DID matching `did` from a caller
    matching `caller` go to `destination`; a blank criterion matches anything.

    Patterns are dial patterns (`_4420712345XX`, `_07.`) or plain numbers; a number
    with or without its leading "+" matches either way. `caller = "anonymous"`
    matches callers who withhold their number. See `precedence` for the order.
    """

    name: str
    destination: str = field(
        metadata=doc(
            "where the calls go: ext:1001, ivr:main, tc:office, announce:closed, hangup",
            destination=True,
        )
    )
    did: str = field(default="", metadata=doc("dialled number or pattern (blank: any)"))
    caller: str = field(
        default="", metadata=doc("caller-ID number or pattern, or anonymous (blank: any)")
    )
    source_kind: str = field(default="", metadata=doc("trunk or line (blank: any)"))
    source_name: str = field(
        default="", metadata=doc("the trunk's or line's name (blank: any of the kind)")
    )
    priority: int = field(
        default=100, metadata=doc("among equally specific routes, lower is tried first")
    )
    recording: str = field(
        default="",
        metadata=doc(
            "always, never or on-demand: how the route's calls are recorded (blank: no say)"
        ),
    )

    def check(self) -> "InboundRoute":
        """The route itself if it is sound; SettingError naming what is not."""
        try:
            for pattern in (self.did, self.caller):
                if pattern and pattern != ANONYMOUS:
                    DialPattern(pattern)
        except PatternError as err:
            raise SettingError(str(err)) from None
        check_destination(self.destination)
        if self.source_kind not in ("", *SOURCE_KINDS):
            raise SettingError(f"source_kind must be one of {', '.join(SOURCE_KINDS)} or blank")
        if self.source_name and not self.source_kind:
            raise SettingError("a source_name needs its source_kind (trunk or line)")
        if self.recording not in ("", "always", "never", "on-demand"):
            raise SettingError("recording must be always, never, on-demand or blank")
        if self.did == ANONYMOUS:
            raise SettingError("did: a dialled number cannot be anonymous")
        return self

    def matches(self, source_kind: str, source_name: str, did: str, caller: str) -> bool:
        """Whether a call from that source, to `did`, from `caller` takes this route."""
        if self.source_kind and self.source_kind != source_kind:
            return False
        if self.source_name and self.source_name != source_name:
            return False
        return _fits(self.did, did) and _fits(self.caller, caller)

    def precedence(self) -> tuple:
        """Sort key: the first route whose criteria match wins.

        1. routes with a caller-ID pattern (a VIP or a blocked number is caught
           whatever number they dialled), then routes with a DID, then catch-alls;
        2. within each, a route naming its trunk or line, then one naming only the
           kind, then one for any source;
        3. then lower `priority`, a stored route before a trunk's DID entry or a
           line's own destination, name.
        """
        source_rank = 0 if self.source_name else 1 if self.source_kind else 2
        return (
            not self.caller,
            not self.did,
            source_rank,
            self.priority,
            self.name.startswith((_TRUNK_DID_PREFIX, _LINE_PREFIX)),
            self.name,
        )


def trunk_did_routes(trunk: str, dids: dict[str, str]) -> list[InboundRoute]:
    """A trunk's DID list (`--did NUMBER=DESTINATION`) as routes from that trunk."""
    prefix = f"{_TRUNK_DID_PREFIX}{trunk}:"
    return [
        InboundRoute(prefix + number, destination, number, "", "trunk", trunk)
        for number, destination in dids.items()
    ]


def line_own_route(line: str, destination: str) -> list[InboundRoute]:
    """An FXO line's own destination (`board.lines.fxo1.destination`) as a catch-all
    route from that line; none if it has no destination."""
    if not destination:
        return []
    return [InboundRoute(f"{_LINE_PREFIX}{line}", destination, "", "", "line", line)]


def choose(
    routes: list[InboundRoute], source_kind: str, source_name: str, did: str, caller: str
) -> InboundRoute | None:
    """The route a call takes (see InboundRoute.precedence), or None."""
    for route in sorted(routes, key=InboundRoute.precedence):
        if route.matches(source_kind, source_name, did, caller):
            return route
    return None
