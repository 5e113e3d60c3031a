"""WireGuard: the box's key pair, its wg0.conf, a new peer's client configuration and QR code."""

import base64
import io
import ipaddress
from pathlib import Path

import segno
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from pbx.system.settings import (
    PEER_NAME,
    SystemSettingsError,
    VpnPeer,
    VpnSettings,
    write_atomically,
)

KEEPALIVE_S = 25  # keeps a phone's NAT mapping open so the panel stays reachable


def key_pair() -> tuple[str, str]:
    """A new X25519 key pair as WireGuard writes keys: (private, public), base64."""
    private = X25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw_private).decode(), base64.b64encode(raw_public).decode()


def public_key_of(private_key: str) -> str:
    """The public key of a base64 WireGuard private key."""
    private = X25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode()


def box_private_key(path: Path) -> str:
    """The box's private key, made once (mode 0600) and kept at `path`."""
    if not path.exists():
        write_atomically(path, key_pair()[0].encode() + b"\n", mode=0o600)
    return path.read_text(encoding="ascii").strip()


def interface_config(vpn: VpnSettings, private_key: str) -> str:
    """The box's wg0.conf (wg-quick), with one [Peer] per remote admin's device."""
    lines = [
        "# Written by the Callbox daemon (System page); changes here are overwritten.",
        "[Interface]",
        f"Address = {vpn.address}",
        f"ListenPort = {vpn.port}",
        f"PrivateKey = {private_key}",
    ]
    for peer in vpn.peers:
        lines += ["", f"# {peer.name}", "[Peer]", f"PublicKey = {peer.public_key}"]
        lines.append(f"AllowedIPs = {peer.address}/32")
    return "\n".join(lines) + "\n"


def client_config(vpn: VpnSettings, peer_private_key: str, address: str, box_public: str) -> str:
    """What the admin's phone or laptop imports: its key, its address, and the box as peer."""
    subnet = ipaddress.ip_interface(vpn.address).network
    return (
        "[Interface]\n"
        f"PrivateKey = {peer_private_key}\n"
        f"Address = {address}/32\n"
        "\n[Peer]\n"
        f"PublicKey = {box_public}\n"
        f"Endpoint = {_endpoint(vpn.endpoint)}:{vpn.port}\n"
        f"AllowedIPs = {subnet}\n"
        f"PersistentKeepalive = {KEEPALIVE_S}\n"
    )


def _endpoint(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def qr_svg(text: str) -> str:
    """`text` as a QR code: one <svg> element, no styles or scripts (the panel's CSP holds)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=4, svgclass="qr", title=None
    )
    return out.getvalue().decode()


def new_peer(vpn: VpnSettings, name: object, address: object) -> tuple[VpnPeer, str]:
    """A peer named `name` at `address` (blank: the first free one): (peer, its private key)."""
    if not isinstance(name, str) or not PEER_NAME.fullmatch(name):
        raise SystemSettingsError(
            "peer name: 1 to 32 letters, digits, - or _, starting with a letter or digit"
        )
    if any(peer.name == name for peer in vpn.peers):
        raise SystemSettingsError(f"a peer named {name} exists already")
    if not vpn.endpoint:
        raise SystemSettingsError("set the VPN endpoint (how peers reach the box) first")
    interface = ipaddress.ip_interface(vpn.address)
    taken = {interface.ip, *(ipaddress.ip_address(p.address) for p in vpn.peers)}
    if address:
        try:
            chosen = ipaddress.ip_address(str(address).strip())
        except ValueError:
            raise SystemSettingsError(f"peer address: {address!r} is not an address") from None
        if chosen not in set(interface.network.hosts()):
            raise SystemSettingsError(f"peer address: {chosen} is not in {interface.network}")
        if chosen in taken:
            raise SystemSettingsError(f"peer address: {chosen} is in use")
    else:
        chosen = next((h for h in interface.network.hosts() if h not in taken), None)
        if chosen is None:
            raise SystemSettingsError(f"no free address left in {interface.network}")
    private, public = key_pair()
    return VpnPeer(name, public, str(chosen)), private
