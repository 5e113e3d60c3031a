"""SIP trunks: the lines to phone companies, and the outbound routes that use them."""

import dataclasses
import ipaddress
import re
from dataclasses import dataclass, field

from pbx import PbxError
from pbx.dial_pattern import DialPattern
from pbx.extensions import Permission
from pbx.numbering import NUMBER_FORMATS

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$")
_USER = re.compile(r"^[A-Za-z0-9._+-]{0,64}$")
_DID = re.compile(r"^\+?[0-9]{1,24}$")
TRANSPORTS = ("udp", "tcp", "tls")
MAX_TRUNKS = 24  # each is an account in the engine, which has room for 32
MAX_SECRET_LENGTH = 128


class TrunkError(PbxError):
    """A request about trunks or routes cannot be carried out; the text says why."""


def check_name(kind: str, name: str) -> str:
    """`name` if it can name a trunk or route (lower-case letters, digits, dashes)."""
    if not _NAME.match(name):
        raise TrunkError(
            f"{kind} name must start with a letter and hold up to 32 lower-case letters, "
            f"digits and dashes: {name!r}"
        )
    return name


@dataclass(frozen=True)
class Trunk:
    """A provider account. Calls in are recognised by the provider's address; calls
    out authenticate with `username` (or `auth_username`) and the trunk's secret,
    which is kept apart and never shown.

    `host` is the provider's SIP server, "host" or "host:port". With `register`
    the box registers there and the provider sends calls to that registration.
    `dids` maps each number the provider delivers to a destination ("ext:101").
    """

    name: str
    host: str
    transport: str = "udp"
    register: bool = False
    username: str = ""
    auth_username: str = ""
    domain: str = ""  # the provider's SIP domain, if not the host
    from_user: str = ""  # user part of From on calls out, if the provider wants a fixed one
    caller_id: str = ""  # number presented when an extension has no public caller ID
    number_format: str = "e164"
    max_channels: int = 0  # 0: no limit
    inbound_networks: tuple[str, ...] = ()  # more addresses the provider calls from
    dids: dict[str, str] = field(default_factory=dict)
    enabled: bool = True

    @property
    def host_name(self) -> str:
        return self.host.rsplit(":", 1)[0] if ":" in self.host else self.host

    @property
    def port(self) -> int:
        """The provider's port as given; 0 when the host has none (DNS or 5060 decide)."""
        return int(self.host.rsplit(":", 1)[1]) if ":" in self.host else 0

    @property
    def sip_domain(self) -> str:
        return self.domain or self.host_name

    @property
    def proxy_uri(self) -> str:
        """Where calls to this provider are sent."""
        return f"sip:{self.host};transport={self.transport}"

    def check(self) -> "Trunk":
        """The trunk itself if every field is sound; TrunkError naming the first that is not."""
        _check_types(self)
        check_name("trunk", self.name)
        _check_host(self.host)
        if self.domain and not _HOST.match(self.domain):
            raise TrunkError(f"domain {self.domain!r} is not a host name")
        if self.transport not in TRANSPORTS:
            raise TrunkError(f"transport must be one of {', '.join(TRANSPORTS)}")
        if self.number_format not in NUMBER_FORMATS:
            raise TrunkError(f"number_format must be one of {', '.join(NUMBER_FORMATS)}")
        for label, value in (
            ("username", self.username),
            ("auth_username", self.auth_username),
            ("from_user", self.from_user),
        ):
            if not _USER.match(value):
                raise TrunkError(f"{label} may hold letters, digits and . _ + - only")
        if self.register and not self.username:
            raise TrunkError("a registering trunk needs a username")
        if self.caller_id and not _DID.match(self.caller_id):
            raise TrunkError("caller_id must be digits, optionally after +")
        if not 0 <= self.max_channels <= 1024:
            raise TrunkError("max_channels must be between 0 (no limit) and 1024")
        for network in self.inbound_networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise TrunkError(f"inbound network {network!r} is not an address or CIDR") from None
        for did, destination in self.dids.items():
            if not _DID.match(did):
                raise TrunkError(f"DID {did!r} must be digits, optionally after +")
            parse_destination(destination)
        return self


def _check_types(item: object) -> None:
    """Plain fields hold their declared type (settings arrive as JSON from panels)."""
    for spec in dataclasses.fields(item):
        value = getattr(item, spec.name)
        if spec.type in (str, bool, int) and (
            not isinstance(value, spec.type) or (spec.type is int and isinstance(value, bool))
        ):
            raise TrunkError(f"{spec.name} must be {_TYPE_NAMES[spec.type]}, not {value!r}")
        if spec.type == dict[str, str] and not (
            isinstance(value, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        ):
            raise TrunkError(f"{spec.name} must map numbers to destinations")


_TYPE_NAMES = {str: "text", bool: "true or false", int: "a whole number"}


def _check_host(host: str) -> None:
    name, _, port = host.partition(":")
    if not _HOST.match(name) or (port and not (port.isdigit() and 0 < int(port) < 65536)):
        raise TrunkError(f"host must be a host name or address with an optional :port: {host!r}")


# Every kind of destination the box has, known before any is wired so that settings
# read at start (an FXO line's destination) can be checked; the bare ones take no
# target ("hangup"). InboundRouter.add_destination registers any further kind.
DESTINATION_KINDS = {"ext", "queue", "group", "ivr", "tc", "announce", "hangup"}
BARE_DESTINATION_KINDS = {"hangup"}


def parse_destination(text: str) -> tuple[str, str]:
    """ "kind:target" (or a bare "kind") as (kind, target); TrunkError for an unknown kind."""
    kind, _, target = text.partition(":")
    if kind not in DESTINATION_KINDS or not (target or kind in BARE_DESTINATION_KINDS):
        kinds = sorted(k if k in BARE_DESTINATION_KINDS else f"{k}:..." for k in DESTINATION_KINDS)
        raise TrunkError(f"destination must be one of {', '.join(kinds)}; got {text!r}")
    return kind, target


@dataclass(frozen=True)
class OutboundRoute:
    """Numbers matching any of `patterns` leave through `trunks`, tried in order.

    The number has `strip` leading digits removed and `prepend` put in front
    before it is classified and formatted for the trunk. `permission` is the
    least class a caller needs, raised by what the number turns out to be:
    a route cannot make an international number local.
    """

    name: str
    patterns: tuple[str, ...]
    trunks: tuple[str, ...]
    strip: int = 0
    prepend: str = ""
    permission: Permission = Permission.LOCAL
    priority: int = 100  # lower first

    def check(self) -> "OutboundRoute":
        """The route itself if it is sound; TrunkError naming what is not."""
        _check_types(self)
        check_name("route", self.name)
        if not self.patterns or not self.trunks:
            raise TrunkError("a route needs at least one pattern and one trunk")
        for pattern in self.patterns:
            DialPattern(pattern)
        for trunk in self.trunks:
            check_name("trunk", trunk)
        if not 0 <= self.strip <= 20:
            raise TrunkError("strip must be between 0 and 20 digits")
        if self.prepend and not re.fullmatch(r"\+?[0-9]{1,20}", self.prepend):
            raise TrunkError("prepend must be digits, optionally after +")
        return self

    def dialled_number(self, dialled: str) -> str | None:
        """What this route makes of `dialled`, or None if no pattern matches."""
        if not any(DialPattern(p).matches(dialled) for p in self.patterns):
            return None
        return self.prepend + dialled[self.strip :]
