"""`callbox network dhcp`: the console's way back when a wrong static address lost the panel."""

import argparse
import asyncio
import sys

from firmware.config import Config
from firmware.system_parts import build_system
from pbx.system.service import NETWORK_FILE


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `network`."""
    network = sub.add_parser("network", help="the box's network settings, from its console")
    actions = network.add_subparsers(dest="action", required=True)
    actions.add_parser("dhcp", help="go back to DHCP (works with the daemon stopped too)")


async def _no_snapshot(_path) -> None:
    raise RuntimeError("no database here")


def _refuse_stop(_status: int) -> None:
    raise RuntimeError("not the daemon")


def run(_args: argparse.Namespace, config: Config) -> int:
    """Write the DHCP settings and network file, and apply them as the panel would."""
    service = build_system(config, _no_snapshot, _refuse_stop)
    try:
        asyncio.run(service.set_network("dhcp"))
    except OSError as err:
        print(f"callbox: cannot write the network settings: {err}", file=sys.stderr)
        return 71
    print(f"DHCP on {config.system.interface}: {service.status_file(NETWORK_FILE)}")
    return 0
