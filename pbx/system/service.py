"""The System page's service: time, network, VPN, backup and restore, updates, power."""

import asyncio
import dataclasses
import secrets
import zoneinfo
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pbx.system import backup, update, wireguard
from pbx.system.backup import BackupError, BackupPlaces
from pbx.system.host import Host
from pbx.system.power import Power
from pbx.system.settings import (
    NetworkSettings,
    SystemSettings,
    SystemSettingsError,
    TimeSettings,
    VpnPeer,
    VpnSettings,
    check_network,
    check_time,
    check_vpn,
    load_settings,
    save_settings,
)
from pbx.system.update import StagedUpdate, UpdateError

# The system's files, as the appliance's image links them into the host's root.
NETWORK_FILE = "/etc/systemd/network/10-callbox.network"
TIMESYNCD_FILE = "/etc/systemd/timesyncd.conf.d/callbox.conf"
LOCALTIME = "/etc/localtime"
TIMEZONE_FILE = "/etc/timezone"
ZONEINFO = "/usr/share/zoneinfo"
WIREGUARD_FILE = "/etc/wireguard/wg0.conf"


@dataclass(frozen=True)
class SystemStatus:
    """What the System page shows."""

    settings: SystemSettings
    now: str  # the box's time now, in its zone, ISO 8601
    addresses: list[dict]  # the interfaces' addresses now
    vpn_public_key: str
    firmware_version: str
    board: str
    staged_update: StagedUpdate | None
    files: dict[str, str]  # each system file and where this box writes it


@dataclass(frozen=True)
class NewPeer:
    """A peer just added: its client configuration (with its private key, shown once) and QR."""

    peer: VpnPeer
    config: str
    qr_svg: str


@dataclass(frozen=True)
class SystemPlaces:
    """Where the service keeps its own state."""

    state_dir: Path  # settings.json, the WireGuard key, uploads
    update_dir: Path  # the staged update
    update_key: Path  # the release public key (PEM)


class Upload:
    """A request body on its way to the disk, refused past `limit_bytes`."""

    def __init__(self, path: Path, limit_bytes: int) -> None:
        self.path = path
        self.limit_bytes = limit_bytes
        self.size = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("xb")

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit_bytes:
            raise SystemSettingsError(f"the file is larger than {self.limit_bytes >> 20} MiB")
        self._file.write(chunk)

    def close(self) -> None:
        self._file.close()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


