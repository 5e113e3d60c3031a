"""The box as an appliance: time, network, VPN, backup and restore, firmware updates, power."""

from pbx.system.backup import BackupError
from pbx.system.host import Host
from pbx.system.power import EXIT_RESTART, Power, apply_pending
from pbx.system.service import SystemService, SystemStatus
from pbx.system.settings import SystemSettingsError
from pbx.system.update import UpdateError

__all__ = [
    "EXIT_RESTART",
    "BackupError",
    "Host",
    "Power",
    "SystemService",
    "SystemSettingsError",
    "SystemStatus",
    "UpdateError",
    "apply_pending",
]
