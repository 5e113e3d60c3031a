"""The [system] section: where the System page writes the box's system files, what it runs."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _opt(default: Any, doc: str, **rules: Any) -> Any:
    return field(default=default, metadata={"doc": doc, **rules})


# Built-in defaults are the development box's: every command blank (each action is
# only logged, a reboot restarts the daemon) and the files under the data directory.
# The appliance's /etc/callbox/callbox.toml (image_build/callbox.toml) sets the commands.
@dataclass(frozen=True)
class SystemConfig:
    root: str = _opt(
        "",
        "where the system's files (/etc/...) are written (blank: <daemon.data_dir>/system/root;"
        " the appliance's image links its /etc files there)",
        kind="abs-path-or-blank",
    )
    interface: str = _opt("eth0", "the wired interface the network settings are for")
    network_command: str = _opt("", "run after the network file changes (blank: none)")
    time_command: str = _opt("", "run after the time zone or NTP servers change (blank: none)")
    vpn_command: str = _opt("", "run after wg0.conf changes (blank: none)")
    update_command: str = _opt(
        "", "installs a staged update, given its directory (blank: staged only)"
    )
    reboot_command: str = _opt(
        "", "reboots the box (blank: the daemon stops with status 75 to be started again)"
    )
    update_key: Path = _opt(
        Path("image_build/update-key.pub"), "the release public key bundles are checked with (PEM)"
    )
    max_update_mb: int = _opt(1024, "largest firmware bundle accepted", min=1, max=16384)
    max_restore_mb: int = _opt(
        16384, "largest backup accepted for a restore, and what it may unpack to", min=1, max=10**6
    )