class SystemService:
    """Loop thread only. Each change is saved, written as the system's files, then applied."""

    def __init__(
        self,
        host: Host,
        power: Power,
        places: SystemPlaces,
        data: BackupPlaces,
        *,
        snapshot: Callable[[Path], Awaitable[None]],
        firmware_version: str,
        board: str,
        interface: str,
        max_upload_bytes: dict[str, int],
    ) -> None:
        self._host = host
        self._power = power
        self._places = places
        self._data = data
        self._snapshot = snapshot
        self.firmware_version = firmware_version
        self.board = board
        self._interface = interface
        self.max_upload_bytes = max_upload_bytes  # "firmware", "restore"
        self._settings_path = places.state_dir / "settings.json"
        self._key_path = places.state_dir / "wireguard.key"
        self.settings = load_settings(self._settings_path)

    # --- reading ---------------------------------------------------------------------

    async def status(self) -> SystemStatus:
        """The settings, the box's time and addresses now, the firmware and a staged update."""
        zone = zoneinfo.ZoneInfo(self.settings.time.zone)
        return SystemStatus(
            self.settings,
            datetime.now(UTC).astimezone(zone).isoformat(timespec="seconds"),
            await self._host.addresses(),
            wireguard.public_key_of(wireguard.box_private_key(self._key_path)),
            self.firmware_version,
            self.board,
            update.staged(self._places.update_dir / "staged"),
            {
                name: str(self._host.path(name))
                for name in (NETWORK_FILE, TIMESYNCD_FILE, LOCALTIME, WIREGUARD_FILE)
            },
        )

    def status_file(self, system_path: str) -> str:
        """Where this box writes the system file `system_path`."""
        return str(self._host.path(system_path))

    # --- settings --------------------------------------------------------------------

    async def set_time(self, zone: object, ntp: object) -> TimeSettings:
        """A new time zone and NTP servers, written and applied (systemd-timesyncd)."""
        checked = check_time(zone, ntp)
        self._reload()
        self._save(dataclasses.replace(self.settings, time=checked))
        await self._apply_time()
        return checked

    async def set_network(
        self, mode: object, address: object = "", gateway: object = "", dns: object = ""
    ) -> NetworkSettings:
        """DHCP or a static address, written as a systemd-networkd file and applied."""
        checked = check_network(mode, address, gateway, dns)
        self._reload()
        self._save(dataclasses.replace(self.settings, network=checked))
        await self._apply_network()
        return checked

    async def set_vpn(
        self, enabled: object, address: object, port: object, endpoint: object
    ) -> VpnSettings:
        """The WireGuard interface's address, port and public endpoint; its peers stay."""
        checked = check_vpn(enabled, address, port, endpoint)
        current = self._reload().vpn
        if current.peers and checked.address != current.address:
            raise SystemSettingsError(
                "the VPN address cannot change while peers have addresses in it: remove them first"
            )
        vpn = dataclasses.replace(checked, peers=current.peers)
        self._save(dataclasses.replace(self.settings, vpn=vpn))
        await self._apply_vpn()
        return vpn

    async def add_peer(self, name: object, address: object = "") -> NewPeer:
        """A new peer with a key pair made here; its private key leaves only in the answer."""
        vpn = self._reload().vpn
        peer, private_key = wireguard.new_peer(vpn, name, address)
        box_public = wireguard.public_key_of(wireguard.box_private_key(self._key_path))
        config = wireguard.client_config(vpn, private_key, peer.address, box_public)
        self._save(
            dataclasses.replace(
                self.settings, vpn=dataclasses.replace(vpn, peers=(*vpn.peers, peer))
            )
        )
        await self._apply_vpn()
        return NewPeer(peer, config, wireguard.qr_svg(config))

    async def remove_peer(self, name: str) -> None:
        """Remove a peer: its device can no longer reach the box."""
        vpn = self._reload().vpn
        if not any(p.name == name for p in vpn.peers):
            raise SystemSettingsError(f"no peer named {name}")
        peers = tuple(p for p in vpn.peers if p.name != name)
        self._save(dataclasses.replace(self.settings, vpn=dataclasses.replace(vpn, peers=peers)))
        await self._apply_vpn()

    def _reload(self) -> SystemSettings:
        # The console's `callbox network dhcp` may have changed the file meanwhile.
        self.settings = load_settings(self._settings_path)
        return self.settings

    def _save(self, settings: SystemSettings) -> None:
        save_settings(self._settings_path, settings)
        self.settings = settings

    # --- the system's files ------------------------------------------------------------

    async def apply_all(self) -> None:
        """Write every system file from the settings and apply each (after a restore or reset)."""
        await self._apply_time()
        await self._apply_network()
        await self._apply_vpn()

    async def _apply_time(self) -> None:
        time_settings = self.settings.time
        ntp = " ".join(time_settings.ntp)
        self._host.write(
            TIMESYNCD_FILE,
            "# Written by the Callbox daemon (System page).\n[Time]\n"
            + (f"NTP={ntp}\n" if ntp else "#NTP= (the image's default servers)\n"),
        )
        self._host.link(LOCALTIME, f"{ZONEINFO}/{time_settings.zone}")
        self._host.write(TIMEZONE_FILE, time_settings.zone + "\n")
        await self._host.act("time")

    async def _apply_network(self) -> None:
        net = self.settings.network
        lines = [
            "# Written by the Callbox daemon (System page).",
            "[Match]",
            f"Name={self._interface}",
            "",
            "[Network]",
        ]
        if net.mode == "dhcp":
            lines.append("DHCP=yes")
        else:
            lines += [f"Address={net.address}", f"Gateway={net.gateway}"]
            lines += [f"DNS={server}" for server in net.dns]
        self._host.write(NETWORK_FILE, "\n".join(lines) + "\n")
        await self._host.act("network")

    async def _apply_vpn(self) -> None:
        vpn = self.settings.vpn
        if vpn.enabled:
            key = wireguard.box_private_key(self._key_path)
            self._host.write(WIREGUARD_FILE, wireguard.interface_config(vpn, key), mode=0o600)
        else:
            self._host.remove(WIREGUARD_FILE)
        await self._host.act("vpn")

    # --- backup, restore, update ---------------------------------------------------------

    def upload(self, kind: str) -> Upload:
        """Somewhere for an uploaded `kind` ("firmware" or "restore") to be written as it comes."""
        name = f"{kind}-{secrets.token_hex(8)}.part"
        return Upload(self._places.state_dir / "uploads" / name, self.max_upload_bytes[kind])

    async def backup(self, passphrase: object, recordings: bool) -> Path:
        """A signed backup archive in a temporary file; the caller sends it, then deletes it."""
        passphrase = backup.check_passphrase(passphrase)
        out = self._places.state_dir / "uploads" / f"backup-{secrets.token_hex(8)}.tar.gz"
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            await backup.make_backup(
                self._data,
                self._snapshot,
                out,
                passphrase=passphrase,
                recordings=recordings,
                firmware=self.firmware_version,
            )
        except BaseException:
            out.unlink(missing_ok=True)
            raise
        return out

    async def restore(self, upload: Upload, passphrase: object) -> dict:
        """Check an uploaded backup; if it is good, stage it and restart to swap it in."""
        upload.close()
        try:
            manifest = await asyncio.to_thread(
                backup.stage_restore,
                upload.path,
                passphrase,
                self._data.data_dir,
                self.max_upload_bytes["restore"],
            )
        finally:
            upload.discard()
        self._power.restart_soon("restoring a backup")
        return {"created": manifest["created"], "firmware": manifest["firmware"],
                "items": manifest["items"], "files": len(manifest["files"])}  # fmt: skip

    async def install_update(self, upload: Upload) -> StagedUpdate:
        """Verify an uploaded bundle, stage it, hand it to the installer, and reboot."""
        upload.close()
        staged_dir = self._places.update_dir / "staged"
        try:
            key = update.load_public_key(self._places.update_key)
            manifest = await asyncio.to_thread(
                update.verify_bundle, upload.path, key, self.board, self.firmware_version
            )
            staged = await asyncio.to_thread(update.stage, upload.path, manifest, staged_dir)
        finally:
            upload.discard()
        await self._host.act("update", str(staged_dir))
        self._power.reboot_soon(f"installing firmware {staged.version}")
        return staged

    async def reboot(self) -> None:
        """Reboot the box (calls in progress end)."""
        self._power.reboot_soon("asked from the panel")

    async def factory_reset(self) -> None:
        """Wipe recordings, CDRs, keys, credentials and settings, and start afresh."""
        self._power.factory_reset_soon()


__all__ = ["BackupError", "NewPeer", "SystemService", "SystemStatus", "UpdateError"]
