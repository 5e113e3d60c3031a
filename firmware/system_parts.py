"""Wiring of the System page's service: its host, its places, and what a start must do first."""

import importlib.metadata
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from firmware.config import Config
from firmware.recording_parts import recordings_dir
from pbx.system import Host, Power, SystemService, apply_pending
from pbx.system.backup import BackupPlaces
from pbx.system.service import SystemPlaces

logger = logging.getLogger(__name__)


def firmware_version() -> str:
    """The running firmware's version (the installed package's)."""
    try:
        return importlib.metadata.version("callbox")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


def data_places(config: Config) -> BackupPlaces:
    """The data directory and the recordings' (they may lie elsewhere)."""
    return BackupPlaces(config.daemon.data_dir, recordings_dir(config))


def system_root(config: Config) -> Path:
    """system.root, or <data_dir>/system/root when it is blank."""
    return Path(config.system.root or config.daemon.data_dir / "system" / "root")


def apply_pending_changes(config: Config) -> str:
    """Before the box opens anything: a factory reset or a restore asked for before the restart."""
    return apply_pending(data_places(config))


def build_system(
    config: Config,
    snapshot: Callable[[Path], Awaitable[None]],
    stop: Callable[[int], None],
) -> SystemService:
    """The System page's service: files under system.root, commands from [system]."""
    s = config.system
    state_dir = config.daemon.data_dir / "system"
    host = Host(
        system_root(config),
        {
            "network": s.network_command,
            "time": s.time_command,
            "vpn": s.vpn_command,
            "update": s.update_command,
            "reboot": s.reboot_command,
        },
        state_dir / "actions.log",
    )
    places = data_places(config)
    return SystemService(
        host,
        Power(host, places, stop),
        SystemPlaces(state_dir, config.daemon.data_dir / "update", s.update_key),
        places,
        snapshot=snapshot,
        firmware_version=firmware_version(),
        board=config.board.profile,
        interface=s.interface,
        max_upload_bytes={"firmware": s.max_update_mb << 20, "restore": s.max_restore_mb << 20},
    )
