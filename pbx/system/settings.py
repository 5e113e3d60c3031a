"""The box's own system settings (time, network, VPN), checked, and kept in one JSON file."""

import ipaddress
import json
import os
import re
import zoneinfo
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from pbx import PbxError

_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
PEER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
MAX_NTP_SERVERS = 6
MAX_DNS_SERVERS = 3


class SystemSettingsError(PbxError):
    """A system setting cannot be used; the text says which and why."""


@dataclass(frozen=True)
class TimeSettings:
    """The box's time zone and the NTP servers it keeps time with."""

    zone: str = "UTC"
    ntp: tuple[str, ...] = ()  # blank: the image's (Debian's) pool servers


@dataclass(frozen=True)
class NetworkSettings:
    """The box's wired interface: DHCP, or a static address."""

    mode: str = "dhcp"  # "dhcp" or "static"
    address: str = ""  # static: "192.168.1.2/24"
    gateway: str = ""
    dns: tuple[str, ...] = ()


@dataclass(frozen=True)
class VpnPeer:
    """A remote admin's device on the WireGuard VPN (its private key is never kept)."""

    name: str
    public_key: str
    address: str  # its one address in the VPN subnet, "10.8.0.2"


@dataclass(frozen=True)
class VpnSettings:
    """The box's WireGuard interface and its peers."""

    enabled: bool = False
    address: str = "10.8.0.1/24"  # the box's address and the VPN subnet
    port: int = 51820
    endpoint: str = ""  # how peers reach the box: a public host name or address
    peers: tuple[VpnPeer, ...] = ()


@dataclass(frozen=True)
class SystemSettings:
    """Everything the System page sets."""

    time: TimeSettings = field(default_factory=TimeSettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    vpn: VpnSettings = field(default_factory=VpnSettings)


def load_settings(path: Path) -> SystemSettings:
    """The settings saved at `path`, or the defaults if there are none yet."""
    if not path.exists():
        return SystemSettings()
    raw = json.loads(path.read_text(encoding="utf-8"))
    vpn = raw.get("vpn", {})
    peers = tuple(VpnPeer(**peer) for peer in vpn.pop("peers", []))
    time_raw, net_raw = raw.get("time", {}), raw.get("network", {})
    return SystemSettings(
        TimeSettings(time_raw.get("zone", "UTC"), tuple(time_raw.get("ntp", ()))),
        replace(NetworkSettings(**net_raw), dns=tuple(net_raw.get("dns", ()))),
        VpnSettings(**vpn, peers=peers),
    )


def save_settings(path: Path, settings: SystemSettings) -> None:
    """Write the settings so a power cut leaves the old file or the new, never half of one."""
    write_atomically(path, json.dumps(asdict(settings), indent=2).encode())


def write_atomically(path: Path, content: bytes, mode: int = 0o644) -> None:
    """Write `content` to a temporary file beside `path`, sync it, and rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


# --- checks ----------------------------------------------------------------------------


def check_zone(zone: object) -> str:
    """A time zone name from the zoneinfo database, e.g. "Europe/London"."""
    if not isinstance(zone, str) or zone not in zoneinfo.available_timezones():
        raise SystemSettingsError(f"unknown time zone: {zone!r} (e.g. Europe/London)")
    return zone


def check_host(host: object, what: str) -> str:
    """A host name (RFC 1123) or an IP address."""
    if not isinstance(host, str) or not host.strip():
        raise SystemSettingsError(f"{what}: give a host name or an address")
    host = host.strip()
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise SystemSettingsError(f"{what}: {host!r} is neither a host name nor an address")
    if labels[-1].isdigit():
        raise SystemSettingsError(f"{what}: {host!r} is not a valid address")
    return host


def check_time(zone: object, ntp: object) -> TimeSettings:
    """Time settings from a form or a request."""
    servers = _list(ntp, "NTP servers")
    if len(servers) > MAX_NTP_SERVERS:
        raise SystemSettingsError(f"NTP servers: at most {MAX_NTP_SERVERS}")
    return TimeSettings(check_zone(zone), tuple(check_host(s, "NTP server") for s in servers))


def check_network(mode: object, address: object, gateway: object, dns: object) -> NetworkSettings:
    """Network settings from a form or a request: DHCP, or a static address that holds together."""
    if mode == "dhcp":
        return NetworkSettings()
    if mode != "static":
        raise SystemSettingsError("mode must be dhcp or static")
    try:
        interface = ipaddress.ip_interface(str(address).strip())
    except ValueError:
        raise SystemSettingsError(
            f"address: {address!r} is not an address with its prefix, like 192.168.1.2/24"
        ) from None
    if "/" not in str(address) or interface.network.prefixlen == interface.max_prefixlen:
        raise SystemSettingsError("address: give the prefix too, like 192.168.1.2/24")
    if interface.version == 4 and interface.ip in (
        interface.network.network_address,
        interface.network.broadcast_address,
    ):
        raise SystemSettingsError(f"address: {interface.ip} is not a host of {interface.network}")
    try:
        router = ipaddress.ip_address(str(gateway).strip())
    except ValueError:
        raise SystemSettingsError(f"gateway: {gateway!r} is not an address") from None
    if router not in interface.network or router == interface.ip:
        raise SystemSettingsError(
            f"gateway: {router} must be another address in {interface.network}"
        )
    servers = _list(dns, "DNS servers")
    if not 1 <= len(servers) <= MAX_DNS_SERVERS:
        raise SystemSettingsError(f"DNS servers: give 1 to {MAX_DNS_SERVERS} addresses")
    resolvers = []
    for server in servers:
        try:
            resolvers.append(str(ipaddress.ip_address(server)))
        except ValueError:
            raise SystemSettingsError(f"DNS server: {server!r} is not an address") from None
    return NetworkSettings("static", str(interface), str(router), tuple(resolvers))


def check_vpn(enabled: object, address: object, port: object, endpoint: object) -> VpnSettings:
    """The VPN interface's settings (peers are added apart)."""
    if not isinstance(enabled, bool):
        raise SystemSettingsError("VPN enabled: true or false")
    try:
        interface = ipaddress.ip_interface(str(address).strip())
    except ValueError:
        raise SystemSettingsError(f"VPN address: {address!r} is not like 10.8.0.1/24") from None
    if interface.version != 4 or not 16 <= interface.network.prefixlen <= 29:
        raise SystemSettingsError("VPN address: an IPv4 address with a prefix of /16 to /29")
    if interface.ip in (interface.network.network_address, interface.network.broadcast_address):
        raise SystemSettingsError(f"VPN address: {interface.ip} is not a host of its subnet")
    if isinstance(port, str) and port.strip().isdigit():
        port = int(port)
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise SystemSettingsError("VPN port: a number from 1 to 65535")
    host = check_host(endpoint, "VPN endpoint") if endpoint else ""
    return VpnSettings(enabled, str(interface), port, host)


def _list(value: object, what: str) -> list[str]:
    """A list of strings: from JSON, or a form's text with one per line or comma."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,]+", value) if part]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise SystemSettingsError(f"{what}: a list of names or addresses")
